"""Killing workers at points a test controls: a counting task that reports itself, and the fault scenarios
that the fault tests and ``benchmarks/faults.py`` (20 repetitions under load) share.

Put in place of ``core.pi.tasks.count_range`` (``with Markers() as markers``), the task writes
``start-LO-PID`` into a folder before it computes, waits there until the test writes ``go`` (or a minute
passes), computes the real count, and writes ``end-LO-PID``. Workers find the folder from their parent's
pid, so it works in any pool, started before or after the test (Pool, loky and Dask workers are all
children of the test process; a local Ray instance's workers are its grandchildren).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psutil

from core.pi import Estimate, closing, estimate, executors
from core.pi.kernels import count_inside
from core.runtime import processes
from tests.support.waiting import wait_until

WAIT_S = 60


def folder_for(parent_pid: int) -> Path:
    return Path(tempfile.gettempdir()) / f"pilab-faults-{parent_pid}"


def _folder() -> Path:
    """The test's folder: named in the environment (a ``ProcessCluster``'s or ``RayCluster``'s workers),
    else the parent's (a pool worker), else the grandparent's (a worker of the app's local Ray instance,
    under its raylet), else this process's own (a thread of the app's in-process Dask cluster)."""
    named = os.environ.get("PILAB_FAULT_DIR")
    if named:
        return Path(named)
    parent = folder_for(os.getppid())
    if parent.exists():
        return parent
    with contextlib.suppress(psutil.Error):
        grandparent = folder_for(psutil.Process(os.getppid()).ppid())
        if grandparent.exists():
            return grandparent
    return folder_for(os.getpid())


def count_range(key: int, start: int, stop: int) -> int:
    """``core.pi.tasks.count_range``, reporting its start and end in the test's folder."""
    folder = _folder()
    pid = os.getpid()
    (folder / f"start-{start}-{pid}").write_text(repr(time.time()))
    deadline = time.monotonic() + WAIT_S
    while not (folder / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.002)
    count = int(count_inside(np.uint64(key), start, stop))
    (folder / f"end-{start}-{pid}").write_text(repr(time.time()))
    return count


class Markers:
    """The test's side: the folder, the tasks that started and ended, and the ``go`` signal."""

    def __init__(self) -> None:
        self.folder = folder_for(os.getpid())
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)

    def __enter__(self) -> Markers:
        from core.pi import tasks

        self._real = tasks.count_range
        tasks.count_range = count_range
        return self

    def __exit__(self, *exc) -> None:
        from core.pi import tasks

        tasks.count_range = self._real
        shutil.rmtree(self.folder, ignore_errors=True)

    def go(self) -> None:
        (self.folder / "go").touch()

    def _read(self, kind: str) -> dict[tuple[int, int], float]:
        found = {}
        for path in self.folder.glob(f"{kind}-*"):
            _, lo, pid = path.name.split("-")
            text = path.read_text()
            if text:
                found[(int(lo), int(pid))] = float(text)
        return found

    def started(self) -> dict[tuple[int, int], float]:
        """(range start, worker pid) → when the task started."""
        return self._read("start")

    def ended(self) -> dict[tuple[int, int], float]:
        return self._read("end")

    def wait(self, what, timeout: float = 60) -> None:
        """Wait until ``what()`` is true; fail the test after ``timeout`` s."""
        wait_until(what, timeout=timeout, what=what.__doc__ or str(what), every=0.005)

    def most_at_once(self) -> int:
        """The most tasks that ran at the same time (from their start and end times)."""
        ended = self.ended()
        events = sorted(
            [(t, 1) for key, t in self.started().items() if key in ended] + [(t, -1) for t in ended.values()]
        )
        running = most = 0
        for _, step in events:
            running += step
            most = max(most, running)
        return most


MOMENTS = ("start", "mid-run", "idle", "between runs")
LOST_NOTE = {
    "multiprocessing": "worker process died",
    "joblib": "worker process died",
    "dask": "lost 1 worker",
}


@dataclass(kw_only=True)
class Outcome:
    """What one fault scenario gave: the run that lost a worker, the run after it, and what is right."""

    result: Estimate
    again: Estimate
    exact: tuple[int, int]
    survivors: set[int]  # workers of a broken pool still alive a few seconds after both runs (not Dask)

    @property
    def right(self) -> bool:
        return (self.result.inside, self.again.inside) == self.exact

    @property
    def notes(self) -> tuple[str, ...]:
        return self.result.notes + self.again.notes


def fresh(backend: str, cluster=None) -> set[int]:
    """``backend``'s two worker processes, started afresh (for Dask: ``cluster``'s, a ``ProcessCluster``,
    whose nannies have replaced any worker killed before)."""
    if backend == "dask":
        cluster.wait_for(2)
        return cluster.worker_pids()
    executors.shutdown()
    closing.reopen()
    estimate(backend, 1000, seed=0, workers=2)
    return {p.pid for p in processes.workers()}


def kill_a_worker(backend: str, moment: str, seed: int = 11, cluster=None, timeout: float = 120) -> Outcome:
    """Kill one of ``backend``'s two workers at ``moment``, then run once more. Dask runs on ``cluster`` (a
    ``ProcessCluster``: the app's own local cluster runs its workers as threads, which cannot be killed).

    ``start``: the worker of the first task, before it computes. ``mid-run``: a computing worker once two
    ranges have finished. ``idle``: a worker waiting for work while the other computes the run's only task.
    ``between runs``: a worker of an idle pool, before the run.
    """
    pids = fresh(backend, cluster)
    where = {"scheduler": cluster.address} if backend == "dask" else {}
    n = 40 * 2**20
    with Markers() as markers:
        if moment == "between runs":
            os.kill(min(pids), signal.SIGKILL)
            markers.go()
            result = estimate(backend, n, seed=seed, workers=2, chunk=2**20, **where)
        else:
            box: dict = {}
            chunk = n if moment == "idle" else 2**20  # one task: one worker computes, the other waits

            def run() -> None:
                try:
                    box["result"] = estimate(backend, n, seed=seed, workers=2, chunk=chunk, **where)
                except BaseException as exc:
                    box["error"] = exc

            thread = threading.Thread(target=run, daemon=True)
            thread.start()
            if moment == "mid-run":
                markers.go()
                markers.wait(lambda: len(markers.ended()) >= 2)
                computing = [
                    pid for key in markers.started() if key not in markers.ended() for pid in key[1:]
                ]
                victim = computing[0] if computing else next(iter(markers.started()))[1]
            else:
                markers.wait(lambda: markers.started())
                (_, first), *_ = markers.started()
                victim = first if moment == "start" else min(pids - {first})
            os.kill(victim, signal.SIGKILL)
            markers.go()
            thread.join(timeout)
            assert not thread.is_alive(), f"the run hung after a worker was killed ({backend}, {moment})"
            if "error" in box:
                raise box["error"]
            result = box["result"]
    again = estimate(backend, n, seed=seed + 1, workers=2, **where)
    survivors: set[int] = set()
    if backend != "dask":  # a broken pool's workers must all go; Dask's other worker rightly stays
        old = [p for p in processes.workers() if p.pid in pids]
        _, alive = psutil.wait_procs(old, timeout=5)
        survivors = {p.pid for p in alive}
    return Outcome(
        result=result,
        again=again,
        exact=(exact_count(n, seed), exact_count(n, seed + 1)),
        survivors=survivors,
    )


def exact_count(n: int, seed: int) -> int:
    """The count every counter-based backend must give, from Numba's threads in this process."""
    return estimate("numba_parallel", n, seed=seed, workers=2).inside
