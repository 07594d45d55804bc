"""Backend registry: name → how to run it, how far it goes, and whether it is available here (and why not)."""

from __future__ import annotations

import math
import os
import queue
import random
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from core.pi import executors, gpu, kernels, stream, tasks

MAX_N = 10**12
LECTURE_ARRAY_MAX_N = 2 * 10**8  # ≈ 33 bytes a sample in one go: 6.6 GB at this bound
PYTHON_MAX_N = 10**9  # ≈ 200 s at 5e6 samples/s


class Cancelled(Exception):
    """A run stopped by ``should_stop()``; every worker it used has been released."""


@dataclass
class Run:
    """One run's settings and its progress/stop hooks, as a backend sees them."""

    n: int
    seed: int
    workers: int
    chunk: int | None = None
    scheduler: str | None = None
    progress: Callable[[int, int], None] | None = None
    should_stop: Callable[[], bool] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> int:
        return stream.key_for_seed(self.seed)

    def stopped(self) -> bool:
        return bool(self.should_stop and self.should_stop())

    def tick(self, done: int) -> None:
        """Report progress, then raise ``Cancelled`` if a stop was asked for."""
        if self.progress:
            self.progress(done, self.n)
        if self.stopped():
            raise Cancelled(f"cancelled after {done:,} of {self.n:,} samples")


@dataclass(frozen=True)
class Backend:
    """How to run one backend; ``count`` returns the number of inside points of a ``Run``."""

    name: str
    title: str
    family: Literal["lecture", "fast", "gpu"]
    summary: str
    kernel: Callable
    count: Callable[[Run], int]
    prepare: Callable[[Run], float]  # starts what the run needs; returns the JIT compile seconds paid now
    max_n: int = MAX_N
    max_n_reason: str = ""
    parallel: bool = False
    unavailable: Callable[[], str | None] = lambda: None  # why it cannot run here, or None

    def why_not(self) -> str | None:
        return self.unavailable()

    @property
    def counter_based(self) -> bool:
        """Draws from the shared counter-based stream (every backend but the lecture's four)."""
        return self.family != "lecture"


# ---------------------------------------------------------------- the lecture's four

_global_rng = threading.Lock()  # `random` and `np.random` are process-global: one lecture run at a time


def _compile(*calls: tuple[Callable, tuple]) -> float:
    """Call each Numba dispatcher once if it has no compiled signature yet; return the seconds spent."""
    todo = [(fn, args) for fn, args in calls if not fn.signatures]
    t0 = time.perf_counter()
    for fn, args in todo:
        fn(*args)
    return time.perf_counter() - t0 if todo else 0.0


def _lecture_loop(kernel: Callable, seeder: Callable[[int], None], chunk: int) -> Callable[[Run], int]:
    """Run a lecture loop in consecutive calls: the generator carries on, so the count equals one call's."""

    def count(run: Run) -> int:
        with _global_rng:
            seeder(run.seed)
            inside = 0
            for lo, hi in stream.split_range(run.n, run.chunk or chunk):
                inside += int(kernel(hi - lo))
                run.tick(hi)
        return inside

    return count


def _lecture_array(kernel: Callable, seeder: Callable[[int], None]) -> Callable[[Run], int]:
    """Run a lecture array version as written: one call, O(n) memory, progress once at the end."""

    def count(run: Run) -> int:
        with _global_rng:
            seeder(run.seed)
            inside = int(kernel(run.n))
        run.tick(run.n)
        return inside

    return count


def _no_prepare(run: Run) -> float:
    return 0.0


def _prepare_numba_lecture(kernel: Callable) -> Callable[[Run], float]:
    return lambda run: _compile((kernels.seed_numba, (0,)), (kernel, (1,)))


# ---------------------------------------------------------------- counter-based, in this process


def _count_numpy_chunked(run: Run) -> int:
    inside = 0
    key = run.key
    for lo, hi in stream.split_range(run.n, run.chunk or 1 << 22):
        inside += stream.count_inside_numpy(key, lo, hi)
        run.tick(hi)
    return inside


_numba_threads = threading.Lock()  # two concurrent prange runs would only fight over the same cores


def _count_numba_parallel(run: Run) -> int:
    import numba

    threads = min(run.workers, numba.config.NUMBA_NUM_THREADS)
    if threads < run.workers:
        run.notes.append(f"Numba has {threads} threads here; ran on {threads}, not {run.workers}")
    run.workers = threads
    numba.set_num_threads(threads)
    key = np.uint64(run.key)
    inside = 0
    for lo, hi in stream.split_range(run.n, run.chunk or 1 << 27):
        with _numba_threads:
            inside += int(kernels.count_inside_parallel(key, lo, hi))
        run.tick(hi)
    return inside


def _prepare_numba_parallel(run: Run) -> float:
    return _compile((kernels.count_inside_parallel, (np.uint64(0), 0, 1)))


# ---------------------------------------------------------------- counter-based, in other processes


