"""The parallelism lessons: each measures real numbers that show its point, cleans up, runs from the CLI."""

import contextlib
import glob
import itertools
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import psutil
import pytest

from core.lessons import MODULES, get, lessons
from core.lessons.__main__ import main
from tests.support.cli import run_module

REAL_MAIN = sys.modules["__main__"]  # pytest's, read at collection, before any AppTest ran


@pytest.fixture(autouse=True)
def real_main(monkeypatch):
    """AppTest (like a Streamlit server) leaves its script as ``__main__``, and every spawned child would run
    app.py again before its task (seconds each): give these in-process runs the real one back."""
    monkeypatch.setitem(sys.modules, "__main__", REAL_MAIN)


def children() -> set[int]:
    """This process's descendants, but for multiprocessing's resource tracker (one per process, kept)."""
    found = set()
    for p in psutil.Process().children(recursive=True):
        try:
            if "resource_tracker" not in " ".join(p.cmdline()):
                found.add(p.pid)
        except psutil.NoSuchProcess:
            pass
    return found


@pytest.fixture
def no_new_processes():
    """The lesson under test leaves no process of its own behind."""
    before = children()
    yield
    left = children() - before
    for pid in left:  # give exiting processes a moment before calling them leaked
        with contextlib.suppress(psutil.NoSuchProcess, psutil.TimeoutExpired):
            psutil.Process(pid).wait(timeout=5)
    assert children() - before == set()


def test_registry_lists_every_lesson_in_order():
    every = lessons()
    assert list(every) == [
        "processes",
        "pool_vs_map",
        "map_vs_apply",
        "race",
        "joblib",
        "fork_rng",
        "numba_pandas",
        "dask_pi",
        "threads",
        "coroutines",
        "compiled",
    ]
    assert list(MODULES) == list(every)
    for name, lesson in every.items():
        assert lesson.name == name
        assert len(lesson.why) > 200 and lesson.claim and lesson.label
        assert set(lesson.bounds) == set(lesson.defaults())
        assert f"def {lesson.function.__name__}(" in lesson.source()


def test_parameters_are_checked_against_their_bounds():
    race = get("race")
    assert race.check({"trials": 2}) == {"processes": 3, "increments": 30_000, "trials": 2}
    with pytest.raises(ValueError, match="trials must be a whole number from 1 to 10, not 0"):
        race.check({"trials": 0})
    with pytest.raises(ValueError, match=r"not 2\.5"):
        race.check({"trials": 2.5})
    with pytest.raises(ValueError, match="has no parameter 'lots'; it takes: processes, increments, trials"):
        race.check({"lots": 1})
    with pytest.raises(ValueError, match="unknown lesson 'nope'; choose one of: processes, pool_vs_map"):
        get("nope")


@pytest.mark.slow
def test_processes_started_together_take_one_sleep(no_new_processes):
    processes, seconds = 3, 0.8
    r = get("processes").run(processes=processes, seconds=seconds)
    assert r.parallel_s >= seconds and r.one_by_one_s >= processes * seconds  # a sleep never takes less
    # No ceiling in seconds (spawning interpreters on a busy machine takes what it takes): the start-up cost
    # is paid both ways, so what together saves is the overlapped sleeps, (processes - 1) · seconds ideally;
    # run one after the other, it would save nothing
    assert r.one_by_one_s - r.parallel_s >= 0.5 * (processes - 1) * seconds
    together = [n for n in r.naps if n["run"] == "together"]
    queued = [n for n in r.naps if n["run"] != "together"]
    assert len(together) == len(queued) == 3 and len({n["pid"] for n in r.naps}) == 6
    assert all(n["end_s"] - n["start_s"] >= seconds * 0.99 for n in r.naps)
    assert max(n["start_s"] for n in together) < min(n["end_s"] for n in together)  # they overlap
    queued.sort(key=lambda n: n["start_s"])
    assert all(a["end_s"] <= b["start_s"] for a, b in itertools.pairwise(queued))  # they don't
    assert sorted(n["woke"] for n in together) == [1, 2, 3]


