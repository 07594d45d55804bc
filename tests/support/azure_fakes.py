"""A fake of the Azure services behind azureml-core, answering at the transport (``requests``' adapter).

It answers Azure AD's token endpoint, ARM's workspace lookup, service discovery, run history, artifacts and
the v2 metrics API, so that everything between the settings and those requests is the real SDK. Needs
azureml-core installed (its dependencies PyJWT, requests and urllib3 with it).
"""

from __future__ import annotations

import io
import json
import re
import time

import jwt
import requests
import urllib3

from tests.support.artifacts import ACCURACY_TABLE, CONFUSION

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
        self.published = published_pipelines()
        self.live: dict[str, list[tuple[int, str, float]]] = {}  # AutoML step → children still to appear
        self.failures: list[tuple[str, str, int, dict]] = []  # (method, path regex, status, body), once each
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
                "training_percent": "100",
                "pipeline_spec": pipeline_spec(algorithm, i),
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

    def add_ensemble(self) -> str:
        """A VotingEnsemble child (iteration 5) over iterations 1 and 4, its members and weights in tags as
        the service writes them (Python list literals in strings); return its id."""
        rid = f"{PARENT}_5"
        props = {"runTemplate": "automl_child", "run_algorithm": "VotingEnsemble", "iteration": "5"}
        tags = {
            "ensembled_iterations": "[1, 4]",
            "ensembled_algorithms": "['XGBoostClassifier', 'RandomForest']",
            "ensemble_weights": "[0.6, 0.4]",
        }
        self.add_run(rid, PARENT, props, tags, seconds=90)
        self.metrics[rid] = {"AUC_weighted": ("azureml.v1.scalar", "double", [0.955])}
        return rid

    def submit(self, pipeline_id: str, body: dict) -> tuple[int, dict]:
        """A published pipeline's run: a pipeline run and its AutoML step, both Running; the step's
        children appear one a poll (``/children``), then the step and the pipeline complete."""
        number = sum(1 for r in self.runs.values() if r["runType"] == "azureml.PipelineRun") + 1
        rid = f"pipe_live_{number}"
        self.add_run(rid, None, {"azureml.pipelineid": pipeline_id}, {}, run_type="azureml.PipelineRun")
        self.add_run(f"{rid}_step", rid, {"StepType": "AutoMLStep"}, {}, root=rid)
        self.runs[f"{rid}_step"]["properties"]["primary_metric"] = "AUC_weighted"
        for run in (rid, f"{rid}_step"):
            self.runs[run].update(status="Running", endTimeUtc=None)
        self.live[f"{rid}_step"] = [(i, algorithm, auc) for i, algorithm, auc, _ in CHILDREN]
        entity = {
            "Id": rid,
            "PipelineId": pipeline_id,
            "RunHistoryExperimentName": body.get("ExperimentName"),
            "ParameterAssignments": body.get("ParameterAssignments") or {},
            "Status": {"StatusCode": 0, "RunStatus": 0},
            "RunSource": "Unavailable",
            "RunType": "HTTP",
            "TotalRunSteps": 1,
            "IsSubmitted": True,
        }
        return 200, entity

    def reveal(self, step: str) -> None:
        """One more child of a live AutoML step (a poll's worth); after the last, the job completes."""
        waiting = self.live.get(step)
        if waiting is None:
            return
        if not waiting:
            root = self.runs[step]["rootRunId"]
            for run in (step, root):
                self.runs[run].update(status="Completed", endTimeUtc="2024-03-01T10:30:00Z")
            del self.live[step]
            return
        i, algorithm, auc = waiting.pop(0)
        rid = f"{step}_{i}"
        props = {"runTemplate": "automl_child", "run_algorithm": algorithm, "iteration": str(i)}
        self.add_run(rid, step, props, {}, root=self.runs[step]["rootRunId"], seconds=60 + i)
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
        content = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        response = requests.models.Response()
        response.status_code, response._content, response.url, response.request = (
            status,
            content,
            request.url,
            request,
        )
        response.headers["Content-Type"] = (
            "application/octet-stream" if isinstance(payload, bytes) else "application/json"
        )
        response.raw = urllib3.HTTPResponse(body=io.BytesIO(content), status=status, preload_content=False)
        return response

    def route(self, method, url, body):
        path = url.split("?")[0]
        for k, (verb, pattern, status, payload) in enumerate(self.failures):
            if verb == method and re.search(pattern, path):
                del self.failures[k]
                return status, payload
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
        pipelines = f"{HOST}/pipelines/v1.0{WS}"
        if path == f"{pipelines}/Pipelines" and method == "GET":
            active = "activeOnly=false" not in url
            return 200, [p for p in self.published if not active or p["EntityStatus"] == "Active"]
        if m := re.fullmatch(rf"{re.escape(pipelines)}/PipelineRuns/PipelineSubmit/([^/]+)", path):
            if method == "POST" and any(p["Id"] == m[1] for p in self.published):
                return self.submit(m[1], json.loads(body or "{}"))
            return 404, _error(f"published pipeline {m[1]} not found")
        if m := re.fullmatch(rf"{re.escape(history)}/experiments/bank/runs/([^/]+)/children", path):
            self.reveal(m[1])
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


