"""Analysis on the real sample and on small hand-made runs: best run per metric, ranking, deltas, curves."""

import json

import numpy as np
import pandas as pd
import pytest

from core.automl import (
    AutoMLError,
    baseline_deltas,
    best_run,
    best_so_far,
    correlation,
    last_improvement,
    parse_metrics,
    per_algorithm,
    ranking,
    summarize,
    wide,
)
from core.automl.analysis.artifacts import confusion_matrix, roc_auc, roc_curves
from core.automl.sources import FileSource, SampleSource, UploadSource
from core.automl.sources import cache as automl_cache
from core.automl.sources.parse import META_KEY
from tests.support.artifacts import ACCURACY_TABLE

RUN = "40b56796-43ac-479b-b4f0-e90715560b60"


@pytest.fixture(scope="module")
def sample():
    return SampleSource().load()


@pytest.fixture
def regression():
    doc = {
        "reg_0": {
            "normalized_root_mean_squared_error": [0.30],
            "r2_score": [0.50],
            "spearman_correlation": [0.7],
        },
        "reg_1": {
            "normalized_root_mean_squared_error": [0.12],
            "r2_score": [0.80],
            "spearman_correlation": [0.7],
        },
        "reg_2": {
            "normalized_root_mean_squared_error": [0.20],
            "r2_score": [0.85],
            "spearman_correlation": [0.7],
        },
        "reg_3": {
            "normalized_root_mean_squared_error": [0.15],
            "r2_score": [0.70],
            "spearman_correlation": [0.7],
        },
        META_KEY: {
            "runs": {
                "reg_0": {"algorithm": "ElasticNet"},
                "reg_1": {"algorithm": "LightGBM"},
                "reg_2": {"algorithm": "LightGBM"},
                "reg_3": {"algorithm": "ElasticNet"},
            }
        },
    }
    return parse_metrics(doc, source="reg.json")


@pytest.mark.parametrize(
    ("metric", "run", "value"),
    [
        ("AUC_weighted", 51, 0.9477009226688303),
        ("log_loss", 0, 0.17851374134751752),
        ("accuracy", 51, 0.9144157814871017),
        ("matthews_correlation", 42, 0.5295095451104087),
    ],
)
def test_best_run_on_the_real_sample(sample, metric, run, value):
    assert best_run(sample, metric) == (f"{RUN}_{run}", pytest.approx(value, abs=1e-15))
    # the brute-force check: the best really is the max (or the min for a loss)
    values = sample.tidy[sample.tidy.metric == metric]["value"]
    assert value == (values.min() if metric == "log_loss" else values.max())


def test_lowest_nrmse_wins_not_the_highest(regression):
    assert best_run(regression, "normalized_root_mean_squared_error") == ("reg_1", 0.12)
    assert best_run(regression, "r2_score") == ("reg_2", 0.85)
    assert regression.task == "regression"
    assert summarize(regression).primary_metric == "normalized_root_mean_squared_error"


def test_summary_defaults_to_auc_weighted_and_follows_the_sources_primary_metric(sample):
    s = summarize(sample)
    assert (s.runs, s.metrics, s.task, s.primary_metric, s.direction) == (
        20,
        10,
        "classification",
        "AUC_weighted",
        "max",
    )
    assert (s.best_run, s.best_iteration) == (f"{RUN}_51", 51)
    sample.parent["primary_metric"] = "log_loss"
    try:
        assert summarize(sample).best_run == f"{RUN}_0"
    finally:
        sample.parent.pop("primary_metric")


def test_ranking_is_best_first_with_gaps(sample):
    r = ranking(sample, "log_loss")
    assert list(r["rank"][:3]) == [1, 2, 3]
    assert list(r["iteration"][:4]) == [0, 22, 51, 42]
    assert r["value"].is_monotonic_increasing and r["gap_to_best"].iloc[0] == 0
    assert ranking(sample, "AUC_weighted")["value"].is_monotonic_decreasing


def test_wide_table_and_only_differing(regression, sample):
    t = wide(regression)
    assert list(t.columns) == [
        "run_id",
        "iteration",
        "algorithm",
        "normalized_root_mean_squared_error",
        "r2_score",
        "spearman_correlation",
    ]
    assert list(t["run_id"]) == ["reg_0", "reg_1", "reg_2", "reg_3"]
    assert "spearman_correlation" not in wide(regression, only_differing=True).columns
    assert wide(sample, ["log_loss", "AUC_weighted"]).shape == (20, 5)
    with pytest.raises(AutoMLError, match="'nope' is in no run"):
        wide(sample, ["nope"])


def test_baseline_deltas_are_positive_when_better(regression):
    d = baseline_deltas(regression, "reg_0").set_index("run_id")
    assert d.loc["reg_1", "normalized_root_mean_squared_error"] == pytest.approx(0.18)  # lower error: better
    assert d.loc["reg_1", "r2_score"] == pytest.approx(0.30)
    assert d.loc["reg_0"].drop(["iteration", "algorithm"]).eq(0).all()
    with pytest.raises(AutoMLError, match="run 'reg_9'"):
        baseline_deltas(regression, "reg_9")


