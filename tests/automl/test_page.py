"""The AutoML explorer page under AppTest: cards, primary metric, URL state, bad input, live sources."""

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core import automl
from core.automl.sources import cache as automl_cache
from core.automl.sources.parse import META_KEY
from tests.support.apptest import press
from tests.support.artifacts import ACCURACY_TABLE
from tests.support.automl_apptest import cards, explorer, open_tab

pytestmark = pytest.mark.usefixtures("cache_dir")  # tests/automl/conftest.py
RUN = "40b56796-43ac-479b-b4f0-e90715560b60"


def values(array) -> list:
    """A Plotly array: a list, or a typed array sent as base64 (``{"dtype", "bdata"}``)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def frames(at: AppTest, *columns: str) -> list:
    """The page's tables that have all of ``columns``, in page order."""
    return [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]


def charts(at: AppTest, *tabs: str) -> list[dict]:
    """The Plotly figures of ``tabs``, opening each in turn."""
    return [json.loads(c.proto.spec) for tab in tabs for c in open_tab(at, tab).get("plotly_chart")]


def test_sample_loads_with_cards_table_and_url():
    at = explorer()
    assert cards(at) == {
        "Runs": "20",
        "Metrics": "10",
        "Task": "classification",
        "Primary metric": "AUC_weighted",
        "Best run": "#51",
        "Best value": "0.9477",
    }
    table = frames(at, "run_id", "iteration")[0]
    assert len(table) == 20 and list(table.columns[:4]) == [
        "run_id",
        "iteration",
        "algorithm",
        "AUC_weighted",
    ]
    assert at.query_params["source"] == "sample" and at.query_params["metric"] == "AUC_weighted"
    assert not at.get("plotly_chart")  # the table tab is open: no figure is computed or sent
    figures = charts(at, "Ranking", "Compare", "Correlation", "Search progress", "Algorithms")
    ranking = next(f for f in figures if f["layout"]["title"]["text"].startswith("Ranking"))
    assert ranking["data"][0]["y"][0] == "#51"  # best first, drawn in the best colour
    assert ranking["data"][0]["marker"]["color"][0] != ranking["data"][0]["marker"]["color"][1]
    assert len(figures) == 6  # ranking, scatter, parallel coordinates, heatmap, best-so-far, box


def shown_cells(at: AppTest) -> list[list[str]]:
    """The runs table's cells as the browser writes them (the Styler's display values)."""
    import pyarrow as pa

    styler = at.dataframe[0].proto.arrow_data.styler
    return pa.ipc.open_stream(styler.display_values).read_all().to_pandas().values.tolist()


def test_the_runs_table_writes_every_metric_to_four_decimals():
    row = shown_cells(explorer())[0]
    assert row[:3] == [f"{RUN}_0", "0", "(not recorded)"]
    assert row[3:] == ["0.9447", "0.9513", "0.9102", "0.4891", "0.9073", "0.9102"]  # not 0.944700


def test_primary_metric_log_loss_changes_the_best_run_and_the_url():
    at = explorer()
    at.selectbox(key="automl_primary").set_value("log_loss").run()
    assert not at.exception
    got = cards(at)
    assert (got["Primary metric"], got["Best run"], got["Best value"]) == ("log_loss", "#0", "0.1785")
    assert f"{RUN}_0" in at.caption[0].value and "lowest log_loss" in at.caption[0].value
    assert at.query_params["metric"] == "log_loss"
    assert list(frames(at, "run_id", "iteration")[0].columns[3:4]) == [
        "log_loss"
    ]  # the primary metric is always shown
    (progress,) = charts(at, "Search progress")
    assert progress["layout"]["title"]["text"].startswith("Best Log loss")
    assert values(progress["data"][1]["y"])[-1] == pytest.approx(0.17851374134751752)
    assert any("Last improvement at iteration **0**; **19** runs" in m.value for m in at.markdown)


def test_the_view_comes_back_from_the_url():
    at = explorer({"source": "sample", "metric": "log_loss", "metrics": "accuracy,matthews_correlation,nope"})
    assert cards(at)["Best run"] == "#0"
    assert at.multiselect(key="automl_metrics").value == ["accuracy", "matthews_correlation"]
    assert list(frames(at, "run_id", "iteration")[0].columns[3:]) == [
        "log_loss",
        "accuracy",
        "matthews_correlation",
    ]


