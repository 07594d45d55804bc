"""The ``ray`` backend: optional, the shared stream's exact counts on a local instance and on a real cluster
of ``ray start`` processes, a worker killed mid-run, cancel, bounded shutdown, and clear errors for bad
addresses. The tests that need Ray skip where it is not installed (``make ray``); those that start Ray (a
local instance takes 10-20 s on two cores, the cluster more) are ``slow``: ``make test`` runs them, ``make
check`` does not."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from core.pi import BACKENDS, Cancelled, backends, closing, estimate, executors, ray_engine
from tests.support.apptest import app, run_pi, until
from tests.support.faults import Markers, exact_count

ROOT = Path(__file__).resolve().parents[2]
needs_ray = pytest.mark.skipif(bool(ray_engine.why_unavailable()), reason=str(ray_engine.why_unavailable()))


def pins(lock: str) -> dict[str, str]:
    found = {}
    for line in (ROOT / lock).read_text().splitlines():
        if m := re.match(r"([A-Za-z0-9_.\-\[\]]+)==(\S+)", line):
            found[m.group(1).lower()] = m.group(2)
    return found


def test_the_ray_lock_keeps_every_default_version():
    """requirements-ray.lock is resolved with the default set (constrained by requirements.lock): adding
    Ray changes no version that `make run` installs, it only adds packages."""
    default, with_ray = pins("requirements.lock"), pins("requirements-ray.lock")
    changed = {name: (v, with_ray.get(name)) for name, v in default.items() if with_ray.get(name) != v}
    assert not changed, changed
    assert "ray" in with_ray and "ray" not in default


def test_without_ray_the_backend_is_listed_unavailable_with_the_reason(monkeypatch):
    real = ray_engine.find_spec  # the name ray_engine looks ray up by: Python's own stays as it is
    monkeypatch.setattr(ray_engine, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    assert "ray" not in backends.available()
    (row,) = [r for r in backends.backend_rows() if r["name"] == "ray"]
    assert not row["available"] and "make ray" in row["why_unavailable"]
    with pytest.raises(ValueError, match="not available here: ray is not installed"):
        estimate("ray", 1000)


class HTTPOne:
    """A server on loopback that answers like an HTTP/1 server (not gRPC): a wrong address that answers."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(1024)
                conn.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("garbage://x:1", "is not a Ray address"),
        ("no-port", "is not a Ray address"),
        ("127.0.0.1:9", "did not answer within"),
        (None, "answered, but not as a Ray cluster"),
    ],
)
def test_a_bad_address_is_one_clear_line_within_seconds(address, message):
    server = HTTPOne()
    t0 = time.monotonic()
    with pytest.raises(ConnectionError, match=message) as caught:
        ray_engine.check_address(address or server.address)
    assert time.monotonic() - t0 < ray_engine.CONNECT_TIMEOUT_S + 1
    assert "\n" not in str(caught.value)
    server.sock.close()


@needs_ray
def test_the_command_line_refuses_an_address_that_does_not_answer_in_seconds():
    t0 = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "core.pi", "--backend", "ray", "--n", "1e6", "--ray-address", "127.0.0.1:9"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - t0 < 20  # interpreter and imports included
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "127.0.0.1:9" in line and "did not answer within" in line


def test_a_task_asks_a_share_of_a_cpu_so_that_every_worker_runs_at_once():
    assert ray_engine.task_cpus(2, 1) == ray_engine.task_cpus(2, 2) == 1.0
    for cpus, workers in [(2, 3), (2, 4), (3, 7), (16, 64), (1, 8)]:
        share = ray_engine.task_cpus(cpus, workers)
        assert 0 < share < 1 and round(share * workers, 4) <= cpus  # Ray's resources are exact to 1e-4
    assert ray_engine.task_cpus(0, 2) == 1.0  # a cluster that reports no CPU yet


@needs_ray
@pytest.mark.slow
def test_local_ray_counts_what_every_fast_backend_counts_with_any_workers():
    n, seed = 3_000_017, 2024
    exact = exact_count(n, seed)
    for workers, chunk in [(1, None), (2, None), (3, 65_536), (4, 250_007)]:
        e = estimate("ray", n, seed=seed, workers=workers, chunk=chunk)
        assert e.inside == exact, (workers, chunk)
        assert e.workers == workers
    assert estimate("ray", 10**8, seed=5, workers=2).inside == exact_count(10**8, 5)


def raylet() -> int:
    (pid,) = [p.pid for p in ray_engine.local_processes() if p.name() == "raylet"]
    return pid


