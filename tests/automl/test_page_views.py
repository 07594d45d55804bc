"""The explorer's views of issue 12 under AppTest: parameter columns and colour-by (in the URL), the
Parameters tab, the Best model tab (uploads for everyone, a fetch for the operator), the Two jobs tab (two
AutoML runs side by side)."""

import json

import pytest

from core.automl.sources import cache as automl_cache
from tests.support.automl_apptest import cards, explorer, open_tab
from tests.support.automl_pickles import automl_model, hostile

pytestmark = [
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated"),
    pytest.mark.usefixtures("cache_dir"),  # tests/automl/conftest.py
]

STUDENT = {"pilab": {"locked": True}}
RUNS = {  # run → algorithm, scaler, max_depth, AUC, log_loss
    "p_0": ("LightGBM", "MaxAbsScaler", 3, 0.90, 0.30),
    "p_1": ("XGBoostClassifier", "StandardScaler", 6, 0.95, 0.20),
    "p_2": ("XGBoostClassifier", "StandardScaler", 7, 0.94, 0.22),
    "p_3": ("LightGBM", "MaxAbsScaler", 4, 0.91, 0.28),
    "p_4": ("SGD", "MaxAbsScaler", 2, 0.85, 0.35),
}


def pull(runs: dict = RUNS, name: str = "job") -> dict:
    metrics = {rid: {"AUC_weighted": [auc], "log_loss": [loss]} for rid, (*_, auc, loss) in runs.items()}
    return automl_cache.document(
        metrics,
        source=f"MLflow test {name}",
        parent={"primary_metric": "AUC_weighted", "experiment": name},
        runs={rid: {"algorithm": a, "preprocessor": s} for rid, (a, s, *_) in runs.items()},
        params={
            rid: {
                "algorithm": {"algorithm": a},
                "preprocessor": {"preprocessor": s},
                "hyperparameter": {"max_depth": d},
                "setting": {"training_percent": 100 if name == "job" else 80},
            }
            for rid, (a, s, d, *_) in runs.items()
        },
    )


