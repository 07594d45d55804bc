"""Who reaches what in the AutoML explorer: a student's sources, the MLflow URI check, Azure names kept out.

A real loopback HTTP server stands in for an internal service that a tracking URI must not reach; it counts
every request it gets.
"""

import importlib.util
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from core import automl
from core.automl import AutoMLError
from core.automl.sources import cache
from core.automl.sources.mlflow_runs import (
    MlflowSource,
    check_tracking_uri,
    host_allowed,
    list_experiments,
    list_parent_runs,
)
from core.automl.sources.parse import META_KEY
from core.runtime.access import Settings
from tests.support.apptest import press
from tests.support.automl_apptest import cards, explorer, open_tab

pytestmark = [
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated"),
    pytest.mark.usefixtures("cache_dir"),  # tests/automl/conftest.py
]

STUDENT = {"pilab": {"locked": True}}
AZURE = {  # names that must never reach a student's page
    "subscription_id": "sub-zz-91375",
    "resource_group": "rg-zz-hidden",
    "workspace_name": "ws-zz-private",
    "tenant_id": "tenant-zz-4242",
    "client_id": "client-zz-7777",
}
WORKSPACE = (
    f"subscriptions/{AZURE['subscription_id']}/resourceGroups/{AZURE['resource_group']}"
    f"/providers/Microsoft.MachineLearningServices/workspaces/{AZURE['workspace_name']}"
)
PORTAL = f"https://ml.azure.com/runs/p_1?wsid=/{WORKSPACE}&tid={AZURE['tenant_id']}"
TABS = ["Table", "Ranking", "Compare", "Correlation", "Search progress", "Algorithms", "Export"]


