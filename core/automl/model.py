"""The parsed result every source returns: tidy metrics, run metadata and parameters, skips, artifacts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from core.automl.catalogue import default_primary, infer_task
from core.runtime.i18n import Translate, english
from core.runtime.message import Message

TIDY_COLUMNS = ["run_id", "iteration", "metric", "value"]
RUN_COLUMNS = ["run_id", "iteration", "algorithm", "preprocessor", "status", "duration_s", "portal_url"]
PARAM_COLUMNS = ["run_id", "name", "value", "kind"]
PARAM_KINDS = ("algorithm", "preprocessor", "hyperparameter", "setting")


class AutoMLError(ValueError):
    """Input that cannot be read as AutoML metrics; the message names the file, run or metric. ``str(exc)``
    is English; ``exc.text(_)`` the same in a reader's language (``message`` marked ``N_``, its
    ``placeholders`` filled in: see ``core.runtime.message``)."""

    def __init__(self, message: str, /, **placeholders: Any) -> None:
        keep = isinstance(message, Message) and not placeholders
        self.message = message if keep else Message(message, **placeholders)
        super().__init__(self.message)

    def text(self, _: Translate = english) -> str:
        """The message in ``_``'s language."""
        return self.message.text(_)


class NoChildren(AutoMLError):
    """A live parent run without child runs (yet): ``status`` is the parent's, as its service says it."""

    def __init__(self, message: str, status: str | None = None, **placeholders: Any) -> None:
        super().__init__(message, **placeholders)
        self.status = status


@dataclass(frozen=True)
class Skipped:
    """One value left out of the table, and why."""

    run_id: str
    metric: str
    reason: str


@dataclass(kw_only=True)
class AutoMLData:
    """Child-run metrics of one AutoML run, in tidy form, with what is known about each run."""

    tidy: pd.DataFrame  # run_id, iteration, metric, value — one row per (run, metric), iteration order
    runs: pd.DataFrame  # RUN_COLUMNS, one row per run, iteration order
    source: str = ""
    skipped: list[Skipped] = field(default_factory=list)
    skipped_total: int = 0
    parent: dict[str, Any] = field(default_factory=dict)  # run_id, experiment, primary_metric, best_child…
    artifacts: dict[str, dict[str, Any]] = field(default_factory=dict)  # run_id → {name: artifact JSON}
    params: pd.DataFrame = field(default_factory=lambda: empty_params())  # PARAM_COLUMNS, run order

    @property
    def metrics(self) -> list[str]:
        """Metric names in first-seen order."""
        return list(dict.fromkeys(self.tidy["metric"]))

    @property
    def run_ids(self) -> list[str]:
        """Run ids in iteration order."""
        return list(self.runs["run_id"])

    @property
    def task(self) -> str:
        """classification, regression, forecasting or unknown, from the metric names."""
        return infer_task(self.metrics)

    @property
    def param_names(self) -> list[str]:
        """Parameter names in first-seen order (none for a plain metrics_data file)."""
        return list(dict.fromkeys(self.params["name"]))

    def primary_metric(self, requested: str | None = None) -> str:
        """``requested`` if some run has it, else the source's primary metric, else the usual default."""
        if requested is not None:
            self.require_metric(requested)
            return requested
        stated = self.parent.get("primary_metric")
        if isinstance(stated, str) and stated in self.metrics:
            return stated
        chosen = default_primary(self.metrics)
        if chosen is None:
            raise AutoMLError(f"{self.source or 'input'}: no metric values")
        return chosen

    def require_metric(self, name: str) -> None:
        """Raise ``AutoMLError`` naming ``name`` and the metrics present when no run has it."""
        if name not in self.metrics:
            shown = ", ".join(self.metrics[:12]) + (" …" if len(self.metrics) > 12 else "")
            raise AutoMLError(f"{self.source or 'input'}: metric {name!r} is in no run; present: {shown}")

    def require_run(self, run_id: str) -> None:
        """Raise ``AutoMLError`` naming ``run_id`` when it is not one of the runs."""
        if run_id not in self.run_ids:
            raise AutoMLError(
                f"{self.source or 'input'}: run {run_id!r} is not among the {len(self.runs)} runs"
            )


def empty_params() -> pd.DataFrame:
    """A parameter table with no rows: what a source that records no parameters has."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in PARAM_COLUMNS})
