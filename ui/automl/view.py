"""What every AutoML tab draws from (``View``), apart from the tabs, so that ``ui.automl.tabs`` and the
tab modules it lists import it from below."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from core import automl

GROUP_DEFAULT = "algorithm"  # what colours and groups the charts when no parameter is chosen
MAX_ROWS = 2_000  # runs sent to the browser in a table or a chart (in the distributions: of each job)


@dataclass(kw_only=True, frozen=True)
class View:
    """What a tab draws from: the data, the primary metric and its summary, the table and its metrics; the
    source's key, the parameter columns chosen and the parameter that colours and groups the charts; the
    table's filter where the page drew its box (a live watch draws it outside the redrawn part)."""

    data: automl.AutoMLData
    primary: str
    summary: automl.Summary
    table: pd.DataFrame
    shown: list[str]
    source: str = ""
    params: list[str] = field(default_factory=list)
    by: str = GROUP_DEFAULT
    query: str | None = None
