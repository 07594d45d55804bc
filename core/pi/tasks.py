"""Functions that run in other processes (Pool, joblib, Dask): top-level and importable, so they pickle."""

from __future__ import annotations

import time

import numpy as np

from core.pi.kernels import count_inside


def count_range(key: int, start: int, stop: int) -> int:
    """Count the inside points among draws [start, stop) of the stream with key ``key``."""
    return int(count_inside(np.uint64(key), start, stop))


def warm_up() -> float:
    """Compile (or load from Numba's cache) the kernel in this process; return the seconds it took."""
    t0 = time.perf_counter()
    count_range(0, 0, 1)
    return time.perf_counter() - t0
