"""What the top runs share: for the best k runs by a metric, the parameter values that are more common among
them than among the rest. Numeric parameters with many values are cut into three ranges first."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.automl import params as run_params
from core.automl.analysis.tables import ranking
from core.automl.model import AutoMLData, AutoMLError
from core.runtime.i18n import N_, Translate, english

MAX_CATEGORIES = 6  # a numeric parameter with more distinct values is cut into ranges
RANGES = (N_("low"), N_("mid"), N_("high"))
COLUMNS = [N_("name"), N_("kind"), N_("value"), N_("top"), N_("top_share"), N_("rest_share"), N_("lift")]


def shared_by_top(
    data: AutoMLData, metric: str | None = None, k: int = 5, *, _: Translate = english
) -> pd.DataFrame:
    """Parameter values over-represented in the top ``k`` runs by ``metric`` (default: the primary one).

    One row per (parameter, value): how many of the top runs have it, its share among them and among the
    other runs, and the lift (top share / rest share; ``inf`` when no other run has it). Largest gap first.
    A numeric range's name (low, mid, high) and the refusal are in ``_``'s language.
    """
    ranked = ranking(data, metric)
    if not 0 < k < len(ranked):
        raise AutoMLError(
            _(
                "top k must be between 1 and {most} (the runs with the metric, less one)",
                most=_.number(len(ranked) - 1),
            )
        )
    if data.params.empty:
        return pd.DataFrame(columns=COLUMNS)
    top = set(ranked["run_id"].head(k))
    rest = set(ranked["run_id"]) - top
    table = run_params.wide(data).set_index("run_id").loc[list(ranked["run_id"])]
    kinds = run_params.kinds(data)
    rows = []
    for name in table.columns:
        labels = _labels(table[name], _=_)
        for value in labels.dropna().unique():
            has = labels == value
            in_top = int(has[has.index.isin(top)].sum())
            if in_top == 0:
                continue
            top_share = in_top / len(top)
            rest_share = float(has[has.index.isin(rest)].sum()) / len(rest)
            if top_share <= rest_share:
                continue
            lift = top_share / rest_share if rest_share else np.inf
            rows.append((name, kinds.get(name, ""), value, in_top, top_share, rest_share, lift))
    out = pd.DataFrame(rows, columns=COLUMNS)
    gap = out["top_share"] - out["rest_share"]
    return (
        out.assign(_gap=gap)
        .sort_values(["_gap", "lift"], ascending=False)
        .drop(columns="_gap")
        .reset_index(drop=True)
    )


def _labels(column: pd.Series, *, _: Translate) -> pd.Series:
    """Each run's value as a label: text as it is, numbers as they are when few, else low/mid/high ranges."""
    if column.dtype == object or column.nunique(dropna=True) <= MAX_CATEGORIES:
        return column.map(_label)
    cuts = pd.qcut(column, len(RANGES), duplicates="drop")
    names = {
        c: f"{_(RANGES[i]) if len(cuts.cat.categories) == 3 else i + 1} ({_span(c, _=_)})"
        for i, c in enumerate(cuts.cat.categories)
    }
    return cuts.map(names).astype(object).where(cuts.notna(), None)


def _label(value) -> str | None:
    if value is None or value != value:
        return None
    return f"{value:g}" if isinstance(value, float) else str(value)


def _span(interval: pd.Interval, *, _: Translate) -> str:
    return f"{_.significant(interval.left, digits=4)}–{_.significant(interval.right, digits=4)}"