@pytest.mark.slow
def test_measure_runs_a_process_lesson_in_a_fresh_interpreter_and_kills_it_on_timeout(no_new_processes):
    r = get("race").measure(trials=1, increments=5_000)
    assert type(r).__name__ == "RaceResult" and r.locked == [15_000]
    assert r.headline().startswith("3 processes")
    seconds = 5  # the longest nap the lesson takes
    t0 = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        get("processes").measure(timeout=1.5, seconds=seconds)  # its sleepers too are killed (fixture)
    # the sleepers hold the output pipe: had they outlived the kill, measure would wait out their nap
    assert time.monotonic() - t0 < seconds


@pytest.mark.slow
def test_pool_loses_on_tiny_tasks_and_does_far_better_on_heavy_ones(no_new_processes):
    r = get("pool_vs_map").run(tiny_items=20_000, heavy_tasks=4, heavy_steps=600_000, workers=2)
    assert r.workers == 2 and r.startup_s > 0
    assert r.tiny_pool_s > r.tiny_map_s  # pickling each item costs more than x**2 - 1
    assert r.tiny_speedup < 1
    assert r.heavy_speedup > 3 * r.tiny_speedup  # the round trip is noise next to real work
    seconds = [r.tiny_map_s, r.tiny_pool_s, r.heavy_map_s, r.heavy_pool_s]
    assert [row["seconds"] for row in r.rows()] == seconds


def test_pool_lesson_refuses_to_time_different_answers(monkeypatch, no_new_processes):
    from core.lessons import pool_map

    monkeypatch.setattr(pool_map, "map", lambda f, xs: [f(x) + 1 for x in xs], raising=False)  # a wrong map
    with pytest.raises(RuntimeError, match=r"Pool\(1\)\.map and the built-in map gave different answers"):
        get("pool_vs_map").run(tiny_items=1_000, heavy_tasks=1, heavy_steps=1_000, workers=1)


@pytest.mark.slow
def test_map_apply_and_their_async_twins(no_new_processes):
    seconds = 0.4
    r = get("map_vs_apply").run(tasks=4, seconds=seconds, workers=2)
    calls = {c["method"]: c for c in r.calls}
    assert list(calls) == ["map", "map_async", "apply", "apply_async"]
    expected = [x**2 - 1 for x in (2, 4, 6, 8)]
    assert all(c["results"] == expected for c in calls.values())  # always in the order asked for
    assert calls["map"]["one call returns"] == "list"
    assert calls["map_async"]["one call returns"] == "MapResult (an AsyncResult)"
    assert calls["apply"]["one call returns"] == "int"
    assert calls["apply_async"]["one call returns"] == "ApplyResult (an AsyncResult)"
    naps = [seconds * k / 4 for k in (4, 3, 2, 1)]
    assert calls["map"]["blocked_s"] >= max(naps)
    assert calls["apply"]["blocked_s"] >= 0.99 * sum(naps)  # one task at a time
    for method in ("map_async", "apply_async"):  # a receipt at once; the answers once the naps are over
        blocking = calls[method.removesuffix("_async")]
        assert calls[method]["blocked_s"] < 0.25 * blocking["blocked_s"]
        assert calls[method]["total_s"] >= max(naps)
    # a loop of apply_async keeps both workers busy: it saves about half of apply's serial sum of naps
    assert calls["apply"]["total_s"] - calls["apply_async"]["total_s"] >= 0.25 * sum(naps)
    finished = calls["apply_async"]["finished in"]
    assert sorted(finished) == [2, 4, 6, 8]  # every callback ran once; the order is up to the scheduler,
    assert finished[0] in (2, 4)  # but a worker takes its next task only when done: 6 and 8 cannot be first


@pytest.mark.slow
def test_unlocked_counter_loses_updates_and_the_lock_makes_it_exact(no_new_processes):
    r = get("race").run(processes=3, increments=30_000, trials=3)
    assert r.expected == 90_000
    # how much a trial loses is up to the scheduler (here from a tenth to over half, with both cores busy or
    # not), so one trial in three losing is the lesson; each write is a read plus one: never above expected
    assert all(0 < count <= r.expected for count in r.unlocked), r.unlocked
    assert min(r.unlocked) < r.expected, r.unlocked
    assert r.locked == [r.expected] * 3 and r.exact  # the lock: exact every time
    assert [row["lost"] for row in r.rows()] == [r.expected - count for count in r.unlocked]


