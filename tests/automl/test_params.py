"""Run parameters: read from what Azure ML and MLflow record, kept in the cache (old caches still open), in
the tidy table and its wide form, "what the top runs share", and ``python -m core.automl params``."""

import csv
import io
import json

import pytest

from core.automl import AutoMLError, FileSource, SampleSource, parse_metrics
from core.automl import params as run_params
from core.automl.analysis.top_runs import shared_by_top
from core.automl.sources import cache as automl_cache
from core.automl.sources.parse import META_KEY
from core.runtime.i18n import translator
from tests.support.azure_fakes import pipeline_spec

RUNS = {  # run → algorithm, max_depth, learning_rate, scaler, AUC
    "job_0": ("LightGBM", 3, 0.1, "MaxAbsScaler", 0.90),
    "job_1": ("XGBoostClassifier", 6, 0.4, "StandardScaler", 0.95),
    "job_2": ("XGBoostClassifier", 6, 0.3, "StandardScaler", 0.94),
    "job_3": ("LightGBM", 4, 0.2, "MaxAbsScaler", 0.91),
    "job_4": ("LogisticRegression", None, None, "MaxAbsScaler", 0.85),
    "job_5": ("XGBoostClassifier", 8, 0.05, "MaxAbsScaler", 0.93),
}


def document(runs: dict = RUNS, *, with_params: bool = True) -> dict:
    """A cached pull with parameters (``with_params``), as a format-2 cache writes it."""
    metrics = {rid: {"AUC_weighted": [auc], "accuracy": [auc - 0.05]} for rid, (*_, auc) in runs.items()}
    params = {}
    for rid, (algorithm, depth, rate, scaler, _) in runs.items():
        hyper = {k: v for k, v in (("max_depth", depth), ("learning_rate", rate)) if v is not None}
        params[rid] = {
            "algorithm": {"algorithm": algorithm},
            "preprocessor": {"preprocessor": scaler},
            "hyperparameter": hyper,
            "setting": {"training_percent": 100},
        }
    info = {rid: {"algorithm": a, "preprocessor": s} for rid, (a, _, _, s, _) in runs.items()}
    return automl_cache.document(
        metrics,
        source="test job",
        parent={"primary_metric": "AUC_weighted", "experiment": "bank"},
        runs=info,
        params=params if with_params else None,
    )


def test_values_are_kept_plain():
    assert [run_params.plain(v) for v in ("0.4", "6", " 100 ", "gbtree", None, True, 1e400, "nan")] == [
        0.4,
        6,
        100,
        "gbtree",
        None,
        True,
        "inf",
        "nan",
    ]
    assert (
        run_params.plain([10, 90]) == "[10, 90]" and len(run_params.plain("x" * 1000)) == run_params.MAX_TEXT
    )


def test_pipeline_spec_gives_the_estimator_its_hyperparameters_and_the_preprocessor():
    found = run_params.pipeline_spec(pipeline_spec("XGBoostClassifier", 2))
    assert found == {
        "preprocessor": {"preprocessor_steps": "MaxAbsScaler"},
        "algorithm": {"estimator": "XGBoostClassifier"},
        "hyperparameter": {"max_depth": 5, "learning_rate": pytest.approx(0.3), "class_weight": None},
    }
    assert run_params.pipeline_spec("{not json") == {} and run_params.pipeline_spec(None) == {}
    assert run_params.pipeline_spec('{"objects": [1, {"spec_class": "preproc"}]}') == {}


def test_azure_properties_and_ensemble_tags():
    props = {
        "run_algorithm": "VotingEnsemble",
        "training_percent": "100",
        "score": "0.95",
        "runTemplate": "automl_child",
    }
    tags = {
        "ensembled_iterations": "[1, 0, 5]",
        "ensembled_algorithms": "['XGBoostClassifier', 'LightGBM', 'LightGBM']",
        "ensemble_weights": "[0.5, 0.25, 0.25]",
        "_aml_system_ComputeTargetStatus": "{}",
    }
    assert run_params.from_azure(props, tags) == {
        "algorithm": {"algorithm": "VotingEnsemble"},
        "hyperparameter": {
            "ensembled_iterations": "[1, 0, 5]",
            "ensembled_algorithms": '["XGBoostClassifier", "LightGBM", "LightGBM"]',
            "ensemble_weights": "[0.5, 0.25, 0.25]",
        },
        "setting": {"training_percent": 100},
    }
    assert run_params.from_azure({"ensemble_weights": "__import__('os').system('x')"}, {}) == {
        "hyperparameter": {"ensemble_weights": "__import__('os').system('x')"}  # text, never evaluated
    }


def test_mlflow_params_and_the_tags_that_name_the_algorithm():
    found = run_params.from_mlflow(
        {
            "max_depth": "6",
            "eta": "0.4",
            "run_preprocessor": "StandardScalerWrapper",
            "training_percent": "100",
        },
        {"estimator_name": "XGBClassifier", "mlflow.runName": "x", "mlflow.user": "me", "note": "free text"},
    )
    assert found == {
        "algorithm": {"estimator_name": "XGBClassifier"},
        "preprocessor": {"preprocessor": "StandardScalerWrapper"},
        "hyperparameter": {"max_depth": 6, "eta": 0.4},
        "setting": {"training_percent": 100},
    }


