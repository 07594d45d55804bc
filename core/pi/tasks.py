"""Functions that run in other processes (Pool, joblib, Dask): top-level and importable, so they pickle."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable

import numpy as np

from core.pi.kernels import count_inside

PARENT_CHECK_S = 1.0


def count_range(key: int, start: int, stop: int) -> int:
    """Count the inside points among draws [start, stop) of the stream with key ``key``."""
    return int(count_inside(np.uint64(key), start, stop))


def timed(count: Callable[..., int], *args: int) -> tuple[int, int, int, str]:
    """``count(*args)`` with its span: (count, start ns, end ns, worker), on ``core.pi.timeline``'s clock
    (``time.time_ns``, one for every process of the machine). ``count`` travels as an argument (pickled by
    name), so whatever ``count_range`` the caller hands (a test's) is the one that runs."""
    begin = time.time_ns()
    inside = count(*args)
    return inside, begin, time.time_ns(), worker_name()


def worker_name() -> str:
    """Who counts here, as a timeline names it: the Dask worker's name inside one, else the process id."""
    if "distributed" in sys.modules:  # only a Dask worker has imported it: a pool worker pays nothing
        from distributed import get_worker

        try:
            return str(get_worker().name)
        except ValueError:  # not inside a Dask task
            pass
    return str(os.getpid())


def warm_up() -> float:
    """Compile (or load from Numba's cache) the kernel in this process; return the seconds it took."""
    t0 = time.perf_counter()
    count_range(0, 0, 1)
    return time.perf_counter() - t0


def ready() -> int:
    """A task that does nothing: its answer (this worker's pid) says the worker is up."""
    return os.getpid()


def start_worker() -> None:
    """A pool worker's initializer: warm the kernel, and exit if the process that started it dies (even a
    SIGKILL of the server or CLI then leaves no worker behind)."""
    parent = os.getppid()

    def exit_with_parent() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=exit_with_parent, daemon=True, name="pilab-parent-check").start()
    warm_up()
