"""The metric catalogue, as data: direction, display name, value range and task of every AutoML metric."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

INF = math.inf


@dataclass(frozen=True)
class MetricInfo:
    """What is known about one metric: which way is better, what it is called, where its values lie."""

    name: str
    display: str
    direction: str  # "max" or "min"
    low: float
    high: float
    task: str  # "classification", "regression" (also forecasting) or "forecasting"
    known: bool = True


# name, display name, direction, low, high, task (the SDK's MetricObjective; README of shared/automl).
_ROWS: tuple[tuple[str, str, str, float, float, str], ...] = (
    ("AUC_macro", "AUC (macro)", "max", 0, 1, "classification"),
    ("AUC_micro", "AUC (micro)", "max", 0, 1, "classification"),
    ("AUC_weighted", "AUC (weighted)", "max", 0, 1, "classification"),
    ("AUC_binary", "AUC (binary)", "max", 0, 1, "classification"),
    ("accuracy", "Accuracy", "max", 0, 1, "classification"),
    ("balanced_accuracy", "Balanced accuracy", "max", 0, 1, "classification"),
    ("weighted_accuracy", "Weighted accuracy", "max", 0, 1, "classification"),
    ("norm_macro_recall", "Normalized macro recall", "max", 0, 1, "classification"),
    ("log_loss", "Log loss", "min", 0, INF, "classification"),
    ("matthews_correlation", "Matthews correlation", "max", -1, 1, "classification"),
    ("f1_score_macro", "F1 (macro)", "max", 0, 1, "classification"),
    ("f1_score_micro", "F1 (micro)", "max", 0, 1, "classification"),
    ("f1_score_weighted", "F1 (weighted)", "max", 0, 1, "classification"),
    ("f1_score_binary", "F1 (binary)", "max", 0, 1, "classification"),
    ("precision_score_macro", "Precision (macro)", "max", 0, 1, "classification"),
    ("precision_score_micro", "Precision (micro)", "max", 0, 1, "classification"),
    ("precision_score_weighted", "Precision (weighted)", "max", 0, 1, "classification"),
    ("precision_score_binary", "Precision (binary)", "max", 0, 1, "classification"),
    ("recall_score_macro", "Recall (macro)", "max", 0, 1, "classification"),
    ("recall_score_micro", "Recall (micro)", "max", 0, 1, "classification"),
    ("recall_score_weighted", "Recall (weighted)", "max", 0, 1, "classification"),
    ("recall_score_binary", "Recall (binary)", "max", 0, 1, "classification"),
    ("average_precision_score_macro", "Average precision (macro)", "max", 0, 1, "classification"),
    ("average_precision_score_micro", "Average precision (micro)", "max", 0, 1, "classification"),
    ("average_precision_score_weighted", "Average precision (weighted)", "max", 0, 1, "classification"),
    ("average_precision_score_binary", "Average precision (binary)", "max", 0, 1, "classification"),
    ("explained_variance", "Explained variance", "max", -INF, 1, "regression"),
    ("r2_score", "R²", "max", -INF, 1, "regression"),
    ("spearman_correlation", "Spearman correlation", "max", -1, 1, "regression"),
    ("mean_absolute_percentage_error", "MAPE", "min", 0, INF, "regression"),
    ("mean_absolute_error", "Mean absolute error", "min", 0, INF, "regression"),
    ("median_absolute_error", "Median absolute error", "min", 0, INF, "regression"),
    ("root_mean_squared_error", "RMSE", "min", 0, INF, "regression"),
    ("root_mean_squared_log_error", "RMSLE", "min", 0, INF, "regression"),
    ("normalized_mean_absolute_error", "Normalized MAE", "min", 0, INF, "regression"),
    ("normalized_median_absolute_error", "Normalized median AE", "min", 0, INF, "regression"),
    ("normalized_root_mean_squared_error", "Normalized RMSE", "min", 0, INF, "regression"),
    ("normalized_root_mean_squared_log_error", "Normalized RMSLE", "min", 0, INF, "regression"),
    ("symmetric_mean_absolute_percentage_error", "SMAPE", "min", 0, 200, "forecasting"),
    ("smape", "SMAPE", "min", 0, 200, "forecasting"),
    ("forecast_mean_absolute_percentage_error", "Forecast MAPE", "min", 0, INF, "forecasting"),
    ("forecast_symmetric_mean_absolute_percentage_error", "Forecast SMAPE", "min", 0, 200, "forecasting"),
)

CATALOGUE: dict[str, MetricInfo] = {r[0]: MetricInfo(*r) for r in _ROWS}

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
    return MetricInfo(name, name, direction, -INF, INF, "unknown", known=False)


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


def default_primary(names: Iterable[str]) -> str | None:
    """The metric to rank by when nobody chose one: the usual AutoML primary metric that is present."""
    present = list(names)
    for name in DEFAULT_PRIMARY:
        if name in present:
            return name
    return sorted(present)[0] if present else None
