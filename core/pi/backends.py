"""Backend registry: name → how to run it, how far it goes, and whether it is available here (and why not)."""

from __future__ import annotations

import math
import queue
import random
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, CancelledError
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


MAX_TASK = 1 << 27  # draws a task at most (≈ 50 ms on one core): every task ends soon, so every wait is short
STALL_S = 60.0  # no range finished for this long: the workers stopped answering
CANCEL_GRACE_S = 2.0  # on a stop, the ranges in flight get this long to finish
MAX_LOST = 3  # times one range may lose its worker before the run gives up


class Stalled(TimeoutError):
    """No range finished within ``STALL_S``: the workers stopped answering."""


def task_chunk(n: int, workers: int) -> int:
    """Draws per task. A short run (≤ 2²² draws a worker, ≈ 1.5 ms) is one task a worker: it is all round
    trip. A longer one is about four tasks a worker, for progress, cancel and balance, each at most 2²⁶
    draws (≈ 25 ms on one core)."""
    per_worker = math.ceil(n / workers)
    if per_worker <= 1 << 22:
        return per_worker
    return min(1 << 26, max(1 << 22, math.ceil(per_worker / 4)))


def _ranges(run: Run) -> stream.IndexRanges:
    return stream.split_range(run.n, min(run.chunk or task_chunk(run.n, run.workers), MAX_TASK))


def _note_once(run: Run, note: str) -> None:
    if note not in run.notes:
        run.notes.append(note)


def _gather(run: Run, submit: Callable[[int, int, Callable], None], lost=lambda exc: False) -> int:
    """Keep ``run.workers`` index ranges in flight, so that many processes compute at once (what the result
    reports), and add each range's count once.

    ``submit(lo, hi, done)`` starts a range and arranges ``done(lo, hi, count_or_exception)``. An exception
    for which ``lost(exc)`` is true means a worker died under the range (``lost`` replaces what broke): the
    range starts again, and the same draws give the same count. Every wait has a deadline: no range finishing
    for ``STALL_S`` raises ``Stalled``. On a stop nothing new starts, the ranges in flight get
    ``CANCEL_GRACE_S`` to finish (workers end idle), and ``Cancelled`` is raised.
    """
    results: queue.SimpleQueue = queue.SimpleQueue()
    fresh = iter(_ranges(run))
    again: deque[tuple[int, int]] = deque()
    in_flight: set[tuple[int, int]] = set()
    times_lost: dict[tuple[int, int], int] = {}
    inside = done = 0
    last_news, stopping_since = time.monotonic(), None

    def start(lo: int, hi: int) -> None:
        in_flight.add((lo, hi))
        try:
            submit(lo, hi, lambda *result: results.put(result))
        except Exception as exc:  # a pool that broke before the call: handled as the range's outcome
            results.put((lo, hi, exc))

    while True:
        while len(in_flight) < run.workers and not run.stopped():
            todo = again.popleft() if again else next(fresh, None)
            if todo is None:
                break
            start(*todo)
        if not in_flight:
            break
        if stopping_since is None and run.stopped():
            stopping_since = time.monotonic()
        try:
            lo, hi, value = results.get(timeout=0.1)
        except queue.Empty:
            now = time.monotonic()
            if stopping_since is not None and now - stopping_since > CANCEL_GRACE_S:
                break
            if now - last_news > STALL_S:
                raise Stalled(
                    f"no range of {run.n:,} samples finished in {STALL_S:g} s: the workers stopped answering"
                ) from None
            continue
        last_news = time.monotonic()
        in_flight.discard((lo, hi))
        if isinstance(value, BaseException):
            times_lost[(lo, hi)] = times_lost.get((lo, hi), 0) + 1
            if times_lost[(lo, hi)] > MAX_LOST or not lost(value):
                raise value
            again.append((lo, hi))
            continue
        inside += value
        done += hi - lo
        if run.progress:
            run.progress(done, run.n)
    if run.stopped():
        run.tick(done)
    return inside


def _outcome(future) -> object:
    """A finished future's count, or the exception that ended it."""
    if future.cancelled():
        return CancelledError("the task was cancelled")
    return future.exception() or future.result()


def _count_multiprocessing(run: Run) -> int:
    key = run.key

    def submit(lo, hi, done):
        future = executors.process_executor(run.workers).submit(tasks.count_range, key, lo, hi)
        future.add_done_callback(lambda f: done(lo, hi, _outcome(f)))

    def lost(exc: BaseException) -> bool:
        if not isinstance(exc, BrokenExecutor):
            return False
        _note_once(run, "a worker process died: the pool was replaced and its unfinished ranges recounted")
        executors.renew_process_executor(run.workers)
        return True

    return _gather(run, submit, lost)


def _count_joblib(run: Run) -> int:
    """joblib's ordered generator: the ranges before ``first`` are counted, so after a lost worker (loky's
    ``TerminatedWorkerError``, a ``BrokenProcessPool``) the run goes on from ``first`` on fresh workers."""
    from joblib import Parallel, delayed

    key, ranges = run.key, _ranges(run)
    inside = done = first = lost = 0
    while first < len(ranges):
        deadline = {"timeout": STALL_S} if run.workers > 1 else {}  # one job runs here, without a pool
        parallel = Parallel(n_jobs=run.workers, return_as="generator", batch_size=1, **deadline)
        gen = None
        try:
            gen = parallel(delayed(tasks.count_range)(key, *ranges[i]) for i in range(first, len(ranges)))
            for count in gen:
                lo, hi = ranges[first]
                inside, done, first = inside + count, done + hi - lo, first + 1
                run.tick(done)
        except BrokenExecutor:
            lost += 1
            executors.joblib_restarted()
            if lost > MAX_LOST:
                raise
            _note_once(run, "a joblib worker process died: its unfinished ranges were counted again")
        except Cancelled:
            executors.joblib_restarted()  # joblib stops its workers on an early stop
            raise
        except TimeoutError:
            raise Stalled(f"a joblib task did not finish in {STALL_S:g} s") from None
        finally:
            if gen is not None:
                with warnings.catch_warnings():  # on a stop joblib warns of the tasks it dropped: as meant
                    warnings.simplefilter("ignore")
                    gen.close()
    return inside


def _count_dask(run: Run) -> int:
    from distributed import KilledWorker

    client = executors.dask_client(run.scheduler, run.workers)
    workers_before = set(client.nthreads())
    if executors.scheduler_address(run.scheduler):
        run.workers = sum(client.nthreads().values()) or 1  # a remote cluster: use every thread it has
    key = run.key
    futures = {}

    def submit(lo, hi, done):
        fut = client.submit(tasks.count_range, key, lo, hi, pure=False, retries=2)
        futures[(lo, hi)] = fut
        fut.add_done_callback(lambda f: done(lo, hi, _outcome(f)))

    try:
        return _gather(run, submit, lost=lambda exc: isinstance(exc, KilledWorker))
    finally:
        client.cancel([f for f in futures.values() if not f.done()])
        lost = workers_before - set(client.nthreads())
        if lost:
            run.notes.append(
                f"Dask lost {len(lost)} worker(s) during the run ({', '.join(sorted(lost))}); "
                "their chunks were computed again elsewhere, so the count is unchanged"
            )


def _prepare_multiprocessing(run: Run) -> float:
    executors.renew_process_executor(run.workers)
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