def test_a_metric_in_no_run_in_the_url_warns_and_falls_back():
    at = explorer({"metric": "r2_score"})
    assert any("'r2_score' is in no run" in w.value for w in at.warning)
    assert cards(at)["Primary metric"] == "AUC_weighted"


def test_a_bad_file_shows_one_clear_error_and_the_page_keeps_working(tmp_path, monkeypatch):
    monkeypatch.setenv(automl.ENV_AUTOML_DIR, str(tmp_path))
    bad = tmp_path / "metrics_data"
    bad.write_text('[{"run_1": {"accuracy": [0.9]}}]')
    at = explorer()
    at.radio(key="automl_source").set_value("path").run()
    at.text_input(key="automl_path").input(str(bad)).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "metrics_data: the top level is a list; expected an object {run_id: {metric: [value]}}"
    ]
    assert not at.metric  # nothing drawn from bad data
    at.radio(key="automl_source").set_value("sample").run()
    assert not at.exception and not at.error and cards(at)["Runs"] == "20"


def sources(at: AppTest) -> list[str]:
    return at.radio(key="automl_source").options


@pytest.mark.parametrize("query", [{}, {"source": "path"}, {"automl_source": "path"}])
def test_file_path_is_not_offered_without_a_directory(query):
    at = explorer(query)
    assert "File path" not in sources(at) and "Bundled sample" in sources(at)
    assert at.radio(key="automl_source").value == "sample" and cards(at)["Runs"] == "20"
    assert not at.error and "automl_path" not in [t.key for t in at.text_input]


@pytest.fixture
def shared(tmp_path, monkeypatch):
    """An AutoML directory named by ``PILAB_AUTOML_DIR``, and a secret file beside it."""
    root = tmp_path / "shared"
    root.mkdir()
    (root / "m.json").write_text('{"p_1": {"AUC_weighted": [0.91]}, "p_2": {"AUC_weighted": [0.95]}}')
    (tmp_path / "secret.json").write_text('{"AccessToken": {"secret-account-id-123": {"secret": "tok-abc"}}}')
    (root / "link.json").symlink_to(tmp_path / "secret.json")
    monkeypatch.setenv(automl.ENV_AUTOML_DIR, str(root))
    return root


def test_file_path_reads_inside_the_directory_and_refuses_the_rest_alike(shared):
    at = explorer({"source": "path"})
    assert "File path" in sources(at) and at.radio(key="automl_source").value == "path"
    at.text_input(key="automl_path").input("m.json").run()
    assert not at.exception and not at.error and cards(at)["Runs"] == "2" and cards(at)["Best run"] == "#2"
    refusals = set()
    for text in ("../secret.json", str(shared.parent / "secret.json"), "link.json", "nope.json", ".", "/etc"):
        at.text_input(key="automl_path").input(text).run()
        assert not at.exception and not at.metric
        refusals.add(tuple(e.value for e in at.error))
    assert refusals == {(automl.PATH_REFUSED,)}  # the same whether or not the file exists


def test_secrets_name_the_directory_before_the_environment(shared, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "o.json").write_text('{"q_1": {"log_loss": [0.3]}}')
    at = explorer({"source": "path"}, secrets={"pilab": {"automl_dir": str(other)}})
    at.text_input(key="automl_path").input("o.json").run()
    assert not at.exception and not at.error and cards(at)["Primary metric"] == "log_loss"
    at.text_input(key="automl_path").input("m.json").run()  # in $PILAB_AUTOML_DIR, not in the secret's folder
    assert [e.value for e in at.error] == [automl.PATH_REFUSED]


