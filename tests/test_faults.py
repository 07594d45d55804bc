"""Real Dask scheduler and worker processes on loopback; killed workers; cancels that leave nothing busy."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from core.pi import Cancelled, estimate, executors
from core.pi.backends import Run, _count_numba_parallel

ROOT = Path(__file__).resolve().parents[1]


def _spawn(*args: str) -> subprocess.Popen:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _dask_worker(sched_file: Path) -> subprocess.Popen:
    """A single-threaded `dask worker` without a nanny (a killed worker stays dead)."""
    args = ["--scheduler-file", str(sched_file), "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1"]
    return _spawn("distributed.cli.dask_worker", *args)


def _wait_for_workers(address: str, count: int) -> None:
    from distributed import Client

    with Client(address, timeout=30) as c:
        c.wait_for_workers(count, timeout=60)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A real `dask scheduler` and two `dask worker` processes on 127.0.0.1; yields address, workers, file."""
    sched_file = tmp_path_factory.mktemp("dask") / "scheduler.json"
    scheduler = _spawn(
        "distributed.cli.dask_scheduler",
        *("--host", "127.0.0.1", "--port", "0", "--dashboard-address", "127.0.0.1:0"),
        *("--scheduler-file", str(sched_file)),
    )
    deadline = time.monotonic() + 60
    while not sched_file.exists():
        assert time.monotonic() < deadline, "dask scheduler did not start"
        time.sleep(0.1)
    workers = [_dask_worker(sched_file) for _ in range(2)]
    address = json.loads(sched_file.read_text())["address"]
    _wait_for_workers(address, 2)
    yield address, workers, sched_file
    executors.close_client(address)
    for p in [scheduler, *workers]:
        p.kill()
        p.wait(timeout=10)


def exact_count(n: int, seed: int) -> int:
    return _count_numba_parallel(Run(n=n, seed=seed, workers=2))


def test_remote_scheduler_counts_exactly_the_local_points(dask_cluster):
    address, *_ = dask_cluster
    remote = estimate("dask", 10**8, seed=31, scheduler=address)
    assert remote.workers == 2  # the cluster's two single-threaded workers
    assert remote.inside == estimate("dask", 10**8, seed=31, workers=2).inside == exact_count(10**8, 31)


def test_environment_variable_names_the_scheduler(dask_cluster, monkeypatch):
    address, *_ = dask_cluster
    monkeypatch.setenv("PILAB_DASK_SCHEDULER", address)
    assert estimate("dask", 10**6, seed=2).inside == exact_count(10**6, 2)


def test_a_worker_killed_mid_run_costs_no_point(dask_cluster):
    address, workers, _ = dask_cluster
    n, seed = 4 * 10**9, 77
    started = threading.Event()
    box = {}

    def progress(done, total):
        if done > total // 10:
            started.set()

    def run():
        try:
            box["result"] = estimate(
                "dask", n, seed=seed, scheduler=address, chunk=1 << 25, progress=progress
            )
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(60)
    os.kill(workers[1].pid, signal.SIGKILL)
    thread.join(120)
    assert "error" not in box, box.get("error")
    result = box["result"]
    assert result.inside == exact_count(n, seed)
    assert any("lost 1 worker" in note for note in result.notes), result.notes


def _cpu_seconds(pid: int) -> float:
    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


@pytest.mark.parametrize("victim", ["busy", "idle"])
def test_a_pool_worker_killed_mid_run_costs_no_point(victim):
    # with one task in flight on a pool of two, one worker computes and the other waits for a task while
    # holding the task queue's lock: killing that idle one deadlocks a plain Pool (CPython bpo-22393)
    n, seed = 2 * 10**9, 5
    pool = executors.process_pool(2)
    started = threading.Event()
    box = {}

    def run():
        try:
            box["result"] = estimate(
                "multiprocessing",
                n,
                seed=seed,
                workers=1,
                chunk=1 << 26,
                progress=lambda d, t: d > t // 10 and started.set(),
            )
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(60)
    pids = list(executors.pool_pids(pool))
    before = {pid: _cpu_seconds(pid) for pid in pids}
    time.sleep(0.3)
    used = {pid: _cpu_seconds(pid) - before[pid] for pid in pids}
    busy = max(pids, key=used.get)
    target = busy if victim == "busy" else min(pids, key=used.get)
    os.kill(target, signal.SIGKILL)
    thread.join(120)
    assert not thread.is_alive(), "the run hung after a worker was killed"
    assert "error" not in box, box.get("error")
    assert box["result"].inside == exact_count(n, seed)
    assert any("worker process died" in note for note in box["result"].notes)
    assert target not in executors.pool_pids(executors.process_pool(2))
    assert not any(p.is_alive() for p in pool._pool)  # the replaced pool leaves no worker behind


def _busiest_child(window_s: float = 0.5) -> float:
    """The largest share of a core any child process uses over ``window_s``: about 1 for a worker still
    computing, a few hundredths for an idle one (heartbeats). Per process, so that the many idle children
    a long test session gathers (clusters, pools, schedulers) do not add up to a false alarm."""

    def cpu(proc: psutil.Process) -> float:
        try:
            t = proc.cpu_times()
            return t.user + t.system
        except psutil.Error:
            return 0.0

    children = psutil.Process().children(recursive=True)
    before = [cpu(c) for c in children]
    time.sleep(window_s)
    return max((cpu(c) - b for c, b in zip(children, before, strict=True)), default=0.0) / window_s


@pytest.mark.parametrize("backend", ["multiprocessing", "joblib", "dask"])
def test_cancel_leaves_no_worker_busy_and_no_orphan(backend):
    estimate(backend, 10**6, seed=1, workers=2)  # pools and clusters up
    children_before = {p.pid for p in psutil.Process().children(recursive=True)}
    stop = threading.Event()
    t0 = time.monotonic()
    timer = threading.Timer(0.5, stop.set)
    timer.start()
    with pytest.raises(Cancelled):
        estimate(backend, 10**11, seed=1, workers=2, should_stop=stop.is_set)
    assert time.monotonic() - t0 < 1.5  # stopped within a second of the request
    time.sleep(0.3)
    assert _busiest_child() < 0.2
    children_after = {p.pid for p in psutil.Process().children(recursive=True)}
    assert children_after <= children_before  # nothing new left behind


def test_the_page_runs_on_a_scheduler_address_and_says_a_worker_was_lost(dask_cluster):
    from tests.test_pages import app, run_pi, until

    address, workers, sched_file = dask_cluster
    extra = _dask_worker(sched_file)  # a worker of this test's own, to kill
    workers.append(extra)
    _wait_for_workers(address, sum(p.poll() is None for p in workers))
    at = app("pages/pi_estimate.py")
    at.text_input(key="pi_scheduler").set_value(address)
    n = 10**10
    run_pi(at, n, ["dask"], seed=123)
    until(at, lambda a: "pi_job" not in a.session_state or a.session_state.pi_job.done > n // 10)
    extra.kill()
    until(at, lambda a: "pi_job" not in a.session_state, timeout=300)
    assert not at.exception
    (result,) = at.session_state.pi_results
    assert result.inside == exact_count(n, 123)
    assert any("lost 1 worker" in i.value for i in at.info), [i.value for i in at.info]
    (cluster,) = [e for e in at.expander if e.label.startswith("Dask cluster used")]
    assert address in cluster.label
