"""``python -m core.automl pull``: the same cache the page writes, from a real MLflow store and from Azure ML
through azureml-core with the transport faked; settings from the environment and .streamlit/secrets.toml."""

import hashlib
import json

import pytest

from core.automl import FileSource
from core.automl.sources import cache as automl_cache

pytestmark = pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated")


@pytest.fixture
def places(tmp_path, monkeypatch):
    """A working directory (for .streamlit/secrets.toml), a cache folder and a data directory."""
    work, cache, data = tmp_path / "work", tmp_path / "cache", tmp_path / "data"
    for folder in (work, data):
        folder.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv(automl_cache.ENV_CACHE_DIR, str(cache))
    monkeypatch.setenv("PILAB_DATA_DIR", str(data))
    return {"work": work, "cache": cache, "data": data}


def mlflow_store(folder) -> tuple[str, str]:
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{folder / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri)
    exp = client.create_experiment("cli", artifact_location=(folder / "art").as_uri())
    parent = client.create_run(exp, run_name="AutoML_cli", tags={"primary_metric": "AUC_weighted"})
    for i, algorithm in enumerate(["LightGBM", "XGBoostClassifier"]):
        child = client.create_run(
            exp, tags={"mlflow.parentRunId": parent.info.run_id, "run_algorithm": algorithm}
        )
        client.log_metric(child.info.run_id, "AUC_weighted", 0.9 + i / 100)
        client.log_param(child.info.run_id, "max_depth", str(4 + i))
    return uri, parent.info.run_id


@pytest.mark.slow
def test_pull_from_mlflow_writes_the_cache_the_page_reads(run, places):
    uri, parent = mlflow_store(places["data"])
    out = run("pull", "--mlflow", uri, "--parent", parent)
    assert out.returncode == 0, out.stderr
    (path,) = automl_cache.list_cached(places["cache"])
    assert path.name == f"mlflow-{parent}.json" and out.stdout.strip().endswith(f"cached as {path}")
    data = FileSource(path).load()
    assert list(data.runs["algorithm"]) == ["LightGBM", "XGBoostClassifier"]
    assert data.params[data.params["name"] == "max_depth"]["value"].tolist() == [4, 5]
    target = places["work"] / "exports" / "job.json"
    assert run("pull", "--mlflow", uri, "--parent", parent, "--out", str(target)).returncode == 0
    assert json.loads(target.read_text())["__pilab__"]["format"] == 2


@pytest.mark.slow
def test_pull_from_a_terminal_reads_any_local_store_the_page_would_refuse(run, places, tmp_path, capsys):
    """The person at a terminal owns its files: a store outside the data directory is read (and `watch`
    takes its source the same way); the page's check still refuses it, until [pilab] data_dir moves."""
    from core.automl.sources.mlflow_runs import check_tracking_uri
    from core.runtime.access import Settings

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    uri, parent = mlflow_store(outside)
    capsys.readouterr()  # MLflow's own log lines while the store was made
    out = run("pull", "--mlflow", uri, "--parent", parent)
    assert out.returncode == 0, out.stderr
    (path,) = automl_cache.list_cached(places["cache"])
    assert list(FileSource(path).load().runs["algorithm"]) == ["LightGBM", "XGBoostClassifier"]
    page = Settings.from_mapping({})  # the page's rules: PILAB_DATA_DIR is places["data"]
    with pytest.raises(ValueError, match="must name an existing database file inside"):
        check_tracking_uri(uri, schemes=page.mlflow_schemes, hosts=page.mlflow_hosts, data_dir=page.data_dir)
    missing = run("pull", "--mlflow", f"sqlite:///{outside / 'none.db'}", "--parent", parent)
    assert missing.returncode == 2 and "must name an existing database file" in missing.stderr
    assert missing.stderr.count("\n") == 1
    secrets = places["work"] / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text(
        f'[pilab]\ndata_dir = "{outside}"\n'
    )  # the operator's [pilab] moves the data directory: the page may read it too
    moved = Settings.from_mapping({"data_dir": str(outside)})
    assert check_tracking_uri(uri, schemes=moved.mlflow_schemes, hosts=moved.mlflow_hosts, data_dir=outside)
    assert run("pull", "--mlflow", uri, "--parent", parent).returncode == 0


