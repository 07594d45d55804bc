"""The metric catalogue, as data: direction, display name and task of every AutoML metric."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.runtime.i18n import N_, Translate, english


@dataclass(kw_only=True, frozen=True)
class MetricInfo:
    """What is known about one metric: which way is better, what it is called, which task it belongs to."""

    name: str
    display: str
    direction: str  # "max" or "min"
    task: str  # "classification", "regression" (also forecasting) or "forecasting"
    known: bool = True

    @property
    def lower_is_better(self) -> bool:
        """True for losses and errors (direction ``"min"``), False when a higher value is better."""
        return self.direction == "min"


# name, display name, direction, task (the SDK's MetricObjective; README of shared/automl).
_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("AUC_macro", "AUC (macro)", "max", "classification"),
    ("AUC_micro", "AUC (micro)", "max", "classification"),
    ("AUC_weighted", "AUC (weighted)", "max", "classification"),
    ("AUC_binary", "AUC (binary)", "max", "classification"),
    ("accuracy", "Accuracy", "max", "classification"),
    ("balanced_accuracy", "Balanced accuracy", "max", "classification"),
    ("weighted_accuracy", "Weighted accuracy", "max", "classification"),
    ("norm_macro_recall", "Normalized macro recall", "max", "classification"),
    ("log_loss", "Log loss", "min", "classification"),
    ("matthews_correlation", "Matthews correlation", "max", "classification"),
    ("f1_score_macro", "F1 (macro)", "max", "classification"),
    ("f1_score_micro", "F1 (micro)", "max", "classification"),
    ("f1_score_weighted", "F1 (weighted)", "max", "classification"),
    ("f1_score_binary", "F1 (binary)", "max", "classification"),
    ("precision_score_macro", "Precision (macro)", "max", "classification"),
    ("precision_score_micro", "Precision (micro)", "max", "classification"),
    ("precision_score_weighted", "Precision (weighted)", "max", "classification"),
    ("precision_score_binary", "Precision (binary)", "max", "classification"),
    ("recall_score_macro", "Recall (macro)", "max", "classification"),
    ("recall_score_micro", "Recall (micro)", "max", "classification"),
    ("recall_score_weighted", "Recall (weighted)", "max", "classification"),
    ("recall_score_binary", "Recall (binary)", "max", "classification"),
    ("average_precision_score_macro", "Average precision (macro)", "max", "classification"),
    ("average_precision_score_micro", "Average precision (micro)", "max", "classification"),
    ("average_precision_score_weighted", "Average precision (weighted)", "max", "classification"),
    ("average_precision_score_binary", "Average precision (binary)", "max", "classification"),
    ("explained_variance", "Explained variance", "max", "regression"),
    ("r2_score", "R²", "max", "regression"),
    ("spearman_correlation", "Spearman correlation", "max", "regression"),
    ("mean_absolute_percentage_error", "MAPE", "min", "regression"),
    ("mean_absolute_error", "Mean absolute error", "min", "regression"),
    ("median_absolute_error", "Median absolute error", "min", "regression"),
    ("root_mean_squared_error", "RMSE", "min", "regression"),
    ("root_mean_squared_log_error", "RMSLE", "min", "regression"),
    ("normalized_mean_absolute_error", "Normalized MAE", "min", "regression"),
    ("normalized_median_absolute_error", "Normalized median AE", "min", "regression"),
    ("normalized_root_mean_squared_error", "Normalized RMSE", "min", "regression"),
    ("normalized_root_mean_squared_log_error", "Normalized RMSLE", "min", "regression"),
    ("symmetric_mean_absolute_percentage_error", "SMAPE", "min", "forecasting"),
    ("smape", "SMAPE", "min", "forecasting"),
    ("forecast_mean_absolute_percentage_error", "Forecast MAPE", "min", "forecasting"),
    ("forecast_symmetric_mean_absolute_percentage_error", "Forecast SMAPE", "min", "forecasting"),
)

CATALOGUE: dict[str, MetricInfo] = {
    name: MetricInfo(name=name, display=display, direction=direction, task=task)
    for name, display, direction, task in _ROWS
}

# Words that make an unknown metric "lower is better" (the SDK's rule: losses and errors are minimised).
_MIN_WORDS = ("loss", "error", "mape", "smape", "mae", "mse", "rmse")

# Which metric to rank by when the source does not say, by task, first present wins.
DEFAULT_PRIMARY = (
    "AUC_weighted",
    "accuracy",
    "normalized_root_mean_squared_error",
    "spearman_correlation",
    "r2_score",
)


def metric_info(name: str) -> MetricInfo:
    """The catalogue entry for ``name``; an unknown metric gets a direction guessed from its name."""
    if name in CATALOGUE:
        return CATALOGUE[name]
    lowered = name.lower()
    direction = "min" if any(w in lowered for w in _MIN_WORDS) else "max"
    return MetricInfo(name=name, display=name, direction=direction, task="unknown", known=False)


def direction(name: str) -> str:
    """``"max"`` when a higher value of ``name`` is better, ``"min"`` when lower is."""
    return metric_info(name).direction


def infer_task(names: Iterable[str]) -> str:
    """The task the metric names belong to: classification, forecasting, regression or unknown."""
    tasks = {metric_info(n).task for n in names}
    for task in ("classification", "forecasting", "regression"):
        if task in tasks:
            return task
    return "unknown"


# The tasks ``infer_task`` names (data: ``summary --json`` keeps them), marked to be translated where shown.
TASKS = {
    "classification": N_("classification"),
    "regression": N_("regression"),
    "forecasting": N_("forecasting"),
    "unknown": N_("unknown"),
}


def task_name(task: str, *, _: Translate = english) -> str:
    """A task as a reader reads it: in ``_``'s language (``clasificación``), or as given if it is none of
    ``TASKS``."""
    return _(TASKS[task]) if task in TASKS else task


def default_primary(names: Iterable[str]) -> str | None:
    """The metric to rank by when nobody chose one: the usual AutoML primary metric that is present."""
    present = list(names)
    for name in DEFAULT_PRIMARY:
        if name in present:
            return name
    return sorted(present)[0] if present else None
