"""AutoML explorer: child-run metrics from cached JSON, MLflow or Azure ML, ranked and compared."""

from core.automl.analysis.tables import (
    Summary,
    baseline_deltas,
    best_run,
    best_so_far,
    correlation,
    last_improvement,
    per_algorithm,
    ranking,
    summarize,
    wide,
)
from core.automl.catalogue import CATALOGUE, MetricInfo, direction, infer_task, metric_info
from core.automl.model import AutoMLData, AutoMLError, Skipped
from core.automl.sources import (
    ENV_AUTOML_DIR,
    PATH_REFUSED,
    FileSource,
    SampleSource,
    Source,
    UploadSource,
    confined_path,
    load_live,
)
from core.automl.sources.parse import load_bytes, load_path, parse_metrics

__all__ = [
    "CATALOGUE",
    "ENV_AUTOML_DIR",
    "PATH_REFUSED",
    "AutoMLData",
    "AutoMLError",
    "FileSource",
    "MetricInfo",
    "SampleSource",
    "Skipped",
    "Source",
    "Summary",
    "UploadSource",
    "baseline_deltas",
    "best_run",
    "best_so_far",
    "confined_path",
    "correlation",
    "direction",
    "infer_task",
    "last_improvement",
    "load_bytes",
    "load_live",
    "load_path",
    "metric_info",
    "parse_metrics",
    "per_algorithm",
    "ranking",
    "summarize",
    "wide",
]
