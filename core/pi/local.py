"""Backends that count in this process: the lecture's four as written, NumPy chunked, Numba prange, CuPy."""

from __future__ import annotations

import os
import random
import threading
import time
import types
from collections.abc import Callable

import numpy as np

from core.pi import gpu, kernels, stream
from core.pi.backend_types import Run
from core.pi.timeline import now_ns

_global_rng = threading.Lock()  # `random` and `np.random` are process-global: one lecture run at a time


def _compile(*calls: tuple[Callable, tuple]) -> float:
    """Call each Numba dispatcher once if it has no compiled signature yet; return the seconds spent."""
    todo = [(fn, args) for fn, args in calls if not fn.signatures]
    t0 = time.perf_counter()
    for fn, args in todo:
        fn(*args)
    return time.perf_counter() - t0 if todo else 0.0


def lecture_loop(kernel: Callable, seeder: Callable[[int], None], chunk: int) -> Callable[[Run], int]:
    """Run a lecture loop in consecutive calls: the generator carries on, so the count equals one call's."""

    def count(run: Run) -> int:
        with _global_rng:
            seeder(run.seed)
            return _in_chunks(run, kernel, chunk)

    return count


def lecture_python(kernel: Callable, chunk: int) -> Callable[[Run], int]:
    """Run the pure-Python lecture loop as written, but on a generator of its own: the kernel's code is called
    with the name ``random`` bound to ``random.Random(seed)``, which draws what ``random.seed(seed)`` would.
    Other threads of this process (Dask's scheduler and workers, Ray's driver) draw from the global ``random``
    too, and a draw of theirs between two of the loop's would change its count."""

    def count(run: Run) -> int:
        names = {**kernel.__globals__, "random": random.Random(run.seed)}
        return _in_chunks(run, types.FunctionType(kernel.__code__, names, kernel.__name__), chunk)

    return count


def _in_chunks(run: Run, loop: Callable[[int], int], chunk: int) -> int:
    """Call ``loop(m)`` over consecutive chunks of the run's n, ticking progress; the sum of its counts."""
    inside = 0
    for lo, hi in stream.split_range(run.n, run.chunk or chunk):
        inside += int(loop(hi - lo))
        run.tick(hi)
    return inside


def lecture_array(kernel: Callable, seeder: Callable[[int], None]) -> Callable[[Run], int]:
    """Run a lecture array version as written: one call, O(n) memory, progress once at the end."""

    def count(run: Run) -> int:
        with _global_rng:
            seeder(run.seed)
            inside = int(kernel(run.n))
        run.tick(run.n)
        return inside

    return count


def no_prepare(run: Run) -> float:
    return 0.0


def prepare_numba_lecture(kernel: Callable) -> Callable[[Run], float]:
    return lambda run: _compile((kernels.seed_numba, (0,)), (kernel, (1,)))


def count_numpy_chunked(run: Run) -> int:
    """NumPy over consecutive chunks of 2²² draws in this process, each chunk a span of its timeline."""
    inside = 0
    key, worker = run.key, str(os.getpid())
    for index, (lo, hi) in enumerate(stream.split_range(run.n, run.chunk or 1 << 22)):
        begin = now_ns()
        inside += stream.count_inside_numpy(key, lo, hi)
        if run.timeline is not None:
            run.timeline.add(
                range_index=index, start_ns=begin, end_ns=now_ns(), worker=worker, samples=hi - lo
            )
        run.tick(hi)
    return inside


_numba_threads = threading.Lock()  # two concurrent prange runs would only fight over the same cores


def count_numba_parallel(run: Run) -> int:
    import numba

    threads = min(run.workers, numba.config.NUMBA_NUM_THREADS)
    if threads < run.workers:
        run.notes.append(f"Numba has {threads} threads here; ran on {threads}, not {run.workers}")
    run.workers = threads
    numba.set_num_threads(threads)
    key = np.uint64(run.key)
    inside = 0
    spans = np.zeros((threads, 4), np.int64)
    for index, (lo, hi) in enumerate(stream.split_range(run.n, run.chunk or 1 << 27)):
        with _numba_threads:
            if run.timeline is None:
                inside += int(kernels.count_inside_parallel(key, lo, hi))
            else:
                kernels.count_inside_timed(key, (lo, hi), spans)
                inside += int(spans[:, 0].sum())
        if run.timeline is not None:
            _record_parts(run, spans, index=index, range_=(lo, hi))
        run.tick(hi)
    return inside


def _record_parts(run: Run, spans: np.ndarray, *, index: int, range_: tuple[int, int]) -> None:
    """Numba's prange cannot time an iteration cheaply: its chunk ``index`` went in one part a thread
    (``kernels.count_inside_timed``), and each part is a span, range ``index · threads + part``."""
    lo, hi = range_
    parts = len(spans)
    for part, (_, begin, end, thread) in enumerate(spans.tolist()):
        size = (hi - lo) * (part + 1) // parts - (hi - lo) * part // parts
        run.timeline.add(
            range_index=index * parts + part, start_ns=begin, end_ns=end, worker=str(thread), samples=size
        )


def prepare_numba_parallel(run: Run) -> float:
    return _compile(
        (kernels.count_inside_parallel, (np.uint64(0), 0, 1)),
        (kernels.count_inside_timed, (np.uint64(0), (0, 1), np.zeros((1, 4), np.int64))),
    )


def count_cupy(run: Run) -> int:
    inside = 0
    for lo, hi in stream.split_range(run.n, run.chunk or gpu.CHUNK):
        inside += gpu.count_range(run.key, lo, hi)
        run.tick(hi)
    return inside


def prepare_cupy(run: Run) -> float:
    if gpu.compiled():
        return 0.0
    t0 = time.perf_counter()
    gpu.compile_kernel()
    return time.perf_counter() - t0
