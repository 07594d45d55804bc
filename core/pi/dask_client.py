"""Dask clients: a running scheduler's (probed first, with one line when it does not answer) or a local
cluster's, connected once per process and reused, grown when a run asks for more workers, and closed
within a deadline (``close_all``, which ``executors.shutdown`` calls)."""

from __future__ import annotations

import asyncio
import os
import threading

from core.pi import closing, tasks
from core.runtime import processes

CONNECT_TIMEOUT_S = 5
CLOSE_TIMEOUT_S = 2
GROW_TIMEOUT_S = 30  # new workers join in a moment; past this the local cluster starts afresh

_dask_lock = threading.RLock()
_clients: dict[str, object] = {}
_local_cluster: list[object] = []  # at most one


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
        closing.check_open()
        client = _clients.get(slot)
        if client is not None and client.status == "running":
            if address or len(client.nthreads()) >= workers or _grown(client, workers):
                return client
            close_client("local")  # workers that never joined: start the cluster afresh
        processes.at_exit(_at_exit)
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
    ``CLOSE_TIMEOUT_S``; processes that outlive it are stopped by ``executors.shutdown``."""
    client = _clients.pop(slot, None)
    if client is not None:
        processes.call_within(lambda: client.close(timeout=CLOSE_TIMEOUT_S), CLOSE_TIMEOUT_S + 1)
    if slot == "local":
        for cluster in _local_cluster:
            processes.call_within(lambda c=cluster: c.close(timeout=CLOSE_TIMEOUT_S), CLOSE_TIMEOUT_S + 1)
        _local_cluster.clear()


def close_all() -> None:
    """Close every client and the local cluster (a connection stuck starting holds the lock: then the
    caller's kill of the processes left does without)."""
    if _dask_lock.acquire(timeout=1):
        try:
            for slot in list(_clients):
                close_client(slot)
            close_client("local")
        finally:
            _dask_lock.release()


def _at_exit() -> None:
    """The way out when no pool registered ``executors.shutdown``: nothing starts, every client closes."""
    closing.close()
    close_all()