def test_pull_from_azure_with_settings_from_secrets(run, places, monkeypatch):
    pytest.importorskip("azureml.core")
    from tests.support.azure_fakes import PARENT, SECRET, install

    install(monkeypatch, places["work"])
    for name in ("AZUREML_SUBSCRIPTION_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_ID", "AZURE_TENANT_ID"):
        monkeypatch.delenv(name, raising=False)
    secrets = places["work"] / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text(
        '[azureml]\nsubscription_id = "sub"\nresource_group = "rg"\nworkspace_name = "ws"\n'
        f'tenant_id = "tenant1"\nclient_id = "cid"\nclient_secret = "{SECRET}"\n'
    )
    out = run("pull", "--azure", "--experiment", "bank", "--run", PARENT, "--no-artifacts")
    assert out.returncode == 0, out.stderr
    (path,) = automl_cache.list_cached(places["cache"])
    assert path.name == f"azureml-bank-{PARENT}.json" and SECRET not in path.read_text() + out.stdout
    data = FileSource(path).load()
    assert len(data.runs) == 4 and data.artifacts == {} and "max_depth" in data.param_names


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["pull"], "one of the arguments --mlflow --azure is required"),
        (["pull", "--mlflow", "sqlite:///x.db"], "pull --mlflow needs --parent RUN_ID"),
        (["pull", "--azure", "--run", "x"], "pull --azure needs --experiment NAME and --run RUN_ID"),
        (["pull", "--mlflow", "http://evil.example", "--parent", "p"], "scheme 'http' are not allowed"),
        (["pull", "--mlflow", "sqlite:///x.db", "--azure"], "not allowed with argument"),
    ],
)
def test_pull_bad_input_exits_2_with_one_line(run, places, args, said):
    out = run(*args)
    assert out.returncode == 2 and said in out.stderr and out.stderr.count("\n") == 1, out.stderr


def _pull(name: str, value: float) -> dict:
    return automl_cache.document({"run_1": {"AUC_weighted": value}}, source=f"MLflow store run {name}")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("mlflow-a/b", "mlflow-a_b"),  # one file-safe name before the hash
        ("mlflow-" + "r" * 120 + "-one", "mlflow-" + "r" * 120 + "-two"),  # alike in their first 120
        ("mlflow-a b", "mlflow-a_b"),
        ("mlflow-a/b", "mlflow-a/b/"),  # the old name dropped a trailing "_"
    ],
)
def test_two_pulls_never_share_a_cache_file(tmp_path, first, second):
    a = automl_cache.write(_pull(first, 0.1), first, tmp_path)
    b = automl_cache.write(_pull(second, 0.2), second, tmp_path)
    assert a != b and len(automl_cache.list_cached(tmp_path)) == 2
    assert FileSource(a).load().tidy["value"].tolist() == [0.1]  # the second pull left the first whole
    assert FileSource(b).load().tidy["value"].tolist() == [0.2]
    assert a == automl_cache.path_for(first, tmp_path) and a.name.startswith("mlflow-")
    assert max(len(a.name), len(b.name)) < 120  # a readable part and the hash, whatever the id's length


def test_a_file_safe_name_keeps_its_file_and_any_other_gets_a_hash_of_the_whole_name(tmp_path):
    assert automl_cache.path_for("mlflow-0a1b_c.d", tmp_path) == tmp_path / "mlflow-0a1b_c.d.json"
    digest = hashlib.sha256(b"mlflow-a/b").hexdigest()[:16]
    assert automl_cache.path_for("mlflow-a/b", tmp_path) == tmp_path / f"mlflow-a_b~{digest}.json"


def test_a_pull_cached_under_the_old_name_is_still_found_and_moves_to_its_new_name(tmp_path):
    # as Pi Lab wrote it before the hash
    old = automl_cache.write_file(_pull("mlflow-q/1", 0.3), tmp_path / "mlflow-q_1.json")
    assert automl_cache.find("mlflow-q/1", tmp_path) == old
    assert automl_cache.find("mlflow-q/1", tmp_path, source="MLflow store run mlflow-q/1") == old
    assert automl_cache.list_cached(tmp_path) == [old]
    new = automl_cache.write(_pull("mlflow-q/1", 0.4), "mlflow-q/1", tmp_path)  # pulled again
    assert new != old and automl_cache.find("mlflow-q/1", tmp_path) == new
    assert automl_cache.list_cached(tmp_path) == [new]  # moved, not kept twice
    other = automl_cache.write_file(_pull("mlflow-r_1", 0.5), tmp_path / "mlflow-r_1.json")  # another's
    assert automl_cache.find("mlflow-r/1", tmp_path, source="MLflow store run mlflow-r/1") != other
    automl_cache.write(_pull("mlflow-r/1", 0.6), "mlflow-r/1", tmp_path)
    assert other.is_file() and len(automl_cache.list_cached(tmp_path)) == 3  # never removed
    assert FileSource(other).load().tidy["value"].tolist() == [0.5]


def test_a_restarted_watch_reopens_a_pull_cached_under_the_old_name(tmp_path):
    from core.automl.sources.watch import Watch

    class Quiet:
        label = "MLflow store run mlflow-p/2"

        def pull(self):
            raise AssertionError("not polled here")

    automl_cache.write_file(_pull("mlflow-p/2", 0.7), tmp_path / "mlflow-p_2.json")
    reopened = Watch(Quiet(), "mlflow-p/2", 1, directory=tmp_path).snapshot().data
    assert reopened is not None and reopened.tidy["value"].tolist() == [0.7]
