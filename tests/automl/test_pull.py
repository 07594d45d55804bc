"""``python -m core.automl pull``: the same cache the page writes, from a real MLflow store and from Azure ML
through azureml-core with the transport faked; settings from the environment and .streamlit/secrets.toml."""

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
def test_pull_from_mlflow_checks_the_uri_as_the_page_does(run, places, tmp_path, capsys):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    uri, parent = mlflow_store(outside)
    capsys.readouterr()  # MLflow's own log lines while the store was made
    out = run("pull", "--mlflow", uri, "--parent", parent)
    assert out.returncode == 2 and "must name an existing database file inside" in out.stderr
    assert out.stderr.count("\n") == 1 and not places["cache"].exists()
    secrets = places["work"] / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text(
        f'[pilab]\ndata_dir = "{outside}"\n'
    )  # the operator's [pilab] moves the data directory
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