def test_a_5000_digit_integer_is_listed_as_skipped_without_its_digits(shared):
    huge = "1" + "0" * 4999
    (shared / "huge.json").write_text(f'{{"p_1": {{"accuracy": [{huge}], "AUC_weighted": [0.9]}}}}')
    at = explorer({"source": "path"})
    at.text_input(key="automl_path").input("huge.json").run()
    assert not at.exception and not at.error and cards(at)["Runs"] == "1"
    (skipped,) = frames(at, "run_id", "metric", "reason")
    reason = "an integer of 5,000 digits, too large for a float"
    assert skipped.values.tolist() == [["p_1", "accuracy", reason]]
    (shared / "only.json").write_text(f'{{"p_1": {{"accuracy": [{huge}]}}}}')  # nothing else: one error
    at.text_input(key="automl_path").input("only.json").run()
    assert not at.exception and len(at.error) == 1 and "0000000000" not in at.error[0].value


def test_a_file_not_in_the_metrics_format_shows_its_shape_not_its_content(shared):
    (shared / "msal_token_cache.json").write_text(
        '{"AccessToken": {"secret-account-id-123": {"secret": "tok-abc"}}, "a": {"b": {"c": 12345}}}'
    )
    at = explorer({"source": "path"})
    at.text_input(key="automl_path").input("msal_token_cache.json").run()
    assert not at.exception
    (message,) = [e.value for e in at.error]
    assert message == (
        "msal_token_cache.json: no numeric metric values in 2 run(s); "
        "found objects of objects, expected {run_id: {metric: [number]}}"
    )


def _pull(runs: dict[str, tuple[str, float, float]], artifacts: dict | None = None) -> dict:
    doc = {
        rid: {"AUC_weighted": [auc], "log_loss": [loss], "accuracy": [0.9]}
        for rid, (_, auc, loss) in runs.items()
    }
    doc[META_KEY] = {
        "source": "MLflow test pull",
        "parent": {"run_id": "p", "primary_metric": "AUC_weighted", "best_child_run_id": "p_1"},
        "runs": {rid: {"algorithm": algo} for rid, (algo, _, _) in runs.items()},
        "artifacts": artifacts or {},
    }
    return doc


def test_cached_pull_with_algorithms_artifacts_baseline_and_only_differing(cache_dir):
    table = ACCURACY_TABLE
    cm = {
        "schema_type": "confusion_matrix",
        "data": {"class_labels": ["no", "yes"], "matrix": [[90, 10], [5, 20]]},
    }
    runs = {"p_0": ("LightGBM", 0.91, 0.3), "p_1": ("XGBoost", 0.95, 0.2), "p_2": ("LightGBM", 0.93, 0.25)}
    automl_cache.write(
        _pull(runs, {"p_1": {"confusion_matrix": cm, "accuracy_table": table}}), "test-pull", cache_dir
    )
    at = explorer({"source": "cached"})
    assert cards(at)["Best run"] == "#1" and "best child named by the source: `p_1`" in at.caption[0].value
    algorithms = charts(at, "Algorithms")
    assert algorithms[0]["layout"]["title"]["text"].startswith("AUC")
    (by_algorithm,) = frames(at, "algorithm", "best", "median")
    assert list(by_algorithm["algorithm"]) == ["XGBoost", "LightGBM"] and list(by_algorithm["runs"]) == [1, 2]
    figures = charts(at, "Confusion matrix & ROC")
    titles = [f["layout"]["title"]["text"] for f in figures]
    assert "Confusion matrix" in titles and "ROC (from accuracy_table)" in titles
    roc = next(f for f in figures if f["layout"]["title"]["text"].startswith("ROC"))
    assert roc["data"][1]["name"] == "yes (AUC 0.850)"

    open_tab(at, "Table")
    at.toggle(key="automl_differ").set_value(True).run()
    assert "accuracy" not in frames(at, "run_id", "iteration")[0].columns
    assert any("Hidden (the same in every run): accuracy" in c.value for c in at.caption)
    at.selectbox(key="automl_baseline").set_value("p_0").run()
    deltas = frames(at, "run_id", "iteration")[1].set_index("run_id")
    assert deltas.loc["p_0", "AUC_weighted"] == 0
    assert deltas.loc["p_1", "AUC_weighted"] == pytest.approx(0.04)
    assert deltas.loc["p_1", "log_loss"] == pytest.approx(0.1)  # lower loss: positive = better