@needs_ray
@pytest.mark.slow
def test_the_local_instance_starts_once_on_loopback_with_a_small_store_and_no_dashboard():
    estimate("ray", 10_000, seed=1, workers=2)
    first = raylet()
    for workers in (1, 4, 2):  # more workers than CPUs: a share of a CPU a task, never a restart
        estimate("ray", 10_000, seed=1, workers=workers)
    assert raylet() == first
    import ray

    assert ray.cluster_resources()["CPU"] == executors.default_workers()
    assert ray.cluster_resources()["object_store_memory"] <= ray_engine.OBJECT_STORE_BYTES
    assert ray_engine.cluster()["nodes"] == ["127.0.0.1"]
    listening = [
        c.laddr
        for p in ray_engine.local_processes()
        for c in safe_connections(p)
        if c.status == psutil.CONN_LISTEN
    ]
    assert listening and all(a.ip in ("127.0.0.1", "::ffff:127.0.0.1") for a in listening), listening
    assert 8265 not in {a.port for a in listening}  # the dashboard's port: not opened


def safe_connections(proc: psutil.Process) -> list:
    try:
        return proc.net_connections(kind="inet")
    except psutil.Error:
        return []


@needs_ray
@pytest.mark.slow
def test_three_workers_compute_at_once_on_a_local_instance_of_fewer_cpus():
    estimate("ray", 10_000, seed=1, workers=2)
    workers, n, seed = executors.default_workers() + 1, 12 * 2**20, 41
    box: dict = {}
    with Markers() as markers:
        thread = threading.Thread(
            target=lambda: box.update(result=estimate("ray", n, seed=seed, workers=workers, chunk=2**20)),
            daemon=True,
        )
        thread.start()
        markers.wait(lambda: len(markers.started()) >= workers)  # all waiting for go, none ended: at once
        assert len({pid for _, pid in markers.started()}) == workers
        markers.go()
        thread.join(120)
    assert box["result"].inside == exact_count(n, seed) and box["result"].workers == workers


@needs_ray
@pytest.mark.slow
def test_a_local_worker_killed_mid_run_costs_no_point_and_the_notes_say_so():
    estimate("ray", 10_000, seed=1, workers=2)
    n, seed = 8 * 2**20, 43
    box: dict = {}

    def run() -> None:
        try:
            box["result"] = estimate("ray", n, seed=seed, workers=2, chunk=2**20)
        except BaseException as exc:
            box["error"] = exc

    with Markers() as markers:
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        markers.wait(lambda: len(markers.started()) >= 2)  # two tasks wait for go on two workers
        (_, victim), *_ = sorted(markers.started())
        os.kill(victim, signal.SIGKILL)
        markers.go()
        thread.join(120)
        assert not thread.is_alive(), "the run hung after a Ray worker was killed"
    assert "error" not in box, box.get("error")
    assert box["result"].inside == exact_count(n, seed)
    assert any("WorkerCrashedError" in note and "count is unchanged" in note for note in box["result"].notes)
    assert estimate("ray", n, seed=seed, workers=2).inside == exact_count(n, seed)


@needs_ray
@pytest.mark.slow
def test_a_stop_on_local_ray_ends_the_run_and_leaves_no_task_running():
    estimate("ray", 10**6, seed=1, workers=2)
    with Markers() as markers:
        markers.go()
        t0 = time.monotonic()
        with pytest.raises(Cancelled):
            estimate(
                "ray", 10**11, seed=1, workers=2, chunk=2**22, should_stop=lambda: len(markers.ended()) >= 4
            )
        assert time.monotonic() - t0 < 30  # generous: a stop is seen within one range (milliseconds)
        markers.wait(lambda: set(markers.started()) <= set(markers.ended()), timeout=10)
        started = set(markers.started())
        time.sleep(0.3)
        assert set(markers.started()) == started  # and nothing new started after the stop
    assert estimate("ray", 10**6, seed=1, workers=2).inside == exact_count(10**6, 1)


@needs_ray
@pytest.mark.slow
def test_shutdown_stops_the_local_instance_within_its_deadline_and_nothing_starts_after():
    estimate("ray", 10_000, seed=1, workers=2)
    assert ray_engine.local_processes()
    t0 = time.monotonic()
    executors.shutdown()
    try:
        assert time.monotonic() - t0 < 30  # bounded: Ray's shutdown, then terminate → wait → kill
        assert ray_engine.local_processes() == []
        with pytest.raises(closing.ShuttingDown):
            estimate("ray", 1000, seed=0, workers=2)
    finally:
        closing.reopen()


@pytest.fixture(scope="module")
def ray_cluster():
    """`ray start --head` and one more node, one CPU each, as processes of this test."""
    from tests.support.ray_cluster import RayCluster

    with RayCluster(nodes=2) as cluster:
        yield cluster


