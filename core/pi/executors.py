"""Worker pools and Dask clients, started once per process, shared by every run and session, grown on demand.

A pool is never rebuilt per call: it only grows when a run asks for more workers than it has. How many
workers a run *uses* is how many of its tasks are in flight at once, so ``workers=1`` on a pool of four
keeps one process busy.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
import time
from multiprocessing.pool import Pool

from core.pi import tasks

CONNECT_TIMEOUT_S = 5
_lock = threading.RLock()
_pool: list[Pool] = []  # at most one
_pool_size = 0
_joblib_sizes: set[int] = set()
_clients: dict[str, object] = {}
_local_cluster: list[object] = []  # at most one


def default_workers() -> int:
    """Workers when none are asked for: one per core."""
    return os.cpu_count() or 1


def max_workers() -> int:
    """The most workers a run may ask for: a small factor over this machine's cores."""
    return 4 * default_workers()


def process_pool(workers: int) -> Pool:
    """A warmed ``multiprocessing`` pool of at least ``workers`` processes, started on first use.

    Workers are spawned (not forked: forking a threaded server, or Numba's OpenMP runtime, is unsafe), so
    a start costs an interpreter and a Numba import per worker; later calls reuse them.
    """
    global _pool_size
    with _lock:
        if _pool and _pool_size >= workers:
            return _pool[0]
        for old in _pool:
            old.terminate()
        _pool.clear()
        size = max(workers, default_workers())  # one per core at least: asking for fewer never restarts it
        pool = multiprocessing.get_context("spawn").Pool(size, initializer=tasks.warm_up)
        pool.map(time.sleep, [0.05] * size, chunksize=1)  # returns once the workers are up and warm
        _pool.append(pool)
        _pool_size = size
        return pool


def pool_pids(pool: Pool) -> frozenset[int]:
    """The worker process ids of a pool (a changed set means a worker died and was replaced)."""
    return frozenset(p.pid for p in pool._pool)


def pool_alive(pool: Pool) -> bool:
    return all(p.is_alive() for p in pool._pool)


def replace_pool(broken: Pool) -> Pool:
    """A fresh pool in place of one that lost a worker.

    A worker killed while it waited for a task dies holding the task queue's lock: the old pool can then
    hand out no task, nor even terminate (CPython bpo-22393). So its shutdown runs on a daemon thread that
    may never finish, its processes are killed, and a new pool of the same size takes its place.
    """
    with _lock:
        size = _pool_size
        if _pool and _pool[0] is broken:
            _pool.clear()
        closer = threading.Thread(target=broken.terminate, daemon=True, name="pilab-broken-pool")
        closer.start()
        broken._worker_handler.join(5)  # stops replacing workers once the shutdown has begun
        for process in list(broken._pool):  # a replacement started meanwhile is in the list by now
            process.kill()
        return process_pool(size)


def joblib_ready(workers: int) -> None:
    """Start (or reuse) joblib's loky workers for ``workers`` jobs, warmed."""
    from joblib import Parallel, delayed

    with _lock:
        if workers in _joblib_sizes:
            return
        Parallel(n_jobs=workers)(delayed(tasks.warm_up)() for _ in range(2 * workers))
        _joblib_sizes.add(workers)


def dask_client(address: str | None, workers: int):
    """A Dask client, connected (or its local cluster started) on first use.

    ``address`` (or ``PILAB_DASK_SCHEDULER``) names a running scheduler; without one, a ``LocalCluster`` of
    single-threaded worker processes on 127.0.0.1, grown to ``workers`` when a run asks for more.
    """
    from distributed import Client, LocalCluster

    address = address or os.environ.get("PILAB_DASK_SCHEDULER") or None
    slot = address or "local"
    with _lock:
        client = _clients.get(slot)
        if client is not None and client.status == "running":
            if not address and len(client.nthreads()) < workers:
                _local_cluster[0].scale(workers)
                client.wait_for_workers(workers, timeout=60)
                client.run(tasks.warm_up)
            return client
        if address:
            try:
                client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise ConnectionError(
                    f"the Dask scheduler at {address!r} did not answer within {CONNECT_TIMEOUT_S} s; "
                    "give an address like tcp://host:8786, or leave it empty for a local cluster"
                ) from exc
        else:
            close_client("local")
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
            )
            _local_cluster.append(cluster)
            client = Client(cluster, set_as_default=False)
        client.run(tasks.warm_up)
        _clients[slot] = client
        return client


def dask_cluster(address: str | None = None) -> dict | None:
    """The Dask cluster a run on ``address`` (default: ``PILAB_DASK_SCHEDULER`` or the local cluster) used:
    its scheduler, dashboard link and workers; ``None`` while no run has connected to it."""
    address = address or os.environ.get("PILAB_DASK_SCHEDULER") or None
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
    """Close the client of one scheduler address (or ``"local"``: the local cluster too)."""
    client = _clients.pop(slot, None)
    if client is not None:
        client.close()
    if slot == "local":
        for cluster in _local_cluster:
            cluster.close()
        _local_cluster.clear()


@atexit.register
def shutdown() -> None:
    """Stop every pool and cluster this process started."""
    global _pool_size
    with _lock:
        for pool in _pool:
            pool.terminate()
        _pool.clear()
        _pool_size = 0
        for slot in list(_clients):
            close_client(slot)