def published_pipelines() -> list[dict]:
    """The pipelines service's PipelineEntity objects: the notebook's AutoML pipeline in two versions (the
    newer with a declared parameter), and a disabled one."""

    def entity(pid, name, version, status, params):
        return {
            "Id": pid,
            "Name": name,
            "Description": f"{name} (published from the course notebook)",
            "Version": version,
            "GraphId": f"graph-{pid}",
            "TotalRunSteps": 1,
            "ParameterAssignments": params,
            "DataSetDefinitionValueAssignments": {},
            "Url": f"{HOST}/pipelines/v1.0{WS}/PipelineRuns/PipelineSubmit/{pid}",
            "EntityStatus": status,
            "ContinueRunOnStepFailure": False,
            "EnableNotification": False,
            "CreatedDate": "2024-03-01T09:00:00Z",
            "LastModifiedDate": "2024-03-01T09:00:00Z",
        }

    return [
        entity("pp-1", "bank-automl", "1.0", "Active", {}),
        entity("pp-2", "bank-automl", "2.0", "Active", {"experiment_timeout_minutes": "15"}),
        entity("pp-old", "old-training", "0.1", "Disabled", {}),
    ]


def pipeline_spec(algorithm: str, iteration: int) -> str:
    """A child's ``pipeline_spec`` property as AutoML writes it: a JSON string of the pipeline's objects."""
    spec = {
        "objects": [
            {
                "class_name": "MaxAbsScaler",
                "module": "sklearn.preprocessing",
                "param_args": [],
                "param_kwargs": {},
                "prepared_kwargs": {},
                "spec_class": "preproc",
            },
            {
                "class_name": algorithm,
                "module": "automl.client.core.common.model_wrappers",
                "param_args": [],
                "param_kwargs": {
                    "max_depth": 3 + iteration,
                    "learning_rate": 0.1 * (iteration + 1),
                    "class_weight": None,
                },
                "prepared_kwargs": {},
                "spec_class": "sklearn",
            },
        ],
        "pipeline_id": f"pipeline{iteration}",
        "module": "sklearn.pipeline",
        "class_name": "Pipeline",
    }
    return json.dumps(spec)


def _error(message):
    return {"error": {"code": "NotFound", "message": message, "details": []}}


def install(monkeypatch, tmp_path) -> FakeAzure:
    """A ``FakeAzure`` that answers every HTTP request ``requests`` sends, until ``monkeypatch`` undoes it."""
    from azureml._base_sdk_common import service_discovery

    fake = FakeAzure()
    monkeypatch.setattr(
        requests.adapters.HTTPAdapter, "send", lambda self, req, **kw: fake.send(self, req, **kw)
    )
    monkeypatch.setattr(  # the SDK caches discovery under ~/.azureml: keep it in tmp_path
        service_discovery.CachedServiceDiscovery.__init__, "__defaults__", (str(tmp_path / ".discovery"),)
    )
    return fake
