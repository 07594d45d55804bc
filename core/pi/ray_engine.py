"""The Ray instance of the ``ray`` backend: a local one on 127.0.0.1, or any cluster by address; connected
once per process and reused, probed under one deadline, and stopped within one.

Ray allows one instance a process, so asking for another address disconnects the first. A local instance
is Ray's processes under this one (GCS, raylet, workers), one logical CPU a core; a run with more workers
than CPUs asks a fraction of a CPU a task (``task_cpus``), so it is never restarted. A cluster address only
connects this process as a driver. Ray is imported lazily: without it the backend is listed as unavailable
and nothing here runs.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import queue
import socket
import sys
import threading
import time
from importlib.util import find_spec
from pathlib import Path

import psutil

from core.pi import closing, executors, tasks
from core.runtime import processes
from core.runtime.i18n import N_

ROOT = Path(__file__).resolve().parents[2]
ADDRESS_ENV = "PILAB_RAY_ADDRESS"
DASHBOARD_ENV = "PILAB_RAY_DASHBOARD"  # "1": start the local instance's dashboard (needs ray[default])
OBJECT_STORE_BYTES = 100 * 2**20  # Ray's floor is 75 MiB; a run ships integers only
CONNECT_TIMEOUT_S = 5  # an address must answer within this
START_TIMEOUT_S = 120  # a local start takes 5-15 s on a busy two-core machine; a connection a few
HINT = "give host:port of a cluster this machine is a node of, or ray://host:10001; empty: a local Ray"
# Read by Ray once, at import (an environment that sets them wins): a local instance calls this node
# 127.0.0.1 and listens on loopback only; every driver uses Ray's token authentication (~/.ray/auth_token, or
# RAY_AUTH_TOKEN), as new Ray clusters do by default. RAY_AUTH_MODE=disabled reaches a cluster without it.
RAY_DEFAULTS = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_AUTH_MODE": "token"}
_HTTP2_HELLO = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])  # preface, SETTINGS

_lock = threading.RLock()
_state: dict = {}  # slot ("local" or the address), cpus and nodes of the instance connected to
_remotes: dict = {}  # function → its Ray remote function
_calls: queue.SimpleQueue = queue.SimpleQueue()  # what the Ray thread is to do
_thread: list[threading.Thread] = []  # at most one


def why_unavailable() -> str | None:
    """Why the ``ray`` backend cannot run here, or None."""
    if find_spec("ray") is None:
        return N_("ray is not installed (optional: `make ray` adds it from requirements-ray.lock)")
    return None


def ray_address(address: str | None) -> str | None:
    """The cluster to use: ``address``, else ``PILAB_RAY_ADDRESS``, else None (a local instance)."""
    return (address or os.environ.get(ADDRESS_ENV) or "").strip() or None


def _split(address: str) -> tuple[str, int]:
    """Host and port of ``host:port`` or ``ray://host:port``; ``ValueError`` for anything else."""
    scheme, _, rest = address.rpartition("://")
    if scheme not in ("", "ray"):
        raise ValueError(f"the scheme {scheme!r} is not ray://")
    host, colon, port = rest.rpartition(":")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("host:port expected")
    return host.strip("[]"), int(port)


def check_address(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Raise ``ConnectionError`` (one line) unless something that speaks gRPC, as Ray's GCS and Ray Client
    servers do, answers at ``address`` within ``timeout``: it must answer HTTP/2's connection preface with
    its SETTINGS frame. (``ray.init`` itself retries an address that does not answer for minutes.)"""
    try:
        host, port = _split(address)
    except ValueError as exc:
        raise ConnectionError(f"{address!r} is not a Ray address ({exc}); {HINT}") from None
    deadline = time.monotonic() + timeout
    reply = b""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(_HTTP2_HELLO)
            while len(reply) < 9:
                sock.settimeout(max(0.05, deadline - time.monotonic()))
                chunk = sock.recv(9 - len(reply))
                if not chunk:
                    break
                reply += chunk
    except OSError as exc:  # refused, unreachable, no answer in time (TimeoutError), an unknown name
        why = type(exc).__name__
        raise ConnectionError(
            f"the Ray cluster at {address!r} did not answer within {timeout:g} s ({why}); {HINT}"
        ) from None
    if len(reply) < 9 or reply[3] != 4:  # byte 3 of a frame header is its type; 4 is SETTINGS
        raise ConnectionError(f"{address!r} answered, but not as a Ray cluster (no gRPC there); {HINT}")


class _NotOnMainThread(logging.Filter):
    """Drops Ray's warning that ``ray.init`` off the main thread sets no SIGTERM handler: meant here (the
    server's and the CLI's own handlers stay in place)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "SIGTERM handler is not set" not in record.getMessage()


