"""``python -m core.automl``: real output on the sample (once in a subprocess, else its ``main`` in this
process), one-line errors, exit status 2."""

import csv
import io
import json

import pytest

from core.automl.sources import SAMPLE_PATH
from tests.support.cli import run_module

RUN = "40b56796-43ac-479b-b4f0-e90715560b60"


@pytest.mark.slow
def test_summary_json_on_the_sample():
    out = run_module("core.automl", "summary", str(SAMPLE_PATH), "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["runs"] == 20 and doc["metrics"] == 10 and doc["task"] == "classification"
    assert (doc["best_run"], doc["direction"], doc["primary_metric"]) == (f"{RUN}_51", "max", "AUC_weighted")
    assert doc["best_value"] == pytest.approx(0.9477009226688303, abs=1e-15)


def test_summary_primary_metric_log_loss_picks_the_lowest(run):
    out = run("summary", str(SAMPLE_PATH), "--primary-metric", "log_loss")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == (
        f"20 runs, 10 metrics, task classification; best by log_loss (lower is better): {RUN}_0 = 0.178514"
    )


def test_summary_in_spanish_with_lang_es_and_json_unchanged(run):
    out = run("summary", str(SAMPLE_PATH), "--primary-metric", "log_loss", "--lang", "es")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == (
        f"20 ejecuciones, 10 métricas, tarea clasificación; mejor según log_loss (más bajo es mejor): "
        f"{RUN}_0 = 0,178514"
    )
    english = run("summary", str(SAMPLE_PATH), "--json", "--lang", "en").stdout
    assert run("summary", str(SAMPLE_PATH), "--json", "--lang", "es").stdout == english


def test_table_csv_has_one_row_per_run_in_iteration_order(run):
    out = run("table", str(SAMPLE_PATH), "--csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == 20
    assert [int(r["iteration"]) for r in rows] == sorted(int(r["iteration"]) for r in rows)
    assert float(rows[0]["log_loss"]) == pytest.approx(0.17851374134751752)
    text = run("table", str(SAMPLE_PATH))
    assert text.returncode == 0 and text.stdout.splitlines()[1].split()[0] == f"{RUN}_0"


@pytest.mark.parametrize(
    ("content", "args", "needle"),
    [
        ('{"r_1": {"accuracy": [0.9]', [], "bad.json: not valid JSON at line 1, column 27"),
        ("[1, 2]", [], "bad.json: the top level is a list"),
        ("{}", [], "bad.json: no runs (an empty object)"),
        (
            '{"r_1": {"accuracy": ["high"]}}',
            [],
            "no numeric metric values in 1 run(s); first skipped: r_1 accuracy",
        ),
        ('{"r_1": {"accuracy": [0.9]}}', ["--primary-metric", "log_loss"], "metric 'log_loss' is in no run"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, content, args, needle, run):
    path = tmp_path / "bad.json"
    path.write_text(content)
    out = run("summary", str(path), *args)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert out.stderr.startswith("python -m core.automl: error: ") and needle in out.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ([], "give a command: summary PATH"),
        (["summary"], "the following arguments are required: path"),
        (["plot", "x"], "invalid choice: 'plot'"),
        (["table", "/definitely/not/here.json"], "/definitely/not/here.json: no such file"),
    ],
)
def test_usage_errors_exit_2(args, needle, run):
    out = run(*args)
    assert out.returncode == 2 and needle in out.stderr and out.stderr.count("\n") == 1


HUGE = "1" + "0" * 4999  # 5000 digits: past Python's limit for int(str)


def test_a_5000_digit_integer_is_skipped_and_the_summary_runs(tmp_path, run):
    path = tmp_path / "huge.json"
    path.write_text(f'{{"run_1": {{"accuracy": [{HUGE}], "AUC_weighted": [0.9]}}}}')
    out = run("summary", str(path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("run_1 = 0.9; 1 value(s) skipped") and out.stderr == ""
    doc = json.loads(run("summary", str(path), "--json").stdout)
    assert doc["skipped"] == 1 and doc["best_value"] == 0.9


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (f'{{"run_1": {{"accuracy": [{HUGE}]}}}}', "an integer of 5,000 digits, too large for a float"),
        (
            '{"AccessToken": {"secret-account-id-123": {"secret": "tok-abc"}}}',
            "found objects of objects, expected {run_id: {metric: [number]}}",
        ),
    ],
)
def test_an_unusable_file_exits_2_with_one_line_that_echoes_nothing(tmp_path, content, needle, run):
    path = tmp_path / "bad.json"
    path.write_text(content)
    out = run("summary", str(path))
    assert out.returncode == 2 and out.stdout == "" and out.stderr.count("\n") == 1
    assert needle in out.stderr and "Traceback" not in out.stderr
    assert not any(s in out.stderr for s in ("0000000000", "AccessToken", "secret-account", "tok-abc"))


@pytest.mark.parametrize(
    ("value", "english", "spanish"),
    [
        (12345.678, "12345.7", "12345,7"),
        (1.5e-07, "1.5e-07", "1,5e-07"),
        (1.23456789e7, "1.23457e+07", "1,23457e+07"),
    ],
)
def test_the_summary_writes_the_best_value_as_before_the_languages_in_english(
    tmp_path, run, value, english, spanish
):
    path = tmp_path / "regression.json"
    path.write_text(json.dumps({"run_1": {"root_mean_squared_error": [value]}}))
    out = run("summary", str(path), "--lang", "en")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith(f"run_1 = {english}")  # %.6g, no thousands grouped
    assert run("summary", str(path), "--lang", "es").stdout.strip().endswith(f"run_1 = {spanish}")
