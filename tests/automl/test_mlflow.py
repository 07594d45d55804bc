"""The MLflow source against a real local tracking store (sqlite), filled with an AutoML-shaped parent run."""

import json
import math

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated")
mlflow = pytest.importorskip("mlflow")
from mlflow.tracking import MlflowClient  # noqa: E402

from core.automl import AutoMLError, best_run, parse_metrics, summarize  # noqa: E402
from core.automl.sources import FileSource, load_live  # noqa: E402
from core.automl.sources import cache as automl_cache  # noqa: E402
from core.automl.sources.mlflow_runs import MlflowSource, list_experiments, list_parent_runs  # noqa: E402
from tests.support.automl_pickles import automl_model  # noqa: E402

CHILDREN = [  # iteration, algorithm, AUC_weighted, log_loss (logged twice: the last counts)
    (0, "LightGBM", 0.941, [0.30, 0.21]),
    (1, "XGBoostClassifier", 0.952, [0.25, 0.19]),
    (2, "LogisticRegression", 0.903, [0.33, 0.28]),
    (3, "RandomForest", 0.948, [0.16, 0.15]),
]
CONFUSION = {
    "schema_type": "confusion_matrix",
    "schema_version": "1.0.0",
    "data": {"class_labels": ["no", "yes"], "matrix": [[900, 20], [60, 40]]},
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A sqlite tracking store with one AutoML parent, four children, a stray run and a NaN metric."""
    root = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri)
    exp = client.create_experiment("bank-automl", artifact_location=(root / "artifacts").as_uri())
    parent = client.create_run(exp, run_name="AutoML_bank", tags={"primary_metric": "AUC_weighted"})
    pid = parent.info.run_id
    ids = {}
    for i, algorithm, auc, losses in CHILDREN:
        child = client.create_run(
            exp,
            start_time=1_700_000_000_000 + 1000 * i,
            tags={"mlflow.parentRunId": pid, "run_algorithm": algorithm, "iteration": str(i)},
        )
        rid = child.info.run_id
        ids[i] = rid
        client.log_param(rid, "run_preprocessor", "MaxAbsScaler")
        client.log_param(rid, "max_depth", str(3 + i))
        client.log_param(rid, "learning_rate", str(0.1 * (i + 1)))
        client.log_metric(rid, "AUC_weighted", auc)
        for step, loss in enumerate(losses):
            client.log_metric(rid, "log_loss", loss, step=step)
        if i == 2:
            client.log_text(rid, "no model here", "outputs/notes.txt")
            client.log_metric(rid, "matthews_correlation", math.nan)
        if i == 1:
            client.log_dict(rid, CONFUSION, "confusion_matrix.json")
            model = root / "model.pkl"
            model.write_bytes(automl_model())
            client.log_artifact(rid, str(model), "outputs")
        client.set_terminated(rid, end_time=1_700_000_000_000 + 1000 * i + 90_000)
    client.set_tag(pid, "automl_best_child_run_id", ids[1])
    other = client.create_run(exp, run_name="not-automl")
    client.log_metric(other.info.run_id, "AUC_weighted", 0.99)  # no parent: must not be picked up
    return {"uri": uri, "experiment": exp, "parent": pid, "ids": ids, "root": root}


@pytest.fixture(autouse=True)
def data_dir(store, monkeypatch):
    """The store lies in the operator's data directory, the only place a sqlite URI may name."""
    monkeypatch.setenv("PILAB_DATA_DIR", str(store["root"]))


def test_pull_reads_every_child_with_metadata(store):
    source = MlflowSource(store["uri"], store["parent"])
    data, _doc = load_live(source)
    assert set(data.run_ids) == set(store["ids"].values())
    assert list(data.runs["iteration"]) == [0, 1, 2, 3]
    assert list(data.runs["algorithm"]) == [c[1] for c in CHILDREN]
    assert set(data.runs["preprocessor"]) == {"MaxAbsScaler"}
    assert set(data.runs["status"]) == {"FINISHED"} and set(data.runs["duration_s"]) == {90.0}
    tidy = data.tidy.set_index(["iteration", "metric"])["value"]
    assert tidy[(0, "log_loss")] == 0.21  # the last logged value
    assert tidy[(1, "AUC_weighted")] == 0.952
    assert [(s.metric, s.reason) for s in data.skipped] == [("matthews_correlation", "NaN")]
    assert data.parent["best_child_run_id"] == store["ids"][1]
    assert data.artifacts == {store["ids"][1]: {"confusion_matrix": CONFUSION}}


def test_best_runs_follow_direction_and_the_parents_primary_metric(store):
    data = MlflowSource(store["uri"], store["parent"]).load()
    summary = summarize(data)
    assert summary.primary_metric == "AUC_weighted"  # from the parent's tag
    assert summary.best_run == store["ids"][1] == data.parent["best_child_run_id"]
    assert best_run(data, "log_loss") == (store["ids"][3], 0.15)


def test_pull_is_cached_and_reopens_offline(store, tmp_path):
    source = MlflowSource(store["uri"], store["parent"])
    data, doc = load_live(source)
    path = automl_cache.write(doc, f"mlflow-{store['parent']}", tmp_path)
    raw = json.loads(path.read_text())
    assert raw[store["ids"][0]]["log_loss"] == [0.21]  # the plain metrics_data shape
    again = FileSource(path).load()
    assert again.tidy.equals(data.tidy)
    assert list(again.runs["algorithm"]) == list(data.runs["algorithm"])
    assert again.source == source.label and again.artifacts == data.artifacts
    assert parse_metrics(raw).parent["primary_metric"] == "AUC_weighted"


def test_listing_experiments_and_parent_runs(store):
    names = {e["name"] for e in list_experiments(store["uri"])}
    assert "bank-automl" in names
    parents = list_parent_runs(store["uri"], store["experiment"])
    assert {p["name"] for p in parents} == {"AutoML_bank", "not-automl"}


def test_errors_are_one_line_and_name_the_run(store, tmp_path):
    with pytest.raises(AutoMLError, match=r"no run 'deadbeef'"):
        MlflowSource(store["uri"], "deadbeef").load()
    with pytest.raises(AutoMLError, match=r"has no child runs"):
        MlflowSource(store["uri"], store["ids"][0]).load()
    with pytest.raises(AutoMLError, match=r"is not a run id"):
        MlflowSource(store["uri"], "x' OR 1=1 --")


def test_pull_reads_each_childs_params_as_parameters(store, tmp_path):
    data, doc = load_live(MlflowSource(store["uri"], store["parent"]))
    table = data.params.set_index(["run_id", "name"])
    second = store["ids"][1]
    assert table.loc[(second, "max_depth"), ["value", "kind"]].tolist() == [4, "hyperparameter"]
    assert table.loc[(second, "learning_rate"), "value"] == pytest.approx(0.2)
    assert table.loc[(second, "algorithm"), ["value", "kind"]].tolist() == ["XGBoostClassifier", "algorithm"]
    assert table.loc[(second, "preprocessor"), ["value", "kind"]].tolist() == ["MaxAbsScaler", "preprocessor"]
    again = FileSource(automl_cache.write(doc, "mlflow-params", tmp_path)).load()
    assert again.params.equals(data.params)


def test_a_childs_model_file_is_fetched_as_bytes(store):
    from core.automl.sources.mlflow_runs import fetch_model

    assert fetch_model(store["uri"], store["ids"][1], max_bytes=2**20) == automl_model()
    with pytest.raises(AutoMLError, match=r"is over 100 bytes"):
        fetch_model(store["uri"], store["ids"][1], max_bytes=100)
    with pytest.raises(AutoMLError, match=r"has no outputs/model.pkl or model/model.pkl or model.pkl"):
        fetch_model(store["uri"], store["ids"][2], max_bytes=2**20)  # artifacts, but no model file
    with pytest.raises(AutoMLError, match=r"has no artifacts this server may read"):
        fetch_model(store["uri"], store["ids"][0], max_bytes=2**20)  # no artifacts at all
    with pytest.raises(AutoMLError, match=r"is not a run id"):
        fetch_model(store["uri"], "../../etc", max_bytes=2**20)