def test_a_cache_keeps_the_parameters_and_an_old_one_still_opens(tmp_path):
    data = parse_metrics(document())
    assert list(data.params.columns) == ["run_id", "name", "value", "kind"]
    assert data.param_names == ["algorithm", "preprocessor", "max_depth", "learning_rate", "training_percent"]
    row = data.params[(data.params.run_id == "job_1") & (data.params.name == "learning_rate")]
    assert row.values.tolist() == [["job_1", "learning_rate", 0.4, "hyperparameter"]]
    again = parse_metrics(json.loads(json.dumps(automl_cache.to_document(data))))
    assert again.params.equals(data.params)  # the page's export round-trips them
    old = document(with_params=False)
    del old[META_KEY]["params"]
    old[META_KEY]["format"] = 1
    opened = FileSource(automl_cache.write(old, "old", tmp_path)).load()
    assert opened.params.empty and opened.param_names == [] and len(opened.runs) == 6


def test_odd_parameter_entries_are_left_out():
    doc = document()
    doc[META_KEY]["params"] = {
        "job_0": {"hyperparameter": {"max_depth": [1, 2], "nested": {"a": 1}}, "weird_kind": {"x": 1}},
        "job_1": "not an object",
        "nobody": {"setting": {"x": 1}},
    }
    data = parse_metrics(doc)
    assert data.params.values.tolist() == [
        ["job_0", "max_depth", "[1, 2]", "hyperparameter"],
        ["job_0", "nested", '{"a": 1}', "hyperparameter"],
    ]


def test_the_sample_records_no_parameters():
    data = SampleSource().load()
    assert data.params.empty and set(data.runs["algorithm"].isna()) == {True}


def test_wide_parameters_are_numbers_where_every_value_is_one():
    data = parse_metrics(document())
    table = run_params.wide(data, ["max_depth", "algorithm"])
    assert list(table.columns) == ["run_id", "max_depth", "algorithm"]
    assert table["max_depth"].dtype == float and table["algorithm"].dtype == object
    assert table.set_index("run_id").loc["job_4"].isna().tolist() == [True, False]


def test_what_the_top_runs_share():
    data = parse_metrics(document())
    shared = shared_by_top(data, "AUC_weighted", k=3)
    first = shared.iloc[0]
    assert (first["name"], first["value"], first["top"]) == ("algorithm", "XGBoostClassifier", 3)
    assert first["top_share"] == 1.0 and first["rest_share"] == 0.0 and first["lift"] == float("inf")
    assert ("preprocessor", "StandardScaler") in set(zip(shared["name"], shared["value"], strict=True))
    assert "training_percent" not in set(shared["name"])  # the same in every run: not over-represented
    assert (shared["top_share"] > shared["rest_share"]).all()
    with pytest.raises(AutoMLError, match="between 1 and 5"):
        shared_by_top(data, "AUC_weighted", k=6)


def test_many_numeric_values_are_cut_into_ranges():
    runs = {f"r_{i}": ("SGD", i, i / 10, "S", 0.5 + i / 100) for i in range(12)}
    shared = shared_by_top(parse_metrics(document(runs)), "AUC_weighted", k=4)
    depth = shared[shared["name"] == "max_depth"].iloc[0]
    assert depth["value"].startswith("high (") and depth["top"] == 4


def test_ranges_and_the_refusal_in_spanish():
    runs = {f"r_{i}": ("SGD", i, i / 10, "S", 0.5 + i / 100) for i in range(12)}
    data = parse_metrics(document(runs))
    shared = shared_by_top(data, "AUC_weighted", k=4, _=translator("es"))
    depth = shared[shared["name"] == "max_depth"].iloc[0]
    assert depth["value"].startswith("alto (") and depth["top"] == 4
    rate = shared[shared["name"] == "learning_rate"].iloc[0]["value"]
    assert rate.startswith("alto (") and "," in rate and "." not in rate  # 0,8–1,1: decimal commas
    with pytest.raises(AutoMLError, match="el top k debe estar entre 1 y 11"):
        shared_by_top(data, "AUC_weighted", k=12, _=translator("es"))


def test_params_command_lists_each_runs_parameters(run, tmp_path):
    path = automl_cache.write(document(), "job", tmp_path)
    out = run("params", str(path), "--csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0]) == ["run_id", "iteration", "kind", "name", "value"]
    assert len(rows) == 6 * 3 + 5 * 2  # algorithm, preprocessor, setting; two hyperparameters but in job_4
    assert {
        "run_id": "job_1",
        "iteration": "1",
        "kind": "hyperparameter",
        "name": "max_depth",
        "value": "6",
    } in rows
    text = run("params", str(path)).stdout.splitlines()
    assert text[0].split() == ["run_id", "iteration", "kind", "name", "value"] and len(text) == 29


def test_params_command_on_the_sample_says_not_recorded(run):
    from core.automl.sources import SAMPLE_PATH

    out = run("params", str(SAMPLE_PATH))
    assert out.returncode == 0 and "(not recorded)" in out.stdout and out.stdout.count("\n") == 1
    assert run("params", str(SAMPLE_PATH), "--csv").stdout.strip() == "run_id,iteration,kind,name,value"
    bad = run("params", "/no/such/file.json")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "no such file" in bad.stderr