class Listener:
    """A loopback HTTP server in a thread: counts requests; answers ``{}``, or a redirect to ``redirect``."""

    def __init__(self, redirect: str | None = None) -> None:
        self.paths: list[str] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                listener.paths.append(self.path)
                if redirect:
                    self.send_response(302)
                    self.send_header("Location", redirect + self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def listen() -> Iterator:
    """Start loopback listeners; all are stopped after the test."""
    started: list[Listener] = []

    def start(redirect: str | None = None) -> Listener:
        started.append(Listener(redirect))
        return started[-1]

    yield start
    for listener in started:
        listener.close()


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """The operator's data directory (``PILAB_DATA_DIR``), with MLflow's sqlite store allowed inside it."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("PILAB_DATA_DIR", str(folder))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # the loopback listeners are reached directly
    return folder


def refusals(uri: str, settings: Settings | None = None) -> list[str]:
    """The messages of every MLflow entry point given ``uri`` (each must refuse)."""
    calls = [
        lambda: list_experiments(uri, settings=settings),
        lambda: list_parent_runs(uri, "1", settings=settings),
        lambda: MlflowSource(uri, "abc", settings=settings).load(),
    ]
    found = []
    for call in calls:
        with pytest.raises(AutoMLError) as caught:
            call()
        found.append(str(caught.value))
    return found


# --- the URI check ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("westeurope.api.azureml.ms", True),
        ("a.b.api.azureml.ms", True),
        ("WestEurope.API.azureml.ms", True),
        ("api.azureml.ms", False),
        ("evilapi.azureml.ms", False),
        ("westeurope.api.azureml.ms.evil.example", False),
        ("mlflow.school.example", True),
        ("x.mlflow.school.example", False),
    ],
)
def test_hosts_match_exactly_or_under_a_wildcard(host, allowed):
    assert host_allowed(host, ("*.api.azureml.ms", "mlflow.school.example")) is allowed


@pytest.mark.parametrize(
    ("uri", "said"),
    [
        ("http://westeurope.api.azureml.ms", "scheme 'http' are not allowed"),
        ("databricks://profile", "scheme 'databricks' are not allowed"),
        ("/var/lib/mlflow", "a bare path as a tracking URI is not allowed"),
        ("https://evil.example/x.api.azureml.ms", "host 'evil.example' is not allowed"),
        ("https://westeurope.api.azureml.ms@evil.example/", "may not carry a user name or password"),
        ("https://user:token@westeurope.api.azureml.ms/", "may not carry a user name or password"),
        ("https://evil.example\\.api.azureml.ms/", "is not allowed on this server"),
        ("https://westeurope.api.azureml.ms:99999/", "cannot be parsed"),
        ("https://westeurope.api.azureml.ms/\r\nX-Injected: 1", "without control characters"),
        ("sqlite://", "must name an existing database file"),
        ("sqlite:///:memory:", "must name an existing database file"),
    ],
)
def test_a_refused_uri_is_one_line_without_the_uri(uri, said, tmp_path):
    with pytest.raises(AutoMLError) as caught:
        check_tracking_uri(
            uri, schemes=("sqlite", "azureml", "https"), hosts=("*.api.azureml.ms",), data_dir=tmp_path
        )
    message = str(caught.value)
    assert said in message and "\n" not in message and "token" not in message


def test_allowed_uris_pass_unchanged(tmp_path):
    (tmp_path / "mlflow.db").touch()
    schemes, hosts = ("sqlite", "azureml", "https"), ("*.api.azureml.ms",)
    for uri in (
        "azureml://westeurope.api.azureml.ms/mlflow/v1.0/" + WORKSPACE,
        "https://westeurope.api.azureml.ms:443/mlflow",
        f"sqlite:///{tmp_path / 'mlflow.db'}",
    ):
        assert check_tracking_uri(f"  {uri} ", schemes=schemes, hosts=hosts, data_dir=tmp_path) == uri


def test_an_allowed_uri_that_mlflow_cannot_open_is_one_line_too(data_dir):
    if importlib.util.find_spec("azureml.mlflow"):
        pytest.skip("the azureml-mlflow plugin is installed: the URI would be opened")
    for message in refusals("azureml://westeurope.api.azureml.ms/mlflow/v1.0/" + WORKSPACE):
        assert message.startswith("MLflow: cannot open the tracking URI: ") and "\n" not in message


def test_a_loopback_service_not_in_the_host_list_gets_no_request(listen, data_dir, monkeypatch):
    service = listen()
    uri = f"http://127.0.0.1:{service.port}"
    assert all("scheme 'http' are not allowed" in m for m in refusals(uri))  # the default schemes
    monkeypatch.setenv("PILAB_MLFLOW_SCHEMES", "sqlite,http,https")
    assert all("host '127.0.0.1' is not allowed" in m for m in refusals(uri))  # from the environment
    everywhere = Settings(mlflow_schemes=("http",), mlflow_hosts=("*.example",), data_dir=data_dir)
    assert all("host '127.0.0.1' is not allowed" in m for m in refusals(f"{uri}/x", everywhere))
    assert service.paths == []
    requests.get(uri, timeout=5)  # the listener itself answers: the refusals above sent nothing
    assert service.paths == ["/"]


def test_a_redirect_to_another_service_is_not_followed(listen, data_dir, monkeypatch):
    internal = listen()
    front = listen(redirect=f"http://localhost:{internal.port}")
    assert requests.get(f"http://127.0.0.1:{front.port}/x", timeout=5).status_code == 200  # requests follows
    assert internal.paths == ["/x"]
    monkeypatch.setenv("PILAB_MLFLOW_SCHEMES", "http")
    monkeypatch.setenv("PILAB_MLFLOW_HOSTS", "127.0.0.1")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    with pytest.raises(AutoMLError, match=r"^MLflow: cannot list experiments") as caught:
        list_experiments(f"http://127.0.0.1:{front.port}")
    assert "\n" not in str(caught.value)
    assert front.paths and internal.paths == ["/x"]  # MLflow asked the allowed host; the redirect stopped


def test_sqlite_outside_the_data_directory_is_refused_and_nothing_is_created(tmp_path, data_dir):
    outside = tmp_path / "outside"
    outside.mkdir()
    for message in refusals(f"sqlite:///{outside / 'x.db'}"):
        assert "must name an existing database file inside" in message and str(data_dir) in message
    (outside / "real.db").write_bytes(b"")
    (data_dir / "link.db").symlink_to(outside / "real.db")  # inside by name, outside once resolved
    assert len(refusals(f"sqlite:///{data_dir / 'link.db'}")) == 3
    assert len(refusals(f"sqlite:///{data_dir / 'sub' / '..' / '..' / 'outside' / 'real.db'}")) == 3
    assert len(refusals(f"sqlite:///{data_dir / 'new.db'}")) == 3  # inside, but no such database yet
    assert (
        sorted(p.name for p in outside.iterdir()) == ["real.db"] and (outside / "real.db").stat().st_size == 0
    )
    assert sorted(p.name for p in data_dir.iterdir()) == ["link.db"]
    assert not Path("mlruns").exists()


def _store(data_dir: Path, artifact_location: str) -> tuple[str, str]:
    """A sqlite store in ``data_dir``: one parent run, two children; the parent's id."""
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{data_dir / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri)
    exp = client.create_experiment("access", artifact_location=artifact_location)
    parent = client.create_run(exp, run_name="AutoML_access")
    for i in range(2):
        child = client.create_run(exp, tags={"mlflow.parentRunId": parent.info.run_id})
        client.log_metric(child.info.run_id, "AUC_weighted", 0.9 + i / 100)
    return uri, parent.info.run_id


@pytest.mark.slow
def test_a_stores_artifacts_on_another_host_are_not_fetched(listen, data_dir):
    service = listen()
    uri, parent = _store(data_dir, f"http://127.0.0.1:{service.port}/artifacts")
    data = MlflowSource(uri, parent).load()  # an allowed sqlite store under the data directory
    assert len(data.runs) == 2 and data.artifacts == {}
    assert service.paths == []


@pytest.mark.slow
def test_a_stores_artifacts_outside_the_data_directory_are_not_read(tmp_path, data_dir):
    outside = tmp_path / "elsewhere"
    uri, parent = _store(data_dir, outside.as_uri())
    data = MlflowSource(uri, parent, settings=Settings(data_dir=data_dir)).load()
    assert len(data.runs) == 2 and data.artifacts == {} and not outside.exists()


def test_a_shareable_pull_keeps_metrics_and_drops_the_service():
    data = automl.parse_metrics(_pull_document())
    shared = cache.shareable(data, "cached pull mlflow-p")
    assert shared.source == "cached pull mlflow-p" and shared.tidy.equals(data.tidy)
    assert shared.parent == {"run_id": "p", "primary_metric": "AUC_weighted", "best_child_run_id": "p_1"}
    text = json.dumps(cache.to_document(shared))  # what the page's export offers
    assert not [v for v in AZURE.values() if v in text] and "portal" not in text
    assert AZURE["workspace_name"] in json.dumps(cache.to_document(data))  # the operator's copy keeps it


# --- the page --------------------------------------------------------------------------------------------


def _pull_document() -> dict:
    """A cached pull from an Azure workspace's MLflow: its label and portal links name the workspace."""
    doc: dict = {f"p_{i}": {"AUC_weighted": [0.9 + i / 100], "log_loss": [0.3 - i / 100]} for i in range(3)}
    doc[META_KEY] = {
        "source": f"MLflow azureml://westeurope.api.azureml.ms/mlflow/v1.0/{WORKSPACE} run p",
        "parent": {
            "run_id": "p",
            "primary_metric": "AUC_weighted",
            "best_child_run_id": "p_1",
            "portal_url": PORTAL,
        },
        "runs": {f"p_{i}": {"iteration": i, "portal_url": PORTAL} for i in range(3)},
    }
    return doc


def rendered(at) -> str:
    """Everything the page sent (every element's message, sidebar included, tables' cells too)."""
    parts = [str(node.proto) for node in at._tree if getattr(node, "proto", None) is not None]
    parts += [d.value.to_csv() for d in at.dataframe]
    return "\n".join(parts)


def options(at) -> list[str]:
    return at.radio(key="automl_source").options


def test_a_student_is_offered_the_sample_an_upload_and_the_cached_pulls(monkeypatch, tmp_path):
    monkeypatch.setenv(automl.ENV_AUTOML_DIR, str(tmp_path))  # a folder is named: still not a student's
    at = explorer(secrets=STUDENT)
    assert options(at) == ["Bundled sample", "Upload a file", "Cached pulls"]
    at.radio(key="automl_source").set_value("cached").run()
    assert not at.exception
    (note,) = [i.value for i in at.info]
    assert note.startswith("No cached pulls yet:") and str(tmp_path) not in rendered(at)


@pytest.mark.parametrize("source", ["mlflow", "azure", "path"])
def test_a_link_to_a_locked_source_opens_the_sample_for_a_student(source, monkeypatch, tmp_path):
    monkeypatch.setenv(automl.ENV_AUTOML_DIR, str(tmp_path))
    at = explorer({"source": source}, secrets=STUDENT)
    assert at.radio(key="automl_source").value == "sample" and cards(at)["Runs"] == "20"
    assert not at.error and at.query_params["source"] == "sample"
    keys = {w.key for w in at.text_input} | {b.key for b in at.button}
    assert not {k for k in keys if k and k.startswith(("automl_mlflow", "automl_az", "automl_path"))}


@pytest.mark.slow
def test_azure_names_never_reach_a_students_page(cache_dir, monkeypatch):
    for key, env in (("subscription_id", "AZUREML_SUBSCRIPTION_ID"), ("client_id", "AZURE_CLIENT_ID")):
        monkeypatch.setenv(env, AZURE[key])
    cache.write(_pull_document(), "mlflow-p", cache_dir)
    seen = []
    for query in ({"source": "azure"}, {"source": "mlflow"}, {"source": "cached"}):
        at = explorer(query, secrets={**STUDENT, "azureml": AZURE})
        seen.append(rendered(at))
        if query["source"] == "cached":
            assert cards(at)["Runs"] == "3" and "Source: cached pull mlflow-p" in at.caption[0].value
            seen += [rendered(open_tab(at, tab)) for tab in TABS]
    text = "\n".join(seen)
    assert [v for v in AZURE.values() if v in text] == []
    assert "azureml://" not in text and str(cache_dir) not in text and "ml.azure.com" not in text


def test_the_operator_is_offered_mlflow_and_azure_with_the_workspace(cache_dir):
    at = explorer({"source": "azure"}, secrets={"azureml": AZURE})
    assert options(at) == ["Bundled sample", "Upload a file", "Cached pulls", "MLflow", "Azure ML workspace"]
    assert at.text_input(key="automl_az_sub").value == AZURE["subscription_id"]
    at.radio(key="automl_source").set_value("cached").run()
    assert any(str(cache_dir) in i.value for i in at.info)  # the operator is told where the cache is
    cache.write(_pull_document(), "mlflow-p", cache_dir)
    at.run()
    assert AZURE["workspace_name"] in at.caption[0].value  # the operator sees where the pull came from


def test_the_operators_refused_uri_is_one_line_and_reaches_nothing(listen, data_dir, monkeypatch, tmp_path):
    service = listen()
    monkeypatch.setenv("PILAB_MLFLOW_SCHEMES", "sqlite,http,https")
    at = explorer({"source": "mlflow"})
    for uri, said in (
        (f"http://127.0.0.1:{service.port}", "host '127.0.0.1' is not allowed"),
        (f"sqlite:///{tmp_path / 'x.db'}", "must name an existing database file inside"),
    ):
        at.text_input(key="automl_mlflow_uri").input(uri).run()
        at.button(key="automl_mlflow_list").click().run()
        assert not at.exception
        (message,) = [e.value for e in at.error]
        assert said in message and "\n" not in message
    assert service.paths == [] and not (tmp_path / "x.db").exists()


def test_locking_an_unlocked_session_takes_the_live_sources_away():
    at = explorer(secrets={"pilab": {"locked": True, "operator_passcode": "open sesame"}})
    at.text_input(key="pilab_passcode").input("open sesame")
    press(at, "Unlock")
    assert "MLflow" in options(at)
    at.radio(key="automl_source").set_value("mlflow").run()
    assert at.text_input(key="automl_mlflow_uri").value == ""
    press(at, "Lock")
    assert not at.exception and options(at) == ["Bundled sample", "Upload a file", "Cached pulls"]
    assert at.radio(key="automl_source").value == "sample" and cards(at)["Runs"] == "20"
    assert "automl_mlflow_uri" not in [t.key for t in at.text_input]
