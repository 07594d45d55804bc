"""The command lines `python -m core.pi` and `python -m core.bench`: JSON out, one-line errors, exit 2."""

import http.server
import json
import threading
import time

import pytest

from core.bench.__main__ import main as bench_main
from core.pi import BACKENDS, estimate
from core.pi.__main__ import main as pi_main
from tests.support.cli import run_here, run_module


@pytest.fixture(scope="module")
def not_a_scheduler():
    """A loopback server that accepts connections and answers HTTP, not Dask's protocol."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"tcp://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_list_json_names_every_backend_and_why_unavailable():
    out = run_module("core.pi", "--list", "--json")
    assert out.returncode == 0
    rows = json.loads(out.stdout)
    assert [r["name"] for r in rows] == list(BACKENDS)
    assert all(r["available"] == (r["why_unavailable"] is None) for r in rows)


@pytest.mark.slow
def test_one_estimate_as_json_matches_the_api():
    out = run_module("core.pi", "--backend", "numba_parallel", "--n", "1e6", "--seed", "11", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["n"] == 1_000_000 and doc["seed"] == 11
    assert doc["inside"] == estimate("numpy_chunked", 10**6, seed=11).inside
    assert set(doc) >= {
        "backend",
        "pi",
        "error",
        "sigma",
        "z",
        "workers",
        "elapsed_s",
        "compile_s",
        "samples_per_s",
    }


@pytest.mark.slow
def test_text_output_says_pi_and_seed():
    out = run_module("core.pi", "--backend", "numpy_chunked", "--n", "100000", "--seed", "3")
    assert out.returncode == 0
    assert out.stdout.startswith("numpy_chunked: π ≈ 3.1") and "seed 3" in out.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--backend", "numba", "--n", "0"], "n must be a whole number from 1"),
        (["--backend", "numba", "--n", "lots"], "not 'lots'"),
        (["--backend", "numba", "--n", "1e13"], "to 1,000,000,000,000"),
        (["--backend", "cuda9", "--n", "10"], "unknown backend 'cuda9'"),
        (["--backend", "joblib", "--n", "10", "--workers", "0"], "workers (on this machine)"),
        (["--backend", "numpy", "--n", "1e10"], "use numpy_chunked"),
        (["--backend", "numba", "--n", "10", "--seed", "x"], "--seed: invalid int value"),
        (["--n", "10"], "give --list, or --backend NAME and --n N"),
        (["--backend", "dask", "--n", "10", "--scheduler", "garbage://x"], "is not a Dask scheduler address"),
        (["--backend", "dask", "--n", "10", "--scheduler", "abc"], "is not a Dask scheduler address"),
        pytest.param(
            ["--backend", "dask", "--n", "10", "--scheduler", "tcp://127.0.0.1:9"],
            "did not answer within",
            marks=pytest.mark.slow,  # waits out the 5 s a scheduler is given to answer
        ),
        pytest.param(
            ["--backend", "dask", "--n", "10", "--scheduler", "NOT-A-SCHEDULER"],
            "did not answer",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, needle, capsys, not_a_scheduler):
    args = [not_a_scheduler if a == "NOT-A-SCHEDULER" else a for a in args]
    t0 = time.monotonic()
    out = run_here(pi_main, *args, capsys=capsys)
    assert time.monotonic() - t0 < 30  # generous: a Dask address is given 5 s to answer
    assert out.returncode == 2
    assert needle in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


@pytest.mark.slow
def test_bench_json_reports_timing_statistics():
    out = run_module(
        "core.bench", "--backends", "numba,numpy_chunked", "--n", "1e3,1e4", "--repeat", "3", "--json"
    )
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [(r["backend"], r["n"]) for r in rows] == [
        ("numba", 1000),
        ("numba", 10000),
        ("numpy_chunked", 1000),
        ("numpy_chunked", 10000),
    ]
    for r in rows:
        assert r["repeat"] == 3 and r["loops"] >= 1
        assert 0 < r["best_s"] <= r["mean_s"] and r["std_s"] >= 0
        assert r["samples_per_s"] == pytest.approx(r["n"] / r["best_s"])
    assert rows[0]["compile_s"] > 0  # the first numba call in the process compiles or loads the cache


@pytest.mark.slow
def test_bench_csv_and_bad_input(capsys):
    out = run_module("core.bench", "--backends", "numpy_chunked", "--n", "1e3", "--repeat", "2", "--csv")
    assert out.returncode == 0 and out.stdout.splitlines()[0].startswith("backend,n,workers,inside")
    bad = run_here(bench_main, "--backends", "numpy_chunked", "--n", "-1", capsys=capsys)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


TIMED = {"elapsed_s", "compile_s", "startup_s", "samples_per_s"}  # measured: differ from run to run


def test_lang_es_writes_the_human_line_in_spanish_with_spanish_numbers(capsys, monkeypatch):
    monkeypatch.setenv("LC_ALL", "C")
    out = run_here(
        pi_main, "--backend", "numpy_chunked", "--n", "1e5", "--seed", "1", "--lang", "es", capsys=capsys
    )
    assert out.returncode == 0
    assert "numpy_chunked: π ≈ 3," in out.stdout
    assert "con 100.000 muestras (semilla 1)" in out.stdout
    assert "muestras/s en 1 worker(s)" in out.stdout and "samples" not in out.stdout
    english = run_here(pi_main, "--backend", "numpy_chunked", "--n", "1e5", "--seed", "1", capsys=capsys)
    assert "from 100,000 samples (seed 1)" in english.stdout and " π ≈ 3." in english.stdout


def test_the_environment_sets_the_language_and_lang_wins_over_it(capsys, monkeypatch):
    monkeypatch.setenv("LC_ALL", "es_CL.UTF-8")
    spanish = run_here(pi_main, "--backend", "numpy_chunked", "--n", "1e4", "--seed", "1", capsys=capsys)
    assert "10.000 muestras" in spanish.stdout
    english = run_here(
        pi_main, "--backend", "numpy_chunked", "--n", "1e4", "--seed", "1", "--lang", "en", capsys=capsys
    )
    assert "10,000 samples" in english.stdout


def test_a_refusal_is_in_the_chosen_language(capsys):
    out = run_here(pi_main, "--backend", "numpy", "--n", "1e12", "--lang", "es", capsys=capsys)
    assert out.returncode == 2
    assert "numpy acepta n hasta 2e+08, no 1e+12" in out.stderr


def test_json_never_changes_with_the_language(capsys):
    runs = {}
    for lang in ("es", "en"):
        args = ("--backend", "numpy_chunked", "--n", "1e5", "--seed", "3", "--json", "--lang", lang)
        out = run_here(pi_main, *args, capsys=capsys)
        assert out.returncode == 0
        runs[lang] = {k: v for k, v in json.loads(out.stdout).items() if k not in TIMED}
    assert runs["es"] == runs["en"]
    assert isinstance(runs["es"]["pi"], float)
    listed = {
        lang: run_here(pi_main, "--list", "--json", "--lang", lang, capsys=capsys).stdout for lang in runs
    }
    assert listed["es"] == listed["en"]
