"""The Azure ML source through azureml-core's own Workspace, Experiment and Run, with only HTTP replaced.

A small fake of the Azure services (``tests.support.azure_fakes``) answers at the transport (``requests``'
adapter): Azure AD's token endpoint, ARM's workspace lookup, service discovery, run history and the v2 metrics
API. Everything between the page's settings and those requests is the real SDK.
"""

import json

import pytest

pytest.importorskip("azureml.core")

from core.automl import AutoMLError, best_run, summarize
from core.automl.analysis import artifacts as arts
from core.automl.sources import FileSource, load_live
from core.automl.sources import azureml_v1 as azure_source
from core.automl.sources import cache as automl_cache
from core.automl.sources.azureml_v1 import (
    AzureMLSource,
    AzureSettings,
    connect,
    list_experiments,
    list_runs,
)
from tests.support.artifacts import ACCURACY_TABLE, CONFUSION
from tests.support.azure_fakes import CHILDREN, PARENT, SECRET, WS, install


@pytest.fixture
def azure(monkeypatch, tmp_path):
    return install(monkeypatch, tmp_path)


@pytest.fixture
def workspace(azure):
    settings = AzureSettings.from_mapping(
        {
            "subscription_id": "sub",
            "resource_group": "rg",
            "workspace_name": "ws",
            "tenant_id": "tenant1",
            "client_id": "cid",
            "client_secret": SECRET,
        }
    )
    assert settings.auth == "service_principal"  # a secret present means service-principal sign-in
    assert SECRET not in repr(settings)
    return connect(settings)


def test_service_principal_signs_in_through_aad_and_opens_the_workspace(azure, workspace):
    assert workspace.name == "ws" and workspace.location == "westeurope"
    token_calls = [r for r in azure.requests if r[1].endswith("/oauth2/v2.0/token")]
    assert (
        token_calls
        and "client_id=cid" in token_calls[0][2]
        and f"client_secret={SECRET}" in token_calls[0][2]
    )
    arm = [r for r in azure.requests if r[1].startswith(f"https://management.azure.com{WS}")]
    assert len(arm) >= 1


def test_pull_reads_children_metrics_and_properties(azure, workspace):
    source = AzureMLSource(workspace, "bank", PARENT)
    data, _doc = load_live(source)
    assert data.run_ids == [f"{PARENT}_{i}" for i, *_ in CHILDREN]
    assert list(data.runs["algorithm"]) == [c[1] for c in CHILDREN]
    assert set(data.runs["preprocessor"]) == {"MaxAbsScaler"}
    assert list(data.runs["duration_s"]) == [60.0, 61.0, 63.0, 64.0]
    assert set(data.runs["status"]) == {"Completed"}
    assert data.runs["portal_url"].str.contains(PARENT).all()
    values = data.tidy.set_index(["iteration", "metric"])["value"]
    assert values[(1, "AUC_weighted")] == 0.952 and values[(4, "log_loss")] == 0.15  # last logged value
    assert {(s.run_id, s.metric) for s in data.skipped} == {
        (f"{PARENT}_{i}", "confusion_matrix") for i, *_ in CHILDREN
    } | {(f"{PARENT}_1", "accuracy_table")}  # artifacts, not numbers: listed as skipped
    assert all(s.reason.startswith("an artifact (aml://") for s in data.skipped)
    assert data.parent["primary_metric"] == "AUC_weighted"
    assert data.parent["best_child_run_id"] == f"{PARENT}_1"
    assert summarize(data).best_run == f"{PARENT}_1"
    assert best_run(data, "log_loss") == (f"{PARENT}_4", 0.15)
    metric_calls = [r for r in azure.requests if "/metric/v2.0/" in r[1]]
    per_child = sum(1 + len(azure.metrics[rid]) for rid in data.run_ids)  # a list, then one read a metric
    assert len(metric_calls) == per_child + 1  # and the parent's list


def test_pull_fetches_the_confusion_matrix_and_accuracy_table_the_metrics_name(azure, workspace, monkeypatch):
    data, doc = load_live(AzureMLSource(workspace, "bank", PARENT))
    best = f"{PARENT}_1"
    assert data.artifacts == {best: {"confusion_matrix": CONFUSION, "accuracy_table": ACCURACY_TABLE}}
    assert doc["__pilab__"]["artifacts"] == data.artifacts  # cached with the pull, for offline use
    assert arts.confusion_matrix(data.artifacts[best]["confusion_matrix"]).loc["no", "no"] == 2850
    assert arts.roc_auc(arts.roc_curves(data.artifacts[best]["accuracy_table"]))["yes"] > 0.5
    fetched = [r[1] for r in azure.requests if "/contentinfo/" in r[1]]
    assert fetched[0].endswith(f"dcid.{best}/confusion_matrix")  # the best child first
    assert len(fetched) == 5  # every child's confusion_matrix (two missing or bad: left out) + one table
    assert any("confusion_matrix" in s.metric for s in data.skipped)  # and still listed as not a number

    azure.requests.clear()
    monkeypatch.setattr(azure_source, "MAX_ARTIFACT_RUNS", 0)
    assert load_live(AzureMLSource(workspace, "bank", PARENT))[0].artifacts == {}
    assert not [r for r in azure.requests if "/contentinfo/" in r[1]]


