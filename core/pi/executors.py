"""Worker pools (the process pool, loky's workers): started once per process and shared by every run,
replaced when a worker dies; and the way in and out for every pool and cluster: ``warm_up`` starts them in
the background, ``shutdown`` (also run at interpreter exit) stops them within a deadline, the Dask clients
of ``core.pi.dask_client`` and the engines that join through ``stop_on_shutdown`` (Ray) included.

A pool is never rebuilt per call: it grows when a run asks for more workers than it has. How many workers a
run *uses* is how many of its tasks are in flight at once (see ``pools.gather``), so ``workers=1`` on a
pool of four keeps one process busy. Dead workers are found through documented contracts only: a
``ProcessPoolExecutor`` whose worker died raises ``BrokenProcessPool`` (on its futures and on ``submit``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from concurrent.futures import wait as wait_all

import numpy as np

from core.pi import closing, dask_client, tasks
from core.runtime import processes

log = logging.getLogger(__name__)

START_TIMEOUT_S = 120  # spawning a worker imports NumPy and Numba: seconds each on a busy two-core machine

_pool_lock = threading.RLock()  # one lock a resource: starting loky never waits for the pool, or the reverse
_joblib_lock = threading.Lock()
_warming: list[threading.Thread] = []
_executor: ProcessPoolExecutor | None = None
_executor_size = 0
_joblib_sizes: set[int] = set()
_engine_stops: list[Callable[[], None]] = []  # engines with processes of their own: stop_on_shutdown


def default_workers() -> int:
    """Workers when none are asked for: one per core."""
    return os.cpu_count() or 1


def max_workers() -> int:
    """The most workers a run may ask for: a small factor over this machine's cores."""
    return 4 * default_workers()


def process_executor(workers: int) -> ProcessPoolExecutor:
    """A warmed pool of at least ``workers`` spawned processes, started on first use and then reused.

    Spawned (not forked: forking a threaded server, or Numba's threading layer, is unsafe), so a start costs
    an interpreter and a Numba import per worker. Raises ``BrokenProcessPool`` when a worker dies while the
    pool starts (``renew_process_executor`` then gives a fresh one).
    """
    global _executor, _executor_size
    with _pool_lock:
        closing.check_open()
        if _executor is not None and _executor_size >= workers:
            return _executor
        if _executor is not None:
            _executor.shutdown(wait=False)  # its running tasks finish; later ones go to the new pool
        size = max(workers, default_workers())  # one per core at least: asking for fewer never restarts it
        executor = ProcessPoolExecutor(
            size, mp_context=multiprocessing.get_context("spawn"), initializer=tasks.start_worker
        )
        _executor, _executor_size = executor, size
        processes.at_exit(shutdown)
        started = [executor.submit(tasks.ready) for _ in range(size)]  # one process is spawned a task
        _, late = wait_all(started, timeout=START_TIMEOUT_S)
        if late:
            raise TimeoutError(f"the pool's {size} worker processes did not start within {START_TIMEOUT_S} s")
        for future in started:
            future.result()
        return executor


def renew_process_executor(workers: int) -> ProcessPoolExecutor:
    """The pool, replaced by a fresh one if a worker died (it then refuses work with ``BrokenProcessPool``).

    The broken pool has already stopped its other workers; its queues may be in any state, so it is only
    shut down without waiting, and a new pool of the same size takes its place.
    """
    global _executor
    with _pool_lock:
        executor = _executor
        if executor is not None:
            try:
                executor.submit(tasks.ready)
            except (BrokenExecutor, RuntimeError):  # broken, or shut down
                executor.shutdown(wait=False, cancel_futures=True)
                _executor = None
        return process_executor(max(workers, _executor_size))


def joblib_ready(workers: int) -> None:
    """Start (or reuse) joblib's loky workers for ``workers`` jobs, warmed."""
    from joblib import Parallel, delayed

    with _joblib_lock:
        closing.check_open()
        if workers in _joblib_sizes:
            return
        processes.at_exit(shutdown)
        for attempt in range(3):  # loky replaces workers that died since the last run on the next call
            try:
                Parallel(n_jobs=workers)(delayed(tasks.warm_up)() for _ in range(2 * workers))
                break
            except BrokenExecutor:
                if attempt == 2:
                    raise
        _joblib_sizes.add(workers)


def joblib_restarted() -> None:
    """Forget that loky's workers are warm (joblib stops them on a cancel and replaces a broken set)."""
    _joblib_sizes.clear()


def shutdown(timeout: float = processes.STOP_TIMEOUT_S) -> None:
    """Stop every pool and cluster this process started, within about ``timeout`` s: ask each to stop,
    then terminate → wait → kill every worker process left. Nothing starts again afterwards."""
    global _executor, _executor_size
    closing.close()
    if _pool_lock.acquire(timeout=1):  # a run stuck while starting a pool holds it: the kill below does
        try:
            if _executor is not None:
                _executor.shutdown(wait=False, cancel_futures=True)
            _executor, _executor_size = None, 0
        finally:
            _pool_lock.release()
    _joblib_sizes.clear()
    dask_client.close_all()
    for stop in _engine_stops:  # Ray keeps its own lock and processes
        stop()
    processes.stop(processes.workers(), timeout)


def stop_on_shutdown(stop: Callable[[], None]) -> None:
    """Have ``shutdown`` also call ``stop`` (after the pools and Dask, before the last kill): how an engine
    that keeps its own processes, like ``ray_engine``, joins the way out without this module importing it."""
    if stop not in _engine_stops:
        _engine_stops.append(stop)


def warm_up(workers: int | None = None) -> None:
    """Start, in the background, what a first run would wait for: the process pool, loky's workers, the
    local Dask cluster (unless ``PILAB_DASK_SCHEDULER`` names one) and Numba's cached kernels. Returns at
    once; ``warming()`` says whether it is still going. A run that needs a pool meanwhile waits for it."""
    from core.pi import kernels

    if _warming:  # once per process
        return
    workers = workers or default_workers()
    steps = [
        lambda: kernels.count_inside_parallel(np.uint64(0), 0, 1),
        lambda: process_executor(workers),
        lambda: joblib_ready(workers),
    ]
    if not dask_client.scheduler_address(None):
        steps.append(lambda: dask_client.dask_client(None, workers))
    for step in steps:
        thread = threading.Thread(target=_quietly, args=(step,), daemon=True, name="pilab-warm-up")
        _warming.append(thread)
        thread.start()


def _quietly(step) -> None:
    """A warm-up step: a failure here is met again, with its message, by the run that needs it."""
    try:
        step()
    except Exception:
        log.info("warm-up step failed; the first run that needs it will say why", exc_info=True)


def warming() -> bool:
    """Whether ``warm_up`` is still starting something."""
    return any(t.is_alive() for t in _warming)