def test_correlation_drops_constant_metrics_and_matches_pandas(sample, regression):
    c = correlation(regression)
    assert list(c.columns) == ["normalized_root_mean_squared_error", "r2_score"]
    # ranks 4,1,3,2 against 1,3,4,2: Σd² = 14, ρ = 1 - 6·14/(4·15) = -0.4
    assert c.loc["r2_score", "normalized_root_mean_squared_error"] == pytest.approx(-0.4)
    c2 = correlation(sample, ["accuracy", "f1_score_micro"])
    assert c2.loc["accuracy", "f1_score_micro"] == pytest.approx(1.0)  # micro F1 = accuracy (single-label)


def test_best_so_far_and_last_improvement(regression, sample):
    curve = best_so_far(regression, "normalized_root_mean_squared_error")
    assert list(curve["best_so_far"]) == [0.30, 0.12, 0.12, 0.12]
    assert list(curve["improved"]) == [True, True, False, False]
    assert last_improvement(curve) == (1, 2)
    auc = best_so_far(sample, "AUC_weighted")
    assert auc["best_so_far"].is_monotonic_increasing
    assert auc["best_so_far"].iloc[-1] == pytest.approx(0.9477009226688303)
    assert last_improvement(auc) == (51, 0)  # still improving when the search stopped
    assert last_improvement(best_so_far(sample, "log_loss")) == (0, 19)


def test_per_algorithm_summary(regression):
    t = per_algorithm(regression, "normalized_root_mean_squared_error")
    assert list(t["algorithm"]) == ["LightGBM", "ElasticNet"]
    assert t.set_index("algorithm").loc["ElasticNet", ["runs", "best", "worst"]].tolist() == [2, 0.15, 0.30]


def test_confusion_matrix_and_roc_from_artifacts():
    cm = confusion_matrix(
        {
            "schema_type": "confusion_matrix",
            "data": {"class_labels": ["no", "yes"], "matrix": [[90, 10], [5, 20]]},
        }
    )
    assert cm.loc["yes", "no"] == 5 and cm.values.sum() == 125
    # 2 classes, thresholds 0, 0.5, 1 → TP, FP, TN, FN
    table = {**ACCURACY_TABLE, "data": {**ACCURACY_TABLE["data"], "percentile_tables": []}}
    roc = roc_curves(table)
    yes = roc[roc["class"] == "yes"]
    assert list(yes["threshold"]) == [1.0, 0.5, 0.0]
    assert list(yes["tpr"]) == [0.0, 0.8, 1.0] and list(yes["fpr"]) == [0.0, 0.1, 1.0]
    assert roc_auc(roc)["yes"] == pytest.approx(0.5 * 0.1 * 0.8 + 0.9 * 0.9)
    with pytest.raises(AutoMLError, match="probability_tables of shape"):
        roc_curves({"schema_type": "accuracy_table", "data": {**table["data"], "class_labels": ["a"]}})
    with pytest.raises(AutoMLError, match="not a regular array"):
        confusion_matrix({"data": {"class_labels": ["a", "b"], "matrix": [[1], [1, 2]]}})


def test_cache_round_trip_keeps_values_metadata_and_artifacts(tmp_path, regression):
    regression.artifacts["reg_1"] = {"confusion_matrix": {"schema_type": "confusion_matrix", "data": {}}}
    doc = automl_cache.to_document(regression)
    path = automl_cache.write(doc, "reg pull/1", tmp_path)
    assert path == automl_cache.path_for("reg pull/1", tmp_path)
    assert automl_cache.list_cached(tmp_path) == [path]
    assert path.name.startswith("reg_pull_1~")  # not reg_pull_1.json: "reg_pull_1" keeps that one
    again = FileSource(path).load()
    pd.testing.assert_frame_equal(again.tidy, regression.tidy)
    assert list(again.runs["algorithm"]) == ["ElasticNet", "LightGBM", "LightGBM", "ElasticNet"]
    assert again.artifacts == regression.artifacts
    # and it is still the plain format: every run maps metric → [value]
    raw = json.loads(path.read_text())
    assert raw["reg_2"] == {
        "normalized_root_mean_squared_error": [0.2],
        "r2_score": [0.85],
        "spearman_correlation": [0.7],
    }


def test_upload_source_names_the_upload():
    with pytest.raises(AutoMLError, match=r"^mine.json: the top level is a list"):
        UploadSource("mine.json", b"[]").load()
    data = UploadSource("ok.json", b'{"a_1": {"log_loss": [0.5]}}').load()
    assert np.isclose(data.tidy["value"].iloc[0], 0.5)