def task_chunk(n: int, workers: int) -> int:
    """Draws per task. A short run (≤ 2²² draws a worker, ≈ 1.5 ms) is one task a worker: it is all round
    trip. A longer one is about four tasks a worker, for progress, cancel and balance, each at most 2²⁶
    draws (≈ 25 ms on one core)."""
    per_worker = math.ceil(n / workers)
    if per_worker <= 1 << 22:
        return per_worker
    return min(1 << 26, max(1 << 22, math.ceil(per_worker / 4)))


def _gather(run: Run, submit: Callable[[int, int, Callable], None], health=None) -> int:
    """Keep two index ranges a worker in flight (one computing, one queued behind it, so no worker waits
    for a round trip); add each range's count once, whatever finishes twice.

    ``submit(lo, hi, done)`` starts a range and arranges ``done(lo, hi, count_or_exception)``. ``health()``,
    asked before every wait, returns the ranges to start again (a worker died under them). On a stop nothing
    new starts, the ranges in flight are waited for (workers end idle), and ``Cancelled`` is raised.
    """
    results: queue.SimpleQueue = queue.SimpleQueue()
    pending = stream.split_range(run.n, run.chunk or task_chunk(run.n, run.workers))
    pending.reverse()
    in_flight: set[tuple[int, int]] = set()
    inside = done = 0

    def done_cb(lo, hi, value):
        results.put((lo, hi, value))

    while pending or in_flight:
        while pending and len(in_flight) < 2 * run.workers and not run.stopped():
            lo, hi = pending.pop()
            in_flight.add((lo, hi))
            submit(lo, hi, done_cb)
        if not in_flight:
            break
        for lo, hi in health() if health else ():
            submit(lo, hi, done_cb)
        try:
            lo, hi, value = results.get(timeout=0.2)
        except queue.Empty:
            continue
        if (lo, hi) not in in_flight:
            continue  # a range counted twice after a restart: same draws, same count; keep one
        if isinstance(value, BaseException):
            raise value
        in_flight.discard((lo, hi))
        inside += value
        done += hi - lo
        if run.progress:
            run.progress(done, run.n)
    if run.stopped():
        run.tick(done)
    return inside


def _count_multiprocessing(run: Run) -> int:
    key = run.key
    pool = executors.process_pool(run.workers)
    pids = executors.pool_pids(pool)
    unfinished: set[tuple[int, int]] = set()

    def submit(lo, hi, done):
        unfinished.add((lo, hi))

        def finish(value):
            unfinished.discard((lo, hi))
            done(lo, hi, value)

        pool.apply_async(tasks.count_range, (key, lo, hi), callback=finish, error_callback=finish)

    def health():
        nonlocal pool, pids
        if executors.pool_pids(pool) == pids and executors.pool_alive(pool):
            return []
        run.notes.append(
            "a worker process died: the pool was replaced and its unfinished ranges counted again"
        )
        pool = executors.replace_pool(pool)
        pids = executors.pool_pids(pool)
        return sorted(unfinished)

    return _gather(run, submit, health=health)


def _count_joblib(run: Run) -> int:
    from joblib import Parallel, delayed

    key = run.key
    ranges = stream.split_range(run.n, run.chunk or task_chunk(run.n, run.workers))
    gen = Parallel(n_jobs=run.workers, return_as="generator_unordered", batch_size=1)(
        delayed(tasks.count_range)(key, lo, hi) for lo, hi in ranges
    )
    inside = done = 0
    try:
        for (lo, hi), count in zip(ranges, gen, strict=True):  # unordered: sizes differ only in the last
            inside += count
            done += hi - lo
            run.tick(done)
    finally:
        with warnings.catch_warnings():  # on a stop joblib warns of the tasks it dropped: that is the point
            warnings.simplefilter("ignore")
            gen.close()
    return inside


def _count_dask(run: Run) -> int:
    from concurrent.futures import CancelledError

    client = executors.dask_client(run.scheduler, run.workers)
    workers_before = set(client.nthreads())
    if run.scheduler or os.environ.get("PILAB_DASK_SCHEDULER"):
        run.workers = sum(client.nthreads().values()) or 1  # a remote cluster: use every thread it has
    key = run.key
    futures = {}

    def outcome(fut):
        if fut.cancelled():
            return CancelledError()
        return fut.exception() or fut.result()

    def submit(lo, hi, done):
        fut = client.submit(tasks.count_range, key, lo, hi, pure=False, retries=2)
        futures[(lo, hi)] = fut
        fut.add_done_callback(lambda f: done(lo, hi, outcome(f)))

    try:
        return _gather(run, submit)
    finally:
        client.cancel([f for f in futures.values() if not f.done()])
        lost = workers_before - set(client.nthreads())
        if lost:
            run.notes.append(
                f"Dask lost {len(lost)} worker(s) during the run ({', '.join(sorted(lost))}); "
                "their chunks were computed again elsewhere, so the count is unchanged"
            )


