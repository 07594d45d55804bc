"""Worker pools and Dask clients: started once per process and shared by every run, replaced when a worker
dies, and stopped within a deadline on every way out (``shutdown``, also run at interpreter exit).

A pool is never rebuilt per call: it grows when a run asks for more workers than it has. How many workers a
run *uses* is how many of its tasks are in flight at once (see ``pools.gather``), so ``workers=1`` on a
pool of four keeps one process busy. Dead workers are found through documented contracts only: a
``ProcessPoolExecutor`` whose worker died raises ``BrokenProcessPool`` (on its futures and on ``submit``).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from concurrent.futures import wait as wait_all

import numpy as np

from core.pi import tasks
from core.runtime import processes

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5
START_TIMEOUT_S = 120  # spawning a worker imports NumPy and Numba: seconds each on a busy two-core machine
CLOSE_TIMEOUT_S = 2
GROW_TIMEOUT_S = 30  # new workers join in a moment; past this the local cluster starts afresh

_pool_lock = threading.RLock()  # one lock a resource: starting Dask never waits for the pool, or the reverse
_joblib_lock = threading.Lock()
_dask_lock = threading.RLock()
_warming: list[threading.Thread] = []
_executor: ProcessPoolExecutor | None = None
_executor_size = 0
_joblib_sizes: set[int] = set()
_clients: dict[str, object] = {}
_local_cluster: list[object] = []  # at most one
_closed = threading.Event()
_engine_stops: list[Callable[[], None]] = []  # engines with processes of their own: stop_on_shutdown


class ShuttingDown(RuntimeError):
    """A pool or cluster was asked for after ``shutdown()``."""


def default_workers() -> int:
    """Workers when none are asked for: one per core."""
    return os.cpu_count() or 1


def max_workers() -> int:
    """The most workers a run may ask for: a small factor over this machine's cores."""
    return 4 * default_workers()


def check_open() -> None:
    """Raise ``ShuttingDown`` once ``shutdown()`` has begun: called before starting any pool or cluster."""
    if _closed.is_set():
        raise ShuttingDown("Pi Lab is shutting down; no new pool or cluster starts")


def process_executor(workers: int) -> ProcessPoolExecutor:
    """A warmed pool of at least ``workers`` spawned processes, started on first use and then reused.

    Spawned (not forked: forking a threaded server, or Numba's threading layer, is unsafe), so a start costs
    an interpreter and a Numba import per worker. Raises ``BrokenProcessPool`` when a worker dies while the
    pool starts (``renew_process_executor`` then gives a fresh one).
    """
    global _executor, _executor_size
    with _pool_lock:
        check_open()
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
        check_open()
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


def scheduler_address(address: str | None) -> str | None:
    """The Dask scheduler to use: ``address``, else ``PILAB_DASK_SCHEDULER``, else None (a local cluster)."""
    return (address or os.environ.get("PILAB_DASK_SCHEDULER") or "").strip() or None