def test_pull_is_cached_and_reopens_offline(azure, workspace, tmp_path):
    data, doc = load_live(AzureMLSource(workspace, "bank", PARENT))
    path = automl_cache.write(doc, f"azureml-bank-{PARENT}", tmp_path)
    assert json.loads(path.read_text())[f"{PARENT}_4"]["log_loss"] == [0.5, 0.15]
    again = FileSource(path).load()
    assert again.tidy.equals(data.tidy) and list(again.runs["algorithm"]) == list(data.runs["algorithm"])
    assert SECRET not in path.read_text()


def test_pipeline_run_descends_to_its_automl_step(azure, workspace):
    data = AzureMLSource(workspace, "bank", "pipe_1").load()
    assert data.run_ids == ["pipe_1_step_0", "pipe_1_step_1"]
    assert data.parent["run_id"] == "pipe_1_step" and data.parent["pipeline_run_id"] == "pipe_1"
    assert summarize(data).best_run == "pipe_1_step_1"


def test_listing_experiments_and_runs(azure, workspace):
    assert list_experiments(workspace) == ["bank"]
    runs = {r["run_id"]: r for r in list_runs(workspace, "bank")}
    assert set(runs) == {PARENT, "pipe_1"}
    assert runs["pipe_1"]["type"] == "azureml.PipelineRun"


def test_missing_run_and_missing_credentials_are_clear(azure, workspace):
    with pytest.raises(AutoMLError, match=r"^Azure ML: cannot read run 'nope'"):
        AzureMLSource(workspace, "bank", "nope").load()
    settings = AzureSettings(auth="service_principal", tenant_id="t")
    with pytest.raises(AutoMLError, match=r"needs client_id \(AZURE_CLIENT_ID\), client_secret"):
        connect(settings)


def test_a_failing_sign_in_never_shows_the_secret(monkeypatch, azure, tmp_path):
    def refuse(method, url, body):
        return 401, {"error": "invalid_client", "error_description": f"bad secret {SECRET}"}

    monkeypatch.setattr(azure, "route", refuse)
    settings = AzureSettings(
        subscription_id="sub",
        resource_group="rg",
        workspace_name="ws",
        auth="service_principal",
        tenant_id="t",
        client_id="c",
        client_secret=SECRET,
    )
    with pytest.raises(AutoMLError) as err:
        connect(settings)
    assert str(err.value).startswith("Azure ML: cannot open the workspace") and SECRET not in str(err.value)


def test_pull_reads_each_childs_parameters_and_the_ensembles_members(azure, workspace, tmp_path):
    ensemble = azure.add_ensemble()
    data, doc = load_live(AzureMLSource(workspace, "bank", PARENT))
    table = data.params.set_index(["run_id", "name"])
    first = f"{PARENT}_1"
    assert table.loc[(first, "algorithm"), "value"] == "XGBoostClassifier"
    assert table.loc[(first, "estimator"), ["value", "kind"]].tolist() == ["XGBoostClassifier", "algorithm"]
    assert table.loc[(first, "max_depth"), ["value", "kind"]].tolist() == [4, "hyperparameter"]
    assert table.loc[(first, "preprocessor"), "value"] == "MaxAbsScaler"
    assert table.loc[(first, "training_percent"), ["value", "kind"]].tolist() == [100, "setting"]
    assert table.loc[(ensemble, "ensembled_iterations"), "value"] == "[1, 4]"
    assert table.loc[(ensemble, "ensembled_algorithms"), "value"] == '["XGBoostClassifier", "RandomForest"]'
    assert table.loc[(ensemble, "ensemble_weights"), "value"] == "[0.6, 0.4]"
    again = FileSource(automl_cache.write(doc, "with-params", tmp_path)).load()
    assert again.params.equals(data.params)  # cached with the pull


def test_the_best_childs_model_file_is_fetched_as_bytes_never_unpickled(azure, workspace):
    from tests.support.automl_pickles import automl_model

    best = f"{PARENT}_1"
    azure.files[f"dcid.{best}/outputs/model.pkl"] = automl_model()
    blob = azure_source.fetch_model(workspace, "bank", best, max_bytes=2**20)
    assert blob == automl_model()
    with pytest.raises(AutoMLError, match=r"over 100"):
        azure_source.fetch_model(workspace, "bank", best, max_bytes=100)
    with pytest.raises(AutoMLError, match=r"^Azure ML: cannot fetch outputs/model.pkl of run"):
        azure_source.fetch_model(workspace, "bank", f"{PARENT}_0", max_bytes=2**20)