def figures(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def frames(at, *columns: str) -> list:
    return [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]


def test_parameter_columns_and_colour_by_are_in_the_table_the_charts_and_the_url(cache_dir):
    automl_cache.write(pull(), "job", cache_dir)
    at = explorer({"source": "cached"})
    assert at.multiselect(key="automl_param_cols").options == [
        "preprocessor · preprocessor",
        "max_depth · hyperparameter",
        "training_percent · setting",
    ]
    at.multiselect(key="automl_param_cols").set_value(["max_depth", "preprocessor"]).run()
    table = frames(at, "run_id", "iteration")[0]
    assert list(table.columns[-2:]) == ["max_depth", "preprocessor"] and table["max_depth"].tolist() == [
        3,
        6,
        7,
        4,
        2,
    ]
    assert at.query_params["params"] == "max_depth,preprocessor"
    at.selectbox(key="automl_by").set_value("preprocessor").run()
    assert at.query_params["by"] == "preprocessor"
    (scatter, _parallel) = figures(open_tab(at, "Compare"))
    assert scatter["layout"]["title"]["text"].endswith("by preprocessor")
    assert [t["name"] for t in scatter["data"][:2]] == ["MaxAbsScaler", "StandardScaler"]


def test_the_parameters_tab_from_a_link(cache_dir):
    automl_cache.write(pull(), "job", cache_dir)
    at = explorer(
        {"source": "cached", "by": "preprocessor", "params": "max_depth", "automl_view": "Parameters"}
    )
    assert at.selectbox(key="automl_by").value == "preprocessor"
    assert at.multiselect(key="automl_param_cols").value == ["max_depth"]
    by_param, parallel = figures(at)
    assert by_param["layout"]["title"]["text"] == "AUC (weighted) by preprocessor"
    assert {t["type"] for t in by_param["data"]} == {"box"}
    axes = {d["label"]: d for d in parallel["data"][0]["dimensions"]}
    assert axes["preprocessor"]["ticktext"] == ["MaxAbsScaler", "StandardScaler"]  # a text axis: categories
    (shared,) = frames(at, "name", "value", "lift")
    first = shared.iloc[0]
    assert (first["name"], first["top"]) == ("preprocessor", 2) or first["name"] in ("algorithm", "max_depth")
    assert ("preprocessor", "StandardScaler") in set(zip(shared["name"], shared["value"], strict=True))
    at.slider(key="automl_topk").set_value(1).run()
    assert not at.exception and frames(at, "name", "value", "lift")[0]["top"].max() == 1
    at.selectbox(key="automl_facet").set_value("algorithm").run()
    assert figures(at)[0]["layout"]["title"]["text"].endswith("one panel per algorithm")


def test_the_sample_has_no_parameters_tab_and_keeps_not_recorded():
    at = explorer()
    assert "automl_param_cols" not in [m.key for m in at.multiselect]
    assert set(frames(at, "run_id", "iteration")[0]["algorithm"]) == {"(not recorded)"}
    at = explorer({"automl_view": "Parameters"})  # a link to a tab this source does not have
    assert not at.exception and cards(at)["Runs"] == "20"


def test_a_student_uploads_a_model_file_and_sees_its_tree(tmp_path):
    at = explorer({"automl_view": "Best model"}, secrets=STUDENT)
    assert "automl_model_fetch" not in [b.key for b in at.button]
    at.file_uploader(key="automl_model_upload").upload("model.pkl", automl_model()).run()
    assert not at.exception and not at.error
    (verdict,) = at.success
    assert "allow-listed: all 11 globals" in verdict.value
    tree = at.code[0].value
    assert tree.startswith("PipelineWithYTransformations(y_transformer_name='LabelEncoder')")
    assert "XGBoostClassifier(booster='gbtree', eta=0.4, max_depth=6" in tree
    (params,) = frames(at, "where", "estimator", "parameter", "value")
    assert {"eta", "max_depth", "weights"} <= set(params["parameter"])


def test_a_hostile_upload_is_reported_and_never_runs(tmp_path):
    canary = tmp_path / "canary"
    at = explorer({"automl_view": "Best model"}, secrets=STUDENT)
    at.file_uploader(key="automl_model_upload").upload("evil.pkl", hostile("eval", str(canary))).run()
    assert not at.exception and not canary.exists()
    (verdict,) = at.error
    assert "MALICIOUS: 1 of 2 globals" in verdict.value
    assert any("builtins.eval is outside the allow-list" in t.value for t in at.text)  # plain text
    at.file_uploader(key="automl_model_upload").set_value(("cut.pkl", automl_model()[:-1], "x")).run()
    (message,) = [e.value for e in at.error]
    assert message == "cut.pkl: truncated: the pickle ends before its STOP opcode (1,837 bytes read)"
    assert not canary.exists()


@pytest.mark.slow
def test_the_operator_fetches_the_best_childs_model_from_mlflow(tmp_path, cache_dir, monkeypatch):
    from mlflow.tracking import MlflowClient

    monkeypatch.setenv("PILAB_DATA_DIR", str(tmp_path))
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri)
    exp = client.create_experiment("models", artifact_location=(tmp_path / "art").as_uri())
    parent = client.create_run(exp, run_name="AutoML_models", tags={"primary_metric": "AUC_weighted"})
    for i, auc in enumerate([0.90, 0.95]):
        child = client.create_run(
            exp, tags={"mlflow.parentRunId": parent.info.run_id, "run_algorithm": "LightGBM"}
        )
        client.log_metric(child.info.run_id, "AUC_weighted", auc)
        if i == 1:
            (tmp_path / "model.pkl").write_bytes(automl_model())
            client.log_artifact(child.info.run_id, str(tmp_path / "model.pkl"), "outputs")
    at = explorer({"source": "mlflow"})
    at.text_input(key="automl_mlflow_uri").input(uri).run()
    at.button(key="automl_mlflow_list").click().run()
    experiments = at.selectbox(key="automl_mlflow_experiment")
    experiments.select_index(experiments.options.index("models")).run()
    at.button(key="automl_mlflow_pull").click().run()
    open_tab(at, "Best model").button(key="automl_model_fetch").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "allow-listed" in at.success[-1].value and "PreFittedSoftVotingClassifier" in at.code[0].value


