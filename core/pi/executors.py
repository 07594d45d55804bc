"""Worker pools and Dask clients, started once per process and reused by every run (never per call)."""

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
_pools: dict[int, Pool] = {}
_joblib_warm: set[int] = set()
_clients: dict[str, object] = {}
_local_cluster: dict[str, object] = {}


def default_workers() -> int:
    """Workers when none are asked for: one per core."""
    return os.cpu_count() or 1


def max_workers() -> int:
    """The most workers a run may ask for: a small factor over this machine's cores."""
    return 4 * (os.cpu_count() or 1)


def process_pool(workers: int) -> Pool:
    """A warmed ``multiprocessing`` pool of ``workers`` processes, started on first use.

    Workers are spawned (not forked: forking a threaded server, or Numba's OpenMP runtime, is unsafe), so
    the first start costs an interpreter and a Numba import per worker; later calls reuse them. Only one
    pool size is kept: asking for another size closes the old pool.
    """
    with _lock:
        pool = _pools.get(workers)
        if pool is not None:
            return pool
        for old in _pools.values():
            old.terminate()
        _pools.clear()
        pool = multiprocessing.get_context("spawn").Pool(workers, initializer=tasks.warm_up)
        pool.map(time.sleep, [0.05] * workers, chunksize=1)  # returns once the workers are up and warm
        _pools[workers] = pool
        return pool


def pool_pids(pool: Pool) -> frozenset[int]:
    """The worker process ids of a pool (a changed set means a worker died and was replaced)."""
    return frozenset(p.pid for p in pool._pool)


def joblib_ready(workers: int) -> None:
    """Start (or reuse) joblib's loky workers for ``workers`` jobs, warmed."""
    from joblib import Parallel, delayed

    with _lock:
        if workers in _joblib_warm:
            return
        Parallel(n_jobs=workers)(delayed(tasks.warm_up)() for _ in range(2 * workers))
        _joblib_warm.clear()
        _joblib_warm.add(workers)


def dask_client(address: str | None, workers: int):
    """A Dask client, connected (or its local cluster started) on first use.

    ``address`` (or ``PILAB_DASK_SCHEDULER``) names a running scheduler; without one a ``LocalCluster`` of
    ``workers`` single-threaded processes on 127.0.0.1 is started once and reused.
    """
    from distributed import Client, LocalCluster

    address = address or os.environ.get("PILAB_DASK_SCHEDULER") or None
    slot = address or f"local:{workers}"
    with _lock:
        client = _clients.get(slot)
        if client is not None and client.status == "running":
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
            for key in [k for k in _clients if k.startswith("local:")]:
                _close_client(key)
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
            )
            _local_cluster[slot] = cluster
            client = Client(cluster, set_as_default=False)
        client.run(tasks.warm_up)
        _clients[slot] = client
        return client


def _close_client(slot: str) -> None:
    client = _clients.pop(slot, None)
    if client is not None:
        client.close()
    cluster = _local_cluster.pop(slot, None)
    if cluster is not None:
        cluster.close()


@atexit.register
def shutdown() -> None:
    """Stop every pool and cluster this process started."""
    with _lock:
        for pool in _pools.values():
            pool.terminate()
        _pools.clear()
        for slot in list(_clients):
            _close_client(slot)