def check_scheduler(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Raise ``ConnectionError`` (one line) unless a Dask scheduler answers at ``address`` within ``timeout``.

    Asks the scheduler who it is (``identity``) over Dask's own comm layer, under one overall deadline: a
    server that accepts the connection but is not a Dask scheduler never answers the handshake.
    """
    from distributed.comm import connect

    hint = "give an address like tcp://host:8786, or leave it empty for a local cluster"

    async def identity() -> dict:
        comm = await connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    try:
        reply = _in_own_loop(identity, timeout)
    except ValueError as exc:  # an unknown scheme, a missing port …
        raise ConnectionError(f"{address!r} is not a Dask scheduler address ({exc}); {hint}") from None
    except (TimeoutError, OSError, EOFError) as exc:
        why = type(exc).__name__
        raise ConnectionError(
            f"the Dask scheduler at {address!r} did not answer within {timeout:g} s ({why}); {hint}"
        ) from None
    except Exception as exc:  # a server speaking another protocol: whatever its reply made of the handshake
        what = type(exc).__name__
        raise ConnectionError(f"{address!r} did not answer as a Dask scheduler ({what}); {hint}") from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise ConnectionError(f"{address!r} answered, but not as a Dask scheduler; {hint}")


def _in_own_loop(coroutine_function, timeout: float):
    """Run a coroutine to its end under ``timeout`` on a thread of its own, so an event loop already
    running in the calling thread (Streamlit's, a test's) is never in the way."""
    box: dict = {}

    def run() -> None:
        try:
            box["value"] = asyncio.run(asyncio.wait_for(coroutine_function(), timeout))
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True, name="pilab-dask-probe")
    thread.start()
    thread.join(timeout + 1)
    if thread.is_alive():
        raise TimeoutError(f"no answer within {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def dask_client(address: str | None, workers: int):
    """A Dask client, connected (or its local cluster started) on first use.

    ``address`` (or ``PILAB_DASK_SCHEDULER``) names a running scheduler; without one, a ``LocalCluster`` on
    127.0.0.1 whose ``workers`` single-threaded workers are threads of this process (the counting kernel
    releases the GIL, so they compute in parallel; no process to spawn), grown when a run asks for more.
    """
    from distributed import Client, LocalCluster

    address = scheduler_address(address)
    slot = address or "local"
    with _dask_lock:
        check_open()
        client = _clients.get(slot)
        if client is not None and client.status == "running":
            if address or len(client.nthreads()) >= workers or _grown(client, workers):
                return client
            close_client("local")  # workers that never joined: start the cluster afresh
        processes.at_exit(shutdown)
        if address:
            check_scheduler(address)
            client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        else:
            close_client("local")
            cluster = LocalCluster(  # workers as threads of this process: the kernel releases the GIL,
                n_workers=workers,  # and a server starts its cluster in a fraction of a second
                threads_per_worker=1,
                processes=False,
                protocol="tcp",  # a real scheduler on loopback, as a remote one is
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
            )
            _local_cluster.append(cluster)
            client = Client(cluster, set_as_default=False)
        client.run(tasks.warm_up)
        _clients[slot] = client
        return client


def _grown(client, workers: int) -> bool:
    """Grow the local cluster to ``workers`` (or wait for its nannies to replace lost ones); False if that
    does not happen within ``GROW_TIMEOUT_S``."""
    from distributed.exceptions import WorkerStartTimeoutError

    _local_cluster[0].scale(workers)
    try:
        client.wait_for_workers(workers, timeout=GROW_TIMEOUT_S)
    except (WorkerStartTimeoutError, TimeoutError):
        return False
    client.run(tasks.warm_up)
    return True


def dask_cluster(address: str | None = None) -> dict | None:
    """The Dask cluster a run on ``address`` (default: ``PILAB_DASK_SCHEDULER`` or the local cluster) used:
    its scheduler, dashboard link and workers; ``None`` while no run has connected to it."""
    address = scheduler_address(address)
    client = _clients.get(address or "local")
    if client is None or client.status != "running":
        return None
    info = client.scheduler_info()
    workers = [
        {"worker": addr, "name": str(w.get("name", "")), "threads": w.get("nthreads", 0)}
        for addr, w in sorted(info.get("workers", {}).items())
    ]
    return {"scheduler": info.get("address", address), "dashboard": client.dashboard_link, "workers": workers}


def close_client(slot: str) -> None:
    """Close the client of one scheduler address (or ``"local"``: the local cluster too), each within
    ``CLOSE_TIMEOUT_S``; processes that outlive it are stopped by ``shutdown``."""
    client = _clients.pop(slot, None)
    if client is not None:
        processes.call_within(lambda: client.close(timeout=CLOSE_TIMEOUT_S), CLOSE_TIMEOUT_S + 1)
    if slot == "local":
        for cluster in _local_cluster:
            processes.call_within(lambda c=cluster: c.close(timeout=CLOSE_TIMEOUT_S), CLOSE_TIMEOUT_S + 1)
        _local_cluster.clear()


def shutdown(timeout: float = processes.STOP_TIMEOUT_S) -> None:
    """Stop every pool and cluster this process started, within about ``timeout`` s: ask each to stop,
    then terminate → wait → kill every worker process left. Nothing starts again afterwards."""
    global _executor, _executor_size
    _closed.set()
    if _pool_lock.acquire(timeout=1):  # a run stuck while starting a pool holds it: the kill below does
        try:
            if _executor is not None:
                _executor.shutdown(wait=False, cancel_futures=True)
            _executor, _executor_size = None, 0
        finally:
            _pool_lock.release()
    _joblib_sizes.clear()
    if _dask_lock.acquire(timeout=1):
        try:
            for slot in list(_clients):
                close_client(slot)
            close_client("local")
        finally:
            _dask_lock.release()
    for stop in _engine_stops:  # Ray keeps its own lock and processes
        stop()
    processes.stop(processes.workers(), timeout)


def stop_on_shutdown(stop: Callable[[], None]) -> None:
    """Have ``shutdown`` also call ``stop`` (after the pools and Dask, before the last kill): how an engine
    that keeps its own processes, like ``ray_engine``, joins the way out without this module importing it."""
    if stop not in _engine_stops:
        _engine_stops.append(stop)


def reopen() -> None:
    """Allow pools and clusters to start again after ``shutdown()`` (tests that check a clean shutdown)."""
    _closed.clear()


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
    if not scheduler_address(None):
        steps.append(lambda: dask_client(None, workers))
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