def _prepare_multiprocessing(run: Run) -> float:
    executors.process_pool(run.workers)
    return 0.0


def _prepare_joblib(run: Run) -> float:
    executors.joblib_ready(run.workers)
    return 0.0


def _prepare_dask(run: Run) -> float:
    executors.dask_client(run.scheduler, run.workers)
    return 0.0


def _count_cupy(run: Run) -> int:
    inside = 0
    for lo, hi in stream.split_range(run.n, run.chunk or gpu.CHUNK):
        inside += gpu.count_range(run.key, lo, hi)
        run.tick(hi)
    return inside


def _prepare_cupy(run: Run) -> float:
    if gpu.compiled():
        return 0.0
    t0 = time.perf_counter()
    gpu.compile_kernel()
    return time.perf_counter() - t0


def _missing(module: str) -> Callable[[], str | None]:
    def why() -> str | None:
        import importlib.util

        return None if importlib.util.find_spec(module) else f"{module} is not installed"

    return why


# ---------------------------------------------------------------- the registry

_ARRAYS_REASON = (
    "the lecture's array version holds about 33 bytes a sample at once: use numpy_chunked or numba_parallel"
)

BACKENDS: dict[str, Backend] = {
    b.name: b
    for b in [
        Backend(
            name="python",
            title="Python",
            family="lecture",
            summary="the lecture's loop with random.random(), twice a sample",
            kernel=kernels.lecture_python,
            count=_lecture_loop(kernels.lecture_python, random.seed, 1 << 16),
            prepare=_no_prepare,
            max_n=PYTHON_MAX_N,
            max_n_reason="pure Python makes about 5e6 samples/s: use numba or numba_parallel",
        ),
        Backend(
            name="numpy",
            title="NumPy",
            family="lecture",
            summary="the lecture's np.random.rand arrays, x**2 + y**2 and a boolean mask",
            kernel=kernels.lecture_numpy,
            count=_lecture_array(kernels.lecture_numpy, np.random.seed),
            prepare=_no_prepare,
            max_n=LECTURE_ARRAY_MAX_N,
            max_n_reason=_ARRAYS_REASON,
        ),
        Backend(
            name="numba",
            title="Numba",
            family="lecture",
            summary="the lecture's Python loop compiled by @jit(nopython=True)",
            kernel=kernels.lecture_numba,
            count=_lecture_loop(kernels.lecture_numba, kernels.seed_numba, 1 << 22),
            prepare=_prepare_numba_lecture(kernels.lecture_numba),
        ),
        Backend(
            name="numba_numpy",
            title="Numba + NumPy",
            family="lecture",
            summary="the lecture's NumPy version compiled by @jit(nopython=True)",
            kernel=kernels.lecture_numba_numpy,
            count=_lecture_array(kernels.lecture_numba_numpy, kernels.seed_numba),
            prepare=_prepare_numba_lecture(kernels.lecture_numba_numpy),
            max_n=LECTURE_ARRAY_MAX_N,
            max_n_reason=_ARRAYS_REASON,
        ),
        Backend(
            name="numpy_chunked",
            title="NumPy, chunked",
            family="fast",
            summary="the hash vectorised by NumPy in 512 KiB blocks, constant memory",
            kernel=stream.count_inside_numpy,
            count=_count_numpy_chunked,
            prepare=_no_prepare,
        ),
        Backend(
            name="numba_parallel",
            title="Numba prange",
            family="fast",
            summary="a loop LLVM vectorises, split over Numba's threads by prange",
            kernel=kernels.count_inside_parallel,
            count=_count_numba_parallel,
            prepare=_prepare_numba_parallel,
            parallel=True,
        ),
        Backend(
            name="multiprocessing",
            title="multiprocessing Pool",
            family="fast",
            summary="a persistent Pool of spawned processes, each running the compiled loop",
            kernel=kernels.count_inside,
            count=_count_multiprocessing,
            prepare=_prepare_multiprocessing,
            parallel=True,
        ),
        Backend(
            name="joblib",
            title="joblib",
            family="fast",
            summary="joblib's loky workers, reused across runs",
            kernel=kernels.count_inside,
            count=_count_joblib,
            prepare=_prepare_joblib,
            parallel=True,
            unavailable=_missing("joblib"),
        ),
        Backend(
            name="dask",
            title="Dask distributed",
            family="fast",
            summary="a Dask cluster: local by default, or any scheduler address",
            kernel=kernels.count_inside,
            count=_count_dask,
            prepare=_prepare_dask,
            parallel=True,
            unavailable=_missing("distributed"),
        ),
        Backend(
            name="cupy",
            title="CuPy GPU kernel",
            family="gpu",
            summary="one fused CUDA kernel a chunk: each thread hashes its own indices, one atomic a block",
            kernel=gpu.count_range,
            count=_count_cupy,
            prepare=_prepare_cupy,
            unavailable=gpu.why_unavailable,
        ),
    ]
}