def _import_ray():
    for name, value in RAY_DEFAULTS.items():
        os.environ.setdefault(name, value)
    import ray

    worker_log = logging.getLogger("ray._private.worker")
    if not any(isinstance(f, _NotOnMainThread) for f in worker_log.filters):
        worker_log.addFilter(_NotOnMainThread())
    return ray


def connect(address: str | None) -> int:
    """Connect this process to Ray, once, and return how many CPUs the instance offers.

    Without an address (nor ``PILAB_RAY_ADDRESS``): a new local instance on 127.0.0.1 (``address="local"``:
    never a cluster that ``ray start`` left on this machine) with one CPU a core, a small object store and
    no dashboard (``PILAB_RAY_DASHBOARD=1`` asks for it). With one: the address is probed first
    (``ConnectionError`` within ``CONNECT_TIMEOUT_S``), and the cluster's workers must import Pi Lab's
    ``core`` (as a Dask worker must). Either way each CPU's worker loads the kernel once, here.
    """
    address = ray_address(address)
    slot = address or "local"
    with _lock:
        closing.check_open()
        if address:
            check_address(address)
        ray = _import_ray()
        if _state.get("slot") == slot and ray.is_initialized():
            return _state["cpus"]
        _disconnect(ray)
        processes.at_exit(executors.shutdown)
        if address:
            options: dict = {"address": address}
        else:
            options = {
                "address": "local",
                "num_cpus": executors.default_workers(),
                "object_store_memory": OBJECT_STORE_BYTES,
                "include_dashboard": os.environ.get(DASHBOARD_ENV, "") == "1",
                "dashboard_host": "127.0.0.1",
            }
        _init_within(ray, options)
        cpus = int(ray.cluster_resources().get("CPU", 0))
        warm = ray.remote(num_cpus=1)(tasks.warm_up)
        try:
            ray.get([warm.remote() for _ in range(max(cpus, 1))], timeout=START_TIMEOUT_S)
        except Exception as exc:  # a worker that cannot import core, a cluster with no free CPU …
            where = address or "the local instance"
            first_line = (str(exc).strip().splitlines() or [""])[-1][:200]
            raise ConnectionError(
                f"Ray at {where!r} could not run Pi Lab's task within {START_TIMEOUT_S} s "
                f"({type(exc).__name__}: {first_line}); its workers must import Pi Lab's core"
            ) from None
        nodes = sorted(n.get("NodeManagerAddress", "?") for n in ray.nodes() if n.get("Alive"))
        _state.update(slot=slot, cpus=cpus, nodes=nodes)
        return cpus