@pytest.mark.slow
def test_joblib_loses_on_cos_and_gains_on_csv_files_it_then_removes(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # its own folder: other runs' files never count
    pattern = os.path.join(tempfile.gettempdir(), "pilab-csv-*")
    before = set(glob.glob(pattern))
    r = get("joblib").run(tiny_items=500, files=2, rows_per_file=20_000, reads=8, workers=2)
    assert r.tiny_parallel_s > 10 * r.tiny_serial_s  # shipping a task costs far more than np.cos
    assert r.tiny_numpy_s < r.tiny_serial_s
    assert r.heavy_speedup > 10 * r.tiny_speedup
    assert set(glob.glob(pattern)) == before == set()


def test_forked_workers_repeat_the_global_generator_and_seeds_fix_it():
    state = np.random.get_state()[1].copy()
    r = get("fork_rng").run(workers=3, samples=2_000, seed=11)
    assert np.array_equal(np.random.get_state()[1], state)  # this process's generator is left alone
    assert len(r.shared) == len(r.seeded) == 3
    assert r.shared_distinct == 1 and len({tuple(w["first draws"]) for w in r.shared}) == 1
    assert len({w["inside"] for w in r.shared}) == 1
    assert len({w["random.random()"] for w in r.shared}) == 3  # Python's own random reseeds at fork
    assert r.seeded_distinct == 3
    assert r.metrics()[1][1] == "2,000"  # 6,000 drawn, 2,000 real
    again = get("fork_rng").run(workers=3, samples=2_000, seed=11)
    assert [w["digest"] for w in again.seeded] == [w["digest"] for w in r.seeded]  # reproducible


def test_numba_refuses_pandas_and_the_lesson_returns_the_message():
    r = get("numba_pandas").run()
    assert [a["error"] for a in r.attempts] == ["TypingError", "TypingError"]
    assert "Cannot determine Numba type of <class 'dict'>" in r.attempts[0]["message"]
    assert "Unknown attribute 'DataFrame'" in r.attempts[1]["message"]
    assert "pandas" in r.attempts[1]["reason"]
    assert all(len(a["message"].splitlines()) <= 8 for a in r.attempts)
    assert r.same_answer and r.numba_numpy_s < r.pandas_s
    assert r.messages()[0][0] == "jit(use_pandas)(x) → TypingError"


@pytest.mark.slow
def test_dask_counts_the_same_points_and_links_its_dashboard():
    r = get("dask_pi").run(n=2_000_000, workers=1, seed=5)
    assert r.same_count and r.inside == r.serial_inside
    assert abs(r.pi - math.pi) < 0.01 and r.error == pytest.approx(r.pi - math.pi)
    assert r.dashboard and r.dashboard.startswith("http://") and r.dashboard.endswith("/status")
    assert r.links()[0][:2] == ("Open the Dask dashboard", r.dashboard)


def test_cli_lists_the_lessons(capsys):
    assert main(["--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["name"] for row in rows] == list(lessons())
    assert rows[3]["params"] == {"processes": 3, "increments": 30_000, "trials": 3}
    assert main([]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("processes      Processes sleeping in parallel")


def test_cli_runs_a_lesson_from_a_terminal_as_json():
    out = run_module("core.lessons", "race", "-p", "trials=2", "-p", "increments=2e4", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["lesson"] == "race" and doc["params"] == {"processes": 3, "increments": 20_000, "trials": 2}
    assert doc["locked"] == [60_000, 60_000] and min(doc["unlocked"]) < 60_000  # one trial losing is enough
    assert doc["table"][0]["with the lock"] == 60_000 and "should give 60,000" in doc["headline"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["nope"], "unknown lesson 'nope'; choose one of: processes"),
        (["race", "-p", "trials=0"], "trials must be a whole number from 1 to 10, not 0"),
        (["race", "-p", "speed=3"], "has no parameter 'speed'"),
        (["race", "-p", "trials"], "give parameters as NAME=VALUE, not 'trials'"),
        (["race", "-p", "trials=many"], "parameter values are numbers, not 'many'"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(args, needle, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert needle in err and len(err.strip().splitlines()) == 1


def test_cli_bad_name_from_a_terminal():
    out = run_module("core.lessons", "nope", "--json")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.strip() == (
        "python -m core.lessons: error: unknown lesson 'nope'; choose one of: processes, pool_vs_map, "
        "map_vs_apply, race, joblib, fork_rng, numba_pandas, dask_pi, threads, coroutines, compiled"
    )