def test_choices_in_a_closed_tab_survive_a_visit_to_another():
    at = explorer()
    at.text_input(key="automl_filter").input("_5").run()
    at.selectbox(key="automl_baseline").set_value(f"{RUN}_51").run()
    open_tab(at, "Compare").selectbox(key="automl_y").set_value("log_loss").run()
    open_tab(at, "Ranking")
    assert "automl_filter" not in [t.key for t in at.text_input]  # the table tab is not drawn
    open_tab(at, "Table")
    assert at.text_input(key="automl_filter").value == "_5"
    assert at.selectbox(key="automl_baseline").value == f"{RUN}_51"
    assert list(frames(at, "run_id", "iteration")[0]["run_id"]) == [f"{RUN}_51"]  # the filter still applies
    assert open_tab(at, "Compare").selectbox(key="automl_y").value == "log_loss"


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated")
def test_mlflow_source_pulls_from_a_real_store_and_caches(tmp_path, cache_dir, monkeypatch):
    from mlflow.tracking import MlflowClient

    monkeypatch.setenv("PILAB_DATA_DIR", str(tmp_path))  # sqlite URIs may name databases in it only
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri)
    exp = client.create_experiment("page-automl", artifact_location=(tmp_path / "art").as_uri())
    parent = client.create_run(exp, run_name="AutoML_page", tags={"primary_metric": "log_loss"})
    for i, (algorithm, loss) in enumerate([("LightGBM", 0.3), ("ExtremeRandomTrees", 0.2), ("SGD", 0.4)]):
        child = client.create_run(
            exp, tags={"mlflow.parentRunId": parent.info.run_id, "run_algorithm": algorithm}
        )
        client.log_metric(child.info.run_id, "log_loss", loss)
        client.log_metric(child.info.run_id, "AUC_weighted", 0.9 - i / 100)
    at = explorer({"source": "mlflow"})
    at.text_input(key="automl_mlflow_uri").input(uri).run()
    at.button(key="automl_mlflow_list").click().run()
    experiments = at.selectbox(key="automl_mlflow_experiment")
    experiments.select_index(experiments.options.index("page-automl")).run()
    at.button(key="automl_mlflow_pull").click().run()
    assert not at.exception and not at.error
    got = cards(at)
    assert (got["Runs"], got["Primary metric"], got["Best value"]) == ("3", "log_loss", "0.2000")
    assert any(s.value.startswith("Pulled 3 runs; cached") for s in at.success)
    assert len(automl_cache.list_cached(cache_dir)) == 1
    assert "ExtremeRandomTrees" in set(frames(at, "run_id", "iteration")[0]["algorithm"])


def test_azure_source_connects_lists_and_pulls_through_the_sdk(monkeypatch, tmp_path):
    from tests.support.azure_fakes import PARENT, SECRET, install

    install(monkeypatch, tmp_path)
    for key, value in {
        "AZUREML_SUBSCRIPTION_ID": "sub",
        "AZUREML_RESOURCE_GROUP": "rg",
        "AZUREML_WORKSPACE_NAME": "ws",
        "AZURE_TENANT_ID": "tenant1",
        "AZURE_CLIENT_ID": "cid",
        "AZURE_CLIENT_SECRET": SECRET,
    }.items():
        monkeypatch.setenv(key, value)
    at = explorer({"source": "azure"})
    assert at.radio(key="automl_az_auth").value == "service_principal"
    assert any("secret (found)" in c.value for c in at.caption)
    press(at, "Connect")
    assert not at.exception and not at.error, at.error
    assert at.selectbox(key="automl_az_exp").value == "bank"
    runs = at.selectbox(key="automl_az_run")
    runs.select_index(next(i for i, o in enumerate(runs.options) if o.startswith(PARENT))).run()
    at.button(key="automl_az_pull").click().run()
    assert not at.exception and not at.error
    got = cards(at)
    assert (got["Runs"], got["Best run"], got["Best value"]) == ("4", "#1", "0.9520")
    assert list(frames(at, "run_id", "iteration")[0]["algorithm"]) == [
        "LightGBM",
        "XGBoostClassifier",
        "LogisticRegression",
        "RandomForest",
    ]
    page_text = " ".join(str(e.value) for e in at.main if hasattr(e, "value"))
    assert SECRET not in page_text
