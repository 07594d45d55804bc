"""The backend registry: name → how to run it, how far it goes, and whether it runs here (and why not)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

import numpy as np

from core.pi import gpu, kernels, local, pools, ray_engine, stream
from core.pi.backend_types import MAX_N, Backend, Run
from core.runtime.i18n import N_

LECTURE_ARRAY_MAX_N = 2 * 10**8  # ≈ 33 bytes a sample in one go: 6.6 GB at this bound
PYTHON_MAX_N = 10**9  # ≈ 200 s at 5e6 samples/s

__all__ = ["BACKENDS", "MAX_N", "Backend", "Run", "available", "backend_rows"]


def _missing(module: str) -> Callable[[], str | None]:
    def why() -> str | None:
        return None if importlib.util.find_spec(module) else f"{module} is not installed"

    return why


_ARRAYS_REASON = N_(
    "the lecture's array version holds about 33 bytes a sample at once: use numpy_chunked or numba_parallel"
)

BACKENDS: dict[str, Backend] = {
    b.name: b
    for b in [
        Backend(
            name="python",
            title="Python",
            family="lecture",
            summary=N_("the lecture's loop with random.random(), twice a sample"),
            kernel=kernels.lecture_python,
            count=local.lecture_python(kernels.lecture_python, 1 << 16),
            prepare=local.no_prepare,
            max_n=PYTHON_MAX_N,
            max_n_reason=N_("pure Python makes about 5e6 samples/s: use numba or numba_parallel"),
        ),
        Backend(
            name="numpy",
            title="NumPy",
            family="lecture",
            summary=N_("the lecture's np.random.rand arrays, x**2 + y**2 and a boolean mask"),
            kernel=kernels.lecture_numpy,
            count=local.lecture_array(kernels.lecture_numpy, np.random.seed),
            prepare=local.no_prepare,
            max_n=LECTURE_ARRAY_MAX_N,
            max_n_reason=_ARRAYS_REASON,
        ),
        Backend(
            name="numba",
            title="Numba",
            family="lecture",
            summary=N_("the lecture's Python loop compiled by @jit(nopython=True)"),
            kernel=kernels.lecture_numba,
            count=local.lecture_loop(kernels.lecture_numba, kernels.seed_numba, 1 << 22),
            prepare=local.prepare_numba_lecture(kernels.lecture_numba),
        ),
        Backend(
            name="numba_numpy",
            title="Numba + NumPy",
            family="lecture",
            summary=N_("the lecture's NumPy version compiled by @jit(nopython=True)"),
            kernel=kernels.lecture_numba_numpy,
            count=local.lecture_array(kernels.lecture_numba_numpy, kernels.seed_numba),
            prepare=local.prepare_numba_lecture(kernels.lecture_numba_numpy),
            max_n=LECTURE_ARRAY_MAX_N,
            max_n_reason=_ARRAYS_REASON,
        ),
        Backend(
            name="numpy_chunked",
            title="NumPy, chunked",
            family="fast",
            summary=N_("the hash vectorised by NumPy in 512 KiB blocks, constant memory"),
            kernel=stream.count_inside_numpy,
            count=local.count_numpy_chunked,
            prepare=local.no_prepare,
        ),
        Backend(
            name="numba_parallel",
            title="Numba prange",
            family="fast",
            summary=N_("a loop LLVM vectorises, split over Numba's threads by prange"),
            kernel=kernels.count_inside_parallel,
            count=local.count_numba_parallel,
            prepare=local.prepare_numba_parallel,
            parallel=True,
        ),
        Backend(
            name="multiprocessing",
            title="multiprocessing Pool",
            family="fast",
            summary=N_("a persistent Pool of spawned processes, each running the compiled loop"),
            kernel=kernels.count_inside,
            count=pools.count_multiprocessing,
            prepare=pools.prepare_multiprocessing,
            parallel=True,
        ),
        Backend(
            name="joblib",
            title="joblib",
            family="fast",
            summary=N_("joblib's loky workers, reused across runs"),
            kernel=kernels.count_inside,
            count=pools.count_joblib,
            prepare=pools.prepare_joblib,
            parallel=True,
            why_unavailable=_missing("joblib"),
        ),
        Backend(
            name="dask",
            title="Dask distributed",
            family="fast",
            summary=N_("a Dask cluster: local by default, or any scheduler address"),
            kernel=kernels.count_inside,
            count=pools.count_dask,
            prepare=pools.prepare_dask,
            parallel=True,
            why_unavailable=_missing("distributed"),
        ),
        Backend(
            name="ray",
            title="Ray",
            family="fast",
            summary=N_("Ray tasks: a local Ray instance by default, or any Ray cluster by address"),
            kernel=kernels.count_inside,
            count=pools.count_ray,
            prepare=pools.prepare_ray,
            parallel=True,
            why_unavailable=ray_engine.why_unavailable,
        ),
        Backend(
            name="cupy",
            title="CuPy GPU kernel",
            family="gpu",
            summary=N_(
                "one fused CUDA kernel a chunk: each thread hashes its own indices, one atomic a block"
            ),
            kernel=gpu.count_range,
            count=local.count_cupy,
            prepare=local.prepare_cupy,
            why_unavailable=gpu.why_unavailable,
        ),
    ]
}


def available() -> list[str]:
    """The backends that run on this machine, in registry order."""
    return [name for name, b in BACKENDS.items() if b.why_unavailable() is None]


def backend_rows() -> list[dict]:
    """Every backend, whether it runs here and why not (the home page, ``python -m core.pi --list``)."""
    rows = []
    for b in BACKENDS.values():
        why = b.why_unavailable()
        rows.append(
            {
                "name": b.name,
                "title": b.title,
                "family": b.family,
                "available": why is None,
                "why_unavailable": why,
                "max_n": b.max_n,
                "parallel": b.parallel,
                "summary": b.summary,
            }
        )
    return rows
