"""A running AutoML run on a real local MLflow store (sqlite): a parent run left RUNNING, children logged
into it one by one, then the parent marked finished, as AutoML does while a live watch polls it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

CHILDREN = [  # iteration, algorithm, AUC_weighted, log_loss
    (0, "LightGBM", 0.941, 0.21),
    (1, "XGBoostClassifier", 0.952, 0.19),
    (2, "LogisticRegression", 0.903, 0.28),
    (3, "RandomForest", 0.948, 0.15),
    (4, "ExtremeRandomTrees", 0.935, 0.23),
    (5, "VotingEnsemble", 0.958, 0.17),
]


class RunningParent:
    """An AutoML-shaped parent run in ``sqlite:///<root>/mlflow.db``, still running."""

    def __init__(self, root: Path, experiment: str = "bank-automl-live") -> None:
        from mlflow.tracking import MlflowClient

        self.uri = f"sqlite:///{root / 'mlflow.db'}"
        self.client = MlflowClient(tracking_uri=self.uri)
        self.experiment = self.client.create_experiment(experiment, artifact_location=(root / "a").as_uri())
        parent = self.client.create_run(
            self.experiment, run_name="AutoML_live", tags={"primary_metric": "AUC_weighted"}
        )
        self.parent = parent.info.run_id
        self.children: list[str] = []

    def add_child(self, index: int | None = None, *, status: str = "FINISHED") -> str:
        """Log the next child of ``CHILDREN`` (its params, metrics) and end it with ``status``."""
        i, algorithm, auc, loss = CHILDREN[len(self.children) if index is None else index]
        child = self.client.create_run(
            self.experiment,
            start_time=1_700_000_000_000 + 1000 * i,
            tags={"mlflow.parentRunId": self.parent, "run_algorithm": algorithm, "iteration": str(i)},
        )
        rid = child.info.run_id
        self.client.log_param(rid, "max_depth", str(3 + i))
        self.client.log_metric(rid, "AUC_weighted", auc)
        self.client.log_metric(rid, "log_loss", loss)
        self.client.set_terminated(rid, status=status)
        self.children.append(rid)
        return rid

    def start_child(self, i: int) -> str:
        """A child that has started and logged nothing yet (it stays RUNNING)."""
        child = self.client.create_run(
            self.experiment, tags={"mlflow.parentRunId": self.parent, "iteration": str(i)}
        )
        return child.info.run_id

    def finish(self, status: str = "FINISHED") -> None:
        """Mark the parent ended, naming the best child as AutoML does."""
        if self.children:
            best = max(range(len(self.children)), key=lambda k: CHILDREN[k][2])
            self.client.set_tag(self.parent, "automl_best_child_run_id", self.children[best])
        self.client.set_terminated(self.parent, status=status)


def wait_for(condition: Callable[[], object], timeout: float = 60, every: float = 0.1) -> object:
    """Wait until ``condition()`` is truthy (and return it); fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {condition}"
        time.sleep(every)