def _on_ray_thread(fn, timeout: float):
    """``fn()`` on this process's one Ray thread, waiting at most ``timeout`` s (``TimeoutError`` past it).

    A local instance's GCS and raylet are started with PR_SET_PDEATHSIG, which kills them when the *thread*
    that started them ends: so ``ray.init`` (and ``ray.shutdown``) run on a thread that lives as long as the
    process, never on a run's or a job's thread."""
    if not _thread:
        thread = threading.Thread(target=_serve, daemon=True, name="pilab-ray")
        thread.start()
        _thread.append(thread)
    box: dict = {}
    done = threading.Event()
    _calls.put((fn, box, done))
    if not done.wait(timeout):
        raise TimeoutError(f"no answer within {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _serve() -> None:
    while True:
        fn, box, done = _calls.get()
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc
        done.set()


def _init_within(ray, options: dict) -> None:
    """``ray.init`` under ``START_TIMEOUT_S`` on the Ray thread (a cluster that accepts the connection but
    never lets this driver in would hold it for minutes); one line on failure."""
    from ray.job_config import JobConfig

    if not str(options.get("address", "")).startswith("ray://"):  # Ray Client takes no JobConfig
        options = options | {"job_config": JobConfig(code_search_path=[str(ROOT)])}  # workers import core

    def init() -> None:
        ray.init(log_to_driver=False, logging_level=logging.WARNING, **options)

    where = options["address"] if options["address"] != "local" else "a local instance"
    try:
        try:
            _on_ray_thread(init, START_TIMEOUT_S)
        except ConnectionAbortedError:  # Ray Client's per-driver server failed to start (now and then on a
            with contextlib.suppress(Exception):  # busy machine): leave the half-made connection, once more
                _on_ray_thread(ray.shutdown, processes.STOP_TIMEOUT_S)
            _on_ray_thread(init, START_TIMEOUT_S)
    except TimeoutError:
        late = f"Ray at {where!r} did not let this process in within {START_TIMEOUT_S} s"
        raise ConnectionError(late) from None
    except Exception as exc:
        first_line = (str(exc).strip().splitlines() or [""])[0]
        raise ConnectionError(f"Ray at {where!r} refused: {type(exc).__name__}: {first_line}") from None


def task_cpus(cpus: int, workers: int) -> float:
    """The CPUs one task asks for, so that ``workers`` tasks run at once on ``cpus``: one, or a fraction
    rounded down to Ray's resource precision (10⁻⁴), so that ``workers`` of them still fit."""
    return min(1.0, math.floor(cpus / workers * 10**4) / 10**4) if cpus else 1.0


def remote(function, cpus: float = 1.0):
    """``function`` as a Ray task of ``cpus`` CPUs that Ray does not retry by itself: a range whose worker
    died comes back as ``WorkerCrashedError`` and the backend submits it again, so every retry is seen and
    said."""
    ray = _import_ray()
    if function not in _remotes:
        _remotes[function] = ray.remote(num_cpus=1, max_retries=0)(function)
    return _remotes[function] if cpus == 1 else _remotes[function].options(num_cpus=cpus)


def cluster() -> dict | None:
    """The instance this process connected to, as it was then: its address (or ``"local"``), CPUs and live
    nodes; None when not connected. Asks Ray nothing (a page may call it on every rerun)."""
    if not _state:
        return None
    return {"address": _state["slot"], "cpus": _state["cpus"], "nodes": list(_state["nodes"])}


def _is_ray(proc: psutil.Process, package: str) -> bool:
    with contextlib.suppress(psutil.Error):
        command = " ".join(proc.cmdline())
        return package in command or command.startswith("ray::") or proc.name() in ("raylet", "gcs_server")
    return False


def local_processes() -> list[psutil.Process]:
    """Ray's processes under this one (a local instance: GCS, raylet, agents, workers)."""
    ray = sys.modules.get("ray")
    if ray is None:
        return []
    package = str(Path(ray.__file__).parent)
    found = []
    with contextlib.suppress(psutil.Error):
        for child in psutil.Process().children():
            if _is_ray(child, package):
                found += [child, *child.children(recursive=True)]
    return found


def _disconnect(ray) -> None:
    """Leave the instance this process is connected to (stopping it if local), within a deadline."""
    _state.clear()
    _remotes.clear()
    if ray.is_initialized():
        left = local_processes()
        with contextlib.suppress(Exception):
            _on_ray_thread(ray.shutdown, processes.STOP_TIMEOUT_S * 0.6)
        processes.stop([p for p in left if p.is_running()], processes.STOP_TIMEOUT_S * 0.4)


def shutdown() -> None:
    """Disconnect from Ray and stop a local instance within about ``processes.STOP_TIMEOUT_S``: Ray's own
    shutdown first, then terminate → wait → kill whatever of its processes is left. A no-op where Ray was
    never imported. ``executors.shutdown`` calls it too."""
    ray = sys.modules.get("ray")
    if ray is None:
        return
    if _lock.acquire(timeout=1):  # a run stuck starting Ray holds it: the kill below does without
        try:
            _disconnect(ray)
        finally:
            _lock.release()
    processes.stop(local_processes(), 1.0)


executors.stop_on_shutdown(shutdown)
