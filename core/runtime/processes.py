"""Child processes: find the worker processes this process started, and stop processes within a deadline.

Stopping is always terminate → wait → kill (psutil's documented recipe), so no shutdown waits for ever.
``on_exit`` runs the registered stops, then stops every child left, when the interpreter exits; the CLIs
also run it on SIGTERM. Pool and cluster workers are told apart from other children (a test's ``dask
scheduler``, a lesson's ``python -m core.lessons``) by how they were started: ``multiprocessing``'s spawn
or loky's launcher.
"""

from __future__ import annotations

import atexit
import contextlib
import signal
import threading
from collections.abc import Callable, Iterable

import psutil

STOP_TIMEOUT_S = 5.0
_WORKER_MARKS = ("multiprocessing.spawn", "loky.backend.popen_loky")
_TRACKER_MARK = "resource_tracker"  # ignores SIGTERM by design and exits when this process does (pipe EOF)
_stops: dict[bool, list[Callable[[], None]]] = {True: [], False: []}  # early?: stops


def _command(proc: psutil.Process) -> str:
    with contextlib.suppress(psutil.Error):
        return " ".join(proc.cmdline())
    return ""


def children() -> list[psutil.Process]:
    """Every process below this one, but the resource trackers of ``multiprocessing`` and loky: they
    unlink what dead workers left in /dev/shm and end by themselves when this process ends."""
    with contextlib.suppress(psutil.Error):
        return [p for p in psutil.Process().children(recursive=True) if _TRACKER_MARK not in _command(p)]
    return []


def _is_worker(proc: psutil.Process) -> bool:
    return any(mark in _command(proc) for mark in _WORKER_MARKS)


def workers() -> list[psutil.Process]:
    """Pool and cluster workers started from this process (and what they started in turn)."""
    found, todo = [], [psutil.Process()]
    while todo:
        with contextlib.suppress(psutil.Error):
            for child in todo.pop().children():
                if _is_worker(child):
                    found.append(child)
                    todo.append(child)
    return found


def stop(procs: Iterable[psutil.Process], timeout: float = STOP_TIMEOUT_S) -> list[psutil.Process]:
    """Terminate ``procs``, wait up to most of ``timeout``, kill what is left; return any that survived."""
    procs = list(procs)
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.terminate()
    _, alive = psutil.wait_procs(procs, timeout=timeout * 0.7)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    _, alive = psutil.wait_procs(alive, timeout=timeout * 0.3)
    return alive


def call_within(fn: Callable[[], object], timeout: float) -> bool:
    """Run ``fn`` on a daemon thread and wait at most ``timeout`` s; True if it returned in time. What it
    raises is dropped: this is for stopping things, where the deadline and the kill that follows decide."""

    def call() -> None:
        with contextlib.suppress(Exception):
            fn()

    thread = threading.Thread(target=call, daemon=True, name=f"pilab-stop-{getattr(fn, '__name__', 'fn')}")
    thread.start()
    thread.join(timeout)
    return not thread.is_alive()


def at_exit(stop_fn: Callable[[], None], *, early: bool = False) -> None:
    """Run ``stop_fn`` at exit, before the processes left are stopped; ``early`` ones first (cancel the
    jobs, then close the pools they use).

    Registering moves this module's exit handler to the front of ``atexit``'s queue, so it runs before the
    handlers of libraries imported later (Dask's waits up to 10 s for its clusters).
    """
    if stop_fn not in _stops[early]:
        _stops[early].append(stop_fn)
    atexit.unregister(on_exit)
    atexit.register(on_exit)


def on_exit() -> None:
    """The way out: every registered stop (each bounded), then every child process left is stopped."""
    for early in (True, False):
        while _stops[early]:
            with contextlib.suppress(Exception):
                _stops[early].pop(0)()
    stop(children())


def exit_on_sigterm() -> None:
    """Turn SIGTERM into ``SystemExit`` (a command line's ``finally`` and ``atexit`` then run)."""

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
