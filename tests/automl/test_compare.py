"""Two AutoML jobs side by side (``core.automl.analysis.compare``) and ``python -m core.automl compare``."""

import json
import re

import pytest

from core.automl import AutoMLError, SampleSource, parse_metrics
from core.automl.analysis.compare import compare
from core.automl.sources import cache as automl_cache
from core.automl.sources.parse import META_KEY
from core.runtime.i18n import translator


def cached_pull(name: str, runs: dict, *, percent: int = 100, metric: str = "AUC_weighted") -> dict:
    """A cached pull: ``runs`` is {run_id: (algorithm, AUC, log_loss)}; every run records training_percent."""
    metrics = {rid: {"AUC_weighted": [auc], "log_loss": [loss]} for rid, (_, auc, loss) in runs.items()}
    return automl_cache.document(
        metrics,
        source=name,
        parent={"primary_metric": metric, "experiment": name},
        runs={rid: {"algorithm": algo} for rid, (algo, _, _) in runs.items()},
        params={rid: {"setting": {"training_percent": percent}} for rid in runs},
    )


A = cached_pull(
    "first",
    {"a_0": ("LightGBM", 0.90, 0.30), "a_1": ("XGBoost", 0.93, 0.25), "a_2": ("LightGBM", 0.91, 0.28)},
)
B = cached_pull(
    "second",
    {"b_0": ("LightGBM", 0.94, 0.22), "b_1": ("XGBoost", 0.92, 0.26), "b_2": ("SGD", 0.80, 0.40)},
    percent=80,
)


def test_per_algorithm_best_in_each_run_and_the_difference():
    result = compare(parse_metrics(A), parse_metrics(B))
    table = result.per_algorithm.set_index("algorithm")
    assert list(table.index) == ["LightGBM", "XGBoost", "SGD"]  # by the better of the two bests
    assert table.loc["LightGBM", ["runs_a", "best_a", "runs_b", "best_b"]].tolist() == [2, 0.91, 1, 0.94]
    assert table.loc["LightGBM", "difference"] == pytest.approx(0.03)  # positive: B did better
    assert table.loc["XGBoost", "difference"] == pytest.approx(-0.01)
    assert table.loc["SGD", "runs_a"] == 0 and table.loc["SGD", "best_a"] != table.loc["SGD", "best_a"]  # NaN
    assert result.difference == pytest.approx(0.01)
    assert result.best["run_id"].tolist() == ["a_1", "b_0"]


def test_a_lower_is_better_metric_is_signed_so_positive_means_b_is_better():
    result = compare(parse_metrics(A), parse_metrics(B), "log_loss")
    assert result.direction == "min" and result.difference == pytest.approx(0.03)  # 0.25 → 0.22
    assert result.per_algorithm.set_index("algorithm").loc["XGBoost", "difference"] == pytest.approx(-0.01)


def test_leaderboards_aligned_and_values_of_both_runs():
    result = compare(parse_metrics(A), parse_metrics(B))
    board = result.leaderboard
    assert list(board.columns) == [
        "rank",
        "run_a",
        "algorithm_a",
        "value_a",
        "run_b",
        "algorithm_b",
        "value_b",
    ]
    assert board["run_a"].tolist() == ["a_1", "a_2", "a_0"] and board["run_b"].tolist() == [
        "b_0",
        "b_1",
        "b_2",
    ]
    assert result.values.groupby("job").size().to_dict() == {"A": 3, "B": 3}


def test_what_changed_between_the_runs_settings():
    changes = compare(parse_metrics(A), parse_metrics(B)).changes.set_index("setting")
    assert changes.loc["training_percent", ["a", "b", "changed"]].tolist() == [100, 80, True]
    assert changes.loc["experiment", ["a", "b"]].tolist() == ["first", "second"]
    assert changes.loc["algorithms tried", "b"] == "LightGBM, SGD, XGBoost"
    assert not changes.loc["runs", "changed"] and not changes.loc["task", "changed"]


def test_runs_of_different_sizes_and_without_parameters():
    sample = SampleSource().load()
    result = compare(sample, parse_metrics(A))
    assert len(result.leaderboard) == 20 and result.leaderboard["run_b"].isna().sum() == 17
    changes = result.changes.set_index("setting")
    assert changes.loc["runs", ["a", "b", "changed"]].tolist() == [20, 3, True]
    assert "metrics only in one job" in changes.index


def test_a_metric_run_b_lacks_is_one_clear_error():
    other = {"c_0": {"r2_score": [0.5]}}
    with pytest.raises(AutoMLError, match=r"metric 'AUC_weighted' \(job A's\) is in no run; give one both"):
        compare(parse_metrics(A), parse_metrics(other))


def test_the_refusal_and_the_default_labels_in_spanish():
    other = {"c_0": {"r2_score": [0.5]}}
    es = translator("es")
    with pytest.raises(
        AutoMLError, match=r"la métrica 'AUC_weighted' \(la del trabajo A\) no está en ninguna"
    ):
        compare(parse_metrics(A), parse_metrics(other), _=es)
    unnamed = parse_metrics(A)
    result = compare(unnamed, unnamed, _=es)
    assert result.labels == (unnamed.source or "trabajo A", unnamed.source or "trabajo B")
    assert compare(unnamed, unnamed).to_dict()["metric"] == result.metric  # the data stays as it is


def test_the_terminals_text_in_spanish():
    result = compare(parse_metrics(A), parse_metrics(B), _=translator("es"))
    lines = result.text(_=translator("es")).splitlines()
    assert lines[0] in ("AUC_weighted (más alto es mejor)", "AUC_weighted (más bajo es mejor)")
    assert lines[1].startswith("A: ") and ": mejor " in lines[1] and re.search(r"= \d,\d+$", lines[1])
    assert re.fullmatch(r"B - A: [+-]\d,\d+ \((B es mejor|A es mejor|un empate)\)", lines[3]), lines[3]
    assert "algoritmo" in lines[5] and "mejor A" in lines[5]  # the per-algorithm table's headers
    assert result.text().splitlines()[0].endswith("is better)")  # English as before


def test_compare_command(run, tmp_path):
    a, b = automl_cache.write(A, "a", tmp_path), automl_cache.write(B, "b", tmp_path)
    out = run("compare", str(a), str(b))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "AUC_weighted (higher is better)"
    assert lines[1] == "A: first: best a_1 · XGBoost = 0.93" and lines[3] == "B - A: +0.01 (B is better)"
    assert "  training_percent: 100 → 80" in lines
    doc = json.loads(run("compare", str(a), str(b), "--primary-metric", "log_loss", "--json").stdout)
    assert doc["metric"] == "log_loss" and doc["difference"] == pytest.approx(0.03)
    assert {c["setting"] for c in doc["changes"]} >= {"training_percent", "experiment"}
    assert doc["per_algorithm"][-1]["best_a"] is None  # SGD: not in job A (NaN as null)


def test_compare_command_bad_input_exits_2(run, tmp_path):
    a = automl_cache.write(A, "a", tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    for args in (
        ["compare", str(a)],
        ["compare", str(a), str(bad)],
        ["compare", str(a), str(a), "--primary-metric", "x"],
    ):
        out = run(*args)
        assert out.returncode == 2 and out.stdout == "" and out.stderr.count("\n") == 1, args
    assert META_KEY in A
