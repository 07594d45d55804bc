"""AutoML child runs from an MLflow tracking server (the path for Azure ML SDK v2 workspaces), read lazily."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.automl import cache
from core.automl.artifacts import MAX_ARTIFACT_BYTES, read_downloaded
from core.automl.model import AutoMLData, AutoMLError
from core.automl.parse import ARTIFACT_SCHEMAS, parse_metrics

MAX_CHILDREN = 5_000
MAX_ARTIFACT_RUNS = 200
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,200}$")
_ALGORITHM_KEYS = ("run_algorithm", "algorithm", "estimator", "model_name")
_PREPROCESSOR_KEYS = ("run_preprocessor", "preprocessor")


def _client(tracking_uri: str):
    try:
        from mlflow.tracking import MlflowClient
    except ImportError as exc:  # pragma: no cover - mlflow is in requirements.lock
        raise AutoMLError(f"MLflow is not installed ({exc}); add mlflow-skinny") from None
    return MlflowClient(tracking_uri=tracking_uri)


def _fail(what: str, exc: Exception) -> AutoMLError:
    text = " ".join(str(exc).split())[:300]
    return AutoMLError(f"MLflow: {what}: {type(exc).__name__}: {text}")


def list_experiments(tracking_uri: str, max_results: int = 200) -> list[dict[str, str]]:
    """Experiments on the server: id and name."""
    try:
        found = _client(tracking_uri).search_experiments(max_results=max_results)
    except AutoMLError:
        raise
    except Exception as exc:
        raise _fail(f"cannot list experiments at {tracking_uri}", exc) from None
    return [{"experiment_id": e.experiment_id, "name": e.name} for e in found]


def list_parent_runs(tracking_uri: str, experiment_id: str, max_results: int = 100) -> list[dict[str, Any]]:
    """Top-level runs of an experiment (those without a parent), newest first."""
    _check_id(experiment_id, "experiment id")
    try:
        runs = _client(tracking_uri).search_runs(
            [experiment_id], order_by=["attributes.start_time DESC"], max_results=max_results
        )
    except Exception as exc:
        raise _fail(f"cannot list runs of experiment {experiment_id}", exc) from None
    return [
        {"run_id": r.info.run_id, "name": r.info.run_name, "status": r.info.status}
        for r in runs
        if "mlflow.parentRunId" not in r.data.tags
    ]


@dataclass
class MlflowSource:
    """The children of one parent run (``tags.mlflow.parentRunId``) on an MLflow tracking URI."""

    tracking_uri: str
    parent_run_id: str
    fetch_artifacts: bool = True
    label: str = ""

    def __post_init__(self) -> None:
        _check_id(self.parent_run_id, "parent run id")
        self.label = self.label or f"MLflow {self.tracking_uri} run {self.parent_run_id}"

    def load(self) -> AutoMLData:
        return parse_metrics(self.pull(), source=self.label)

    def pull(self) -> dict[str, Any]:
        """Fetch the parent and its children once; return the cached-format document."""
        client = _client(self.tracking_uri)
        try:
            parent = client.get_run(self.parent_run_id)
        except Exception as exc:
            raise _fail(f"no run {self.parent_run_id!r} at {self.tracking_uri}", exc) from None
        children = self._children(client, parent.info.experiment_id)
        if not children:
            raise AutoMLError(f"MLflow: run {self.parent_run_id!r} has no child runs")
        metrics, runs, artifacts = {}, {}, {}
        for position, child in enumerate(sorted(children, key=lambda r: r.info.start_time or 0)):
            rid = child.info.run_id
            metrics[rid] = dict(child.data.metrics)
            runs[rid] = _run_info(child, position)
            if self.fetch_artifacts and position < MAX_ARTIFACT_RUNS:
                found = _artifacts(client, rid)
                if found:
                    artifacts[rid] = found
        tags, params = parent.data.tags, parent.data.params
        info = {
            "run_id": self.parent_run_id,
            "experiment_id": parent.info.experiment_id,
            "primary_metric": tags.get("primary_metric") or params.get("primary_metric"),
            "best_child_run_id": tags.get("automl_best_child_run_id"),
            "name": parent.info.run_name,
        }
        return cache.document(metrics, source=self.label, parent=info, runs=runs, artifacts=artifacts)

    def _children(self, client, experiment_id: str) -> list:
        found, token = [], None
        while True:
            try:
                page = client.search_runs(
                    [experiment_id],
                    filter_string=f"tags.mlflow.parentRunId = '{self.parent_run_id}'",
                    max_results=1000,
                    page_token=token,
                )
            except Exception as exc:
                raise _fail(f"cannot search the children of {self.parent_run_id!r}", exc) from None
            found.extend(page)
            token = getattr(page, "token", None)
            if not token or len(found) >= MAX_CHILDREN:
                return found[:MAX_CHILDREN]


def _run_info(run, position: int) -> dict[str, Any]:
    tags, params = run.data.tags, run.data.params

    def first(keys: tuple[str, ...]) -> str | None:
        for k in keys:
            if tags.get(k) or params.get(k):
                return tags.get(k) or params.get(k)
        return None

    start, end = run.info.start_time, run.info.end_time
    iteration = tags.get("iteration") or params.get("iteration")
    return {
        "iteration": int(iteration) if iteration and str(iteration).isdigit() else position,
        "algorithm": first(_ALGORITHM_KEYS),
        "preprocessor": first(_PREPROCESSOR_KEYS),
        "status": run.info.status,
        "duration_s": (end - start) / 1000 if start and end else None,
        "name": run.info.run_name,
    }


def _artifacts(client, run_id: str) -> dict[str, Any]:
    """confusion_matrix / accuracy_table JSON files at the run's artifact root (small ones only)."""
    out: dict[str, Any] = {}
    try:
        listed = client.list_artifacts(run_id)
    except Exception:
        return out
    for item in listed:
        stem = Path(item.path).name.removesuffix(".json")
        if item.is_dir or stem not in ARTIFACT_SCHEMAS or (item.file_size or 0) > MAX_ARTIFACT_BYTES:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            try:
                local = Path(client.download_artifacts(run_id, item.path, tmp))
            except Exception:
                continue  # an unreadable artifact is left out; the metrics still load
            doc = read_downloaded(local, stem)
        if doc is not None:
            out[stem] = doc
    return out


def _check_id(value: str, what: str) -> None:
    if not isinstance(value, str) or not _SAFE_ID.match(value):
        raise AutoMLError(f"MLflow: {what} {value!r} is not a run id (letters, digits, _ . : - only)")