def test_the_two_jobs_tab_with_run_b_in_the_url(cache_dir):
    automl_cache.write(pull(), "job", cache_dir)
    second = {rid.replace("p_", "q_"): v for rid, v in RUNS.items()}
    second["q_1"] = ("XGBoostClassifier", "StandardScaler", 6, 0.97, 0.18)
    automl_cache.write(pull(second, "rerun"), "rerun", cache_dir)
    at = explorer({"source": "cached", "automl_view": "Two jobs", "second": "cached:rerun.json"})
    assert at.selectbox(key="automl_cached").value.name in ("job.json", "rerun.json")
    at.selectbox(key="automl_cached").set_value(cache_dir / "job.json").run()
    assert at.selectbox(key="automl_second").value == "cached:rerun.json"
    assert at.query_params["second"] == "cached:rerun.json"
    got = cards(at)
    assert got["B − A"] == "+0.0200" and got["Job B: best AUC_weighted"] == "0.9700"
    titles = [f["layout"]["title"]["text"] for f in figures(at)]
    assert titles == [
        "Best AUC (weighted) per algorithm, job A and job B",
        "AUC (weighted) in both jobs (dashed: each job's best)",
    ]
    (changes,) = frames(at, "setting", "a", "b", "changed")
    assert changes.iloc[0].tolist() == ["experiment", "job", "rerun", "yes"]
    assert {"training_percent", "experiment"} <= set(changes[changes["changed"] == "yes"]["setting"])
    (board,) = frames(at, "rank", "run_a", "run_b")
    assert board["run_b"].iloc[0] == "q_1"
    at.selectbox(key="automl_second").set_value("sample").run()
    assert not at.error and cards(at)["Job B: best AUC_weighted"] == "0.9477"
    assert at.query_params["second"] == "sample"
    at.selectbox(key="automl_primary").set_value("log_loss").run()
    assert cards(at)["Job B: best log_loss"] == "0.1785"  # the primary metric of the page, in both jobs


def test_a_student_compares_with_the_sample_and_sees_no_server_names(cache_dir):
    automl_cache.write(pull(), "job", cache_dir)
    at = explorer({"source": "cached", "automl_view": "Two jobs"}, secrets=STUDENT)
    assert at.selectbox(key="automl_second").options == [
        "Bundled sample",
        "Cached pull: job.json",
        "Upload a file",
    ]
    assert not at.error and cards(at)["B − A"].startswith(("+", "-"))
    assert "MLflow test" not in " ".join(str(c.value) for c in at.caption)


@pytest.mark.slow
def test_a_students_new_tabs_never_show_where_a_pull_came_from(cache_dir):
    workspace = "subscriptions/sub-zz-91375/resourceGroups/rg-zz-hidden/workspaces/ws-zz-private"
    doc = pull()
    doc["__pilab__"]["source"] = f"MLflow azureml://westeurope.api.azureml.ms/mlflow/v1.0/{workspace} run p"
    doc["__pilab__"]["parent"]["portal_url"] = f"https://ml.azure.com/runs/p?wsid=/{workspace}"
    automl_cache.write(doc, "mlflow-p", cache_dir)
    seen = []
    for tab in ("Parameters", "Best model", "Two jobs"):
        at = explorer(
            {"source": "cached", "automl_view": tab, "second": "cached:mlflow-p.json"}, secrets=STUDENT
        )
        assert not at.exception and not at.error
        seen += [str(node.proto) for node in at._tree if getattr(node, "proto", None) is not None]
        seen += [d.value.to_csv() for d in at.dataframe]
    text = "\n".join(seen)
    assert "zz-" not in text and "azureml://" not in text and "ml.azure.com" not in text
    assert "cached pull mlflow-p" in text  # the label a student sees instead
