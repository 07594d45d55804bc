"""The Azure ML source through azureml-core's own Workspace, Experiment and Run, with only HTTP replaced.

A small fake of the Azure services answers at the transport (``requests``' adapter): Azure AD's token
endpoint, ARM's workspace lookup, service discovery, run history and the v2 metrics API. Everything between
the page's settings and those requests is the real SDK.
"""

import io
import json
import re
import time

import pytest

pytest.importorskip("azureml.core")
import jwt
import requests
import urllib3
from azureml._base_sdk_common import service_discovery

from core.automl import AutoMLError, azure_source, best_run, summarize
from core.automl import artifacts as arts
from core.automl import cache as automl_cache
from core.automl.azure_source import (
    AzureMLSource,
    AzureSettings,
    connect,
    list_experiments,
    list_runs,
)
from core.automl.sources import FileSource, load_live
from tests.artifact_samples import ACCURACY_TABLE, CONFUSION

SECRET = "s3cret-never-shown"
HOST = "https://westeurope.api.azureml.ms"
WS = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws"
FILES = "https://files.example.net"
PARENT = "AutoML_7f3e"
CHILDREN = [  # iteration, algorithm, AUC_weighted, log_loss
    (0, "LightGBM", 0.941, 0.21),
    (1, "XGBoostClassifier", 0.952, 0.19),
    (3, "LogisticRegression", 0.903, 0.28),
    (4, "RandomForest", 0.948, 0.15),
]