@needs_ray
@pytest.mark.slow
def test_a_cluster_by_address_counts_exactly_the_local_points(ray_cluster, monkeypatch):
    remote = estimate("ray", 10**8, seed=31, ray_address=ray_cluster.address)
    assert remote.workers == 2  # the cluster's two CPUs, one a node
    assert remote.inside == exact_count(10**8, 31)
    assert len(ray_engine.cluster()["nodes"]) == 2
    monkeypatch.setenv("PILAB_RAY_ADDRESS", ray_cluster.address)
    assert estimate("ray", 10**6, seed=2).inside == exact_count(10**6, 2)
    client = estimate("ray", 10**7, seed=3, ray_address=ray_cluster.client_address)  # Ray Client
    assert client.inside == exact_count(10**7, 3) and client.workers == 2


@needs_ray
@pytest.mark.slow
def test_the_command_line_runs_on_a_cluster_by_its_address(ray_cluster):
    command = [sys.executable, "-m", "core.pi", "--backend", "ray", "--n", "1e7", "--seed", "4", "--json"]
    command += ["--ray-address", ray_cluster.address]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["inside"] == exact_count(10**7, 4) and result["workers"] == 2


@needs_ray
@pytest.mark.slow
def test_a_worker_killed_mid_run_costs_no_point_and_the_notes_say_so(ray_cluster):
    n, seed = 24 * 2**20, 77
    box: dict = {}

    def run() -> None:
        try:
            box["result"] = estimate("ray", n, seed=seed, ray_address=ray_cluster.address, chunk=2**20)
        except BaseException as exc:
            box["error"] = exc

    with Markers() as markers:
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        markers.go()
        markers.wait(lambda: len(markers.ended()) >= 4)
        (markers.folder / "go").unlink()  # the next tasks wait inside, on the workers

        def two_waiting():
            """both workers hold a task that waits for go"""
            waiting = set(markers.started()) - set(markers.ended())
            time.sleep(0.3)
            return len(waiting) == 2 and waiting == set(markers.started()) - set(markers.ended())

        markers.wait(two_waiting)
        (_, victim), *_ = sorted(set(markers.started()) - set(markers.ended()))
        os.kill(victim, signal.SIGKILL)
        markers.go()
        thread.join(120)
        assert not thread.is_alive(), "the run hung after a Ray worker was killed"
    assert "error" not in box, box.get("error")
    result = box["result"]
    assert result.inside == exact_count(n, seed)
    assert any("WorkerCrashedError" in note and "count is unchanged" in note for note in result.notes)
    again = estimate("ray", n, seed=seed + 1, ray_address=ray_cluster.address)
    assert again.inside == exact_count(n, seed + 1)


@needs_ray
@pytest.mark.slow
def test_cancel_on_a_cluster_stops_and_leaves_no_task_running(ray_cluster):
    estimate("ray", 10**6, seed=1, ray_address=ray_cluster.address)
    asked: dict = {}

    with Markers() as markers:
        markers.go()

        def should_stop() -> bool:
            if len(markers.ended()) >= 4:
                asked.setdefault("at", time.monotonic())
            return "at" in asked

        with pytest.raises(Cancelled):
            estimate(
                "ray", 10**11, seed=1, ray_address=ray_cluster.address, chunk=2**22, should_stop=should_stop
            )
        assert time.monotonic() - asked["at"] < 30  # generous: a stop is seen within one range (ms)

        def settled():
            """every task that started has ended, or its worker is gone"""
            ended = markers.ended()
            return all(key in ended or not psutil.pid_exists(key[1]) for key in markers.started())

        markers.wait(settled, timeout=10)
        started = set(markers.started())
        time.sleep(0.5)
        assert set(markers.started()) == started  # and nothing new started after the stop


@needs_ray
@pytest.mark.slow
def test_the_page_runs_on_a_ray_address_the_operator_gives(ray_cluster):
    at = app("pages/pi_estimate.py")
    at.text_input(key="pi_ray_address").set_value(ray_cluster.address)
    run_pi(at, 10**8, ["ray"], seed=123)
    until(at, lambda a: "pi_job" not in a.session_state, timeout=300)
    assert not at.exception
    (result,) = at.session_state.pi_results
    assert result.inside == exact_count(10**8, 123) and result.workers == 2


def test_a_student_never_sees_the_ray_address_field():
    from tests.support.apptest import STUDENT, texts

    student = app("pages/pi_estimate.py", secrets=STUDENT)
    assert not [t for t in student.text_input if t.key == "pi_ray_address"]
    assert "Ray address" not in texts(student)
    assert "ray" in BACKENDS