class FakeAzure:
    """In-memory runs and metrics answering the REST calls azureml-core makes."""

    def __init__(self):
        self.requests: list[tuple[str, str, str]] = []
        self.token = jwt.encode(
            {"exp": int(time.time()) + 3600, "tid": "tenant1", "oid": "o1", "appid": "cid"},
            "k" * 32,
            algorithm="HS256",
        )
        self.runs: dict[str, dict] = {}
        self.metrics: dict[str, dict[str, tuple[str, str, list]]] = {}
        self.files: dict[str, object] = {}  # "container/path" → the artifact's JSON
        self.add_run(
            PARENT, None, {"primary_metric": "AUC_weighted"}, {"automl_best_child_run_id": f"{PARENT}_1"}
        )
        for i, algorithm, auc, loss in CHILDREN:
            rid = f"{PARENT}_{i}"
            props = {
                "runTemplate": "automl_child",
                "run_algorithm": algorithm,
                "run_preprocessor": "MaxAbsScaler",
                "iteration": str(i),
                "score": str(auc),
            }
            self.add_run(rid, PARENT, props, {}, seconds=60 + i)
            self.metrics[rid] = {
                "AUC_weighted": ("azureml.v1.scalar", "double", [auc]),
                "log_loss": ("azureml.v1.scalar", "double", [0.5, loss]),  # logged twice
                "confusion_matrix": (
                    "azureml.v1.confusion_matrix",
                    "artifact",
                    [f"aml://artifactId/ExperimentRun/dcid.{rid}/outputs/confusion_matrix"],
                ),
            }
        best = f"{PARENT}_1"
        self.metrics[best]["accuracy_table"] = (  # the v2 form: the location as stored
            "azureml.v2.accuracy_table",
            "artifact",
            [f"aml://artifactId/ExperimentRun/dcid.{best}/accuracy_table"],
        )
        self.files[f"dcid.{best}/confusion_matrix"] = CONFUSION
        self.files[f"dcid.{best}/accuracy_table"] = ACCURACY_TABLE
        self.files[f"dcid.{PARENT}_0/confusion_matrix"] = [[1, 2], [3, 4]]  # not an object: left out
        # a pipeline whose AutoML step has two children of its own
        self.add_run("pipe_1", None, {}, {}, run_type="azureml.PipelineRun")
        self.add_run("pipe_1_prep", "pipe_1", {"StepType": "PythonScriptStep"}, {}, root="pipe_1")
        self.add_run(
            "pipe_1_step", "pipe_1", {"StepType": "AutoMLStep"}, {}, root="pipe_1", run_type="automl"
        )
        for i, auc in [(0, 0.81), (1, 0.86)]:
            rid = f"pipe_1_step_{i}"
            self.add_run(
                rid, "pipe_1_step", {"runTemplate": "automl_child", "iteration": str(i)}, {}, root="pipe_1"
            )
            self.metrics[rid] = {"AUC_weighted": ("azureml.v1.scalar", "double", [auc])}

    def add_run(self, rid, parent, props, tags, *, seconds=30, run_type="automl", root=None):
        self.runs[rid] = {
            "runId": rid,
            "runNumber": len(self.runs) + 1,
            "dataContainerId": f"dcid.{rid}",
            "rootRunId": root or (PARENT if parent else rid),
            "parentRunId": parent,
            "experimentId": "e1",
            "status": "Completed",
            "runType": run_type,
            "properties": props,
            "tags": tags,
            "startTimeUtc": "2024-03-01T10:00:00Z",
            "endTimeUtc": f"2024-03-01T10:{seconds // 60:02d}:{seconds % 60:02d}Z",
        }

    # --- the transport --------------------------------------------------------------------------------
    def send(self, adapter, request, **kwargs):
        body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
        self.requests.append((request.method, request.url, body))
        status, payload = self.route(request.method, request.url, body)
        content = json.dumps(payload).encode()
        response = requests.models.Response()
        response.status_code, response._content, response.url, response.request = (
            status,
            content,
            request.url,
            request,
        )
        response.headers["Content-Type"] = "application/json"
        response.raw = urllib3.HTTPResponse(body=io.BytesIO(content), status=status, preload_content=False)
        return response

    def route(self, method, url, body):
        path = url.split("?")[0]
        if "/metadata/endpoints" in url:
            return 200, []
        if path.endswith("/.well-known/openid-configuration"):
            base = "https://login.microsoftonline.com/tenant1"
            return 200, {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "issuer": f"{base}/v2.0",
            }
        if path.endswith("/oauth2/v2.0/token"):
            return 200, {"token_type": "Bearer", "expires_in": 3600, "access_token": self.token}
        if path == "https://management.azure.com/subscriptions":
            return 200, {
                "value": [{"id": "/subscriptions/sub", "subscriptionId": "sub", "tenantId": "tenant1"}]
            }
        if path == f"https://management.azure.com{WS}":
            return 200, {
                "id": WS,
                "name": "ws",
                "location": "westeurope",
                "properties": {"discoveryUrl": f"{HOST}/discovery", "workspaceId": "wsid"},
            }
        if path == f"{HOST}/discovery":
            names = [
                "api",
                "catalog",
                "experimentation",
                "gallery",
                "history",
                "hyperdrive",
                "labeling",
                "metric",
            ]
            names += ["modelmanagement", "pipelines", "studiocoreservices", "studio"]
            return 200, {k: HOST for k in names}
        history = f"{HOST}/history/v1.0{WS}"
        if path in (f"{history}/experiments", f"{history}/experiments:query"):
            return 200, {"value": [{"experimentId": "e1", "name": "bank"}], "continuationToken": None}
        if path == f"{history}/experiments/bank":
            return 200, {"experimentId": "e1", "name": "bank"}
        if m := re.fullmatch(rf"{re.escape(history)}/experimentids/e1/runs/([^/]+)", path):
            return (200, self.runs[m[1]]) if m[1] in self.runs else (404, _error("run not found"))
        if path == f"{history}/experiments/bank/runs:query":
            return 200, {
                "value": self.query(json.loads(body or "{}").get("filter", "")),
                "continuationToken": None,
            }
        if m := re.fullmatch(rf"{re.escape(history)}/experiments/bank/runs/([^/]+)/children", path):
            kids = [r for r in self.runs.values() if r["parentRunId"] == m[1]]
            return 200, {"value": kids, "continuationToken": None}
        if m := re.fullmatch(
            rf"{re.escape(HOST)}/artifact/v2.0{WS}/artifacts/contentinfo/ExperimentRun/(.+)", path
        ):
            if m[1] not in self.files:
                return 404, _error("artifact not found")
            container, name = m[1].split("/", 1)
            uri = f"{FILES}/{m[1]}?sv=2019&sig=fake"  # a download link (not a blob-store host: plain GET)
            return 200, {"contentUri": uri, "origin": "ExperimentRun", "container": container, "path": name}
        if path.startswith(f"{FILES}/"):
            key = path.removeprefix(f"{FILES}/")
            return (200, self.files[key]) if key in self.files else (404, _error("no such file"))
        metric = f"{HOST}/metric/v2.0{WS}/runs/"
        if m := re.fullmatch(rf"{re.escape(metric)}([^/]+)/list", path):
            names = self.metrics.get(m[1], {})
            value = [{"metricKey": {"name": n}, "columns": {n: t[1]}} for n, t in names.items()]
            return 200, {"value": value, "continuationToken": None}
        if m := re.fullmatch(rf"{re.escape(metric)}([^/]+)/full", path):
            name = json.loads(body)["metricName"]
            ux, column, values = self.metrics[m[1]][name]
            rows = [
                {"metricId": f"{m[1]}-{name}-{k}", "step": k, "data": {name: v}} for k, v in enumerate(values)
            ]
            return 200, {
                "name": name,
                "columns": {name: column},
                "value": rows,
                "continuationToken": None,
                "properties": {"uxMetricType": ux},
                "dataContainerId": f"dcid.{m[1]}",
            }
        return 404, _error(f"fake Azure has no route for {method} {path}")

    def query(self, odata: str) -> list[dict]:
        runs = list(self.runs.values())
        root, exclude = re.search(r"RootRunId eq ([\w.-]+)", odata), re.search(r"RunId ne ([\w.-]+)", odata)
        if root:
            return [
                r for r in runs if r["rootRunId"] == root[1] and not (exclude and r["runId"] == exclude[1])
            ]
        return [r for r in runs if r["parentRunId"] is None]  # top-level runs, as get_runs lists them


def _error(message):
    return {"error": {"code": "NotFound", "message": message, "details": []}}


@pytest.fixture
def azure(monkeypatch, tmp_path):
    fake = FakeAzure()
    monkeypatch.setattr(
        requests.adapters.HTTPAdapter, "send", lambda self, req, **kw: fake.send(self, req, **kw)
    )
    monkeypatch.setattr(  # the SDK caches discovery under ~/.azureml: keep it in tmp_path
        service_discovery.CachedServiceDiscovery.__init__, "__defaults__", (str(tmp_path / ".discovery"),)
    )
    return fake


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
