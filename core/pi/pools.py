"""Backends that count in other processes (a process pool, joblib's loky, Dask, Ray): index ranges are
scattered to workers by ``gather``, which keeps one range a worker in flight, waits with deadlines, and
recounts a range whose worker died. A new pool backend's count function is a ``submit`` (and a ``lost``)
handed to ``gather``."""

from __future__ import annotations

import contextlib
import math
import queue
import time
import warnings
from collections import deque
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, CancelledError

from core.pi import dask_client, executors, ray_engine, stream, tasks
from core.pi.backend_types import Run
from core.runtime.cancel import Cancelled

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


def _task(run: Run) -> tuple[Callable, ...]:
    """What a worker runs on a range, before its (key, lo, hi): ``count_range``, timed by ``tasks.timed``
    where the run records a timeline (looked up now, so that a test's stand-in for it runs)."""
    return (tasks.timed, tasks.count_range) if run.timeline is not None else (tasks.count_range,)


def _counted(run: Run, value, *, index: int, samples: int) -> int:
    """A finished range's count; a timed task's span (``tasks.timed``) goes to the run's timeline."""
    if not isinstance(value, tuple):
        return value
    count, start_ns, end_ns, worker = value
    if run.timeline is not None:
        run.timeline.add(range_index=index, start_ns=start_ns, end_ns=end_ns, worker=worker, samples=samples)
    return count


def _note_once(run: Run, note: str) -> None:
    if note not in run.notes:
        run.notes.append(note)


def gather(
    run: Run,
    submit: Callable[[int, int, Callable], None],
    lost: Callable[[BaseException], bool] = lambda exc: False,
) -> int:
    """Count ``run`` on workers elsewhere: keep ``run.workers`` index ranges in flight, so that many
    processes compute at once (what the result reports), and add each range's count once.

    ``submit(lo, hi, done)`` starts a range and arranges ``done(lo, hi, count_or_exception)``. An exception
    for which ``lost(exc)`` is true means a worker died under the range (``lost`` replaces what broke): the
    range starts again, and the same draws give the same count. Every wait has a deadline: no range finishing
    for ``STALL_S`` raises ``Stalled``. On a stop nothing new starts, the ranges in flight get
    ``CANCEL_GRACE_S`` to finish (workers end idle), and ``Cancelled`` is raised.
    """
    results: queue.SimpleQueue = queue.SimpleQueue()
    ranges = _ranges(run)
    fresh = iter(ranges)
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
        inside += _counted(run, value, index=lo // ranges.chunk, samples=hi - lo)
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


def count_multiprocessing(run: Run) -> int:
    key, task = run.key, _task(run)

    def submit(lo, hi, done):
        future = executors.process_executor(run.workers).submit(*task, key, lo, hi)
        future.add_done_callback(lambda f: done(lo, hi, _outcome(f)))

    def lost(exc: BaseException) -> bool:
        if not isinstance(exc, BrokenExecutor):
            return False
        _note_once(run, "a worker process died: the pool was replaced and its unfinished ranges recounted")
        executors.renew_process_executor(run.workers)
        return True

    return gather(run, submit, lost)


def count_joblib(run: Run) -> int:
    """joblib's ordered generator: the ranges before ``first`` are counted, so after a lost worker (loky's
    ``TerminatedWorkerError``, a ``BrokenProcessPool``) the run goes on from ``first`` on fresh workers."""
    from joblib import Parallel, delayed

    key, ranges, task = run.key, _ranges(run), _task(run)
    inside = done = first = lost = 0
    while first < len(ranges):
        deadline = {"timeout": STALL_S} if run.workers > 1 else {}  # one task runs here, without a pool
        parallel = Parallel(n_jobs=run.workers, return_as="generator", batch_size=1, **deadline)
        gen = None
        try:
            gen = parallel(delayed(task[0])(*task[1:], key, *ranges[i]) for i in range(first, len(ranges)))
            for value in gen:
                lo, hi = ranges[first]
                count = _counted(run, value, index=first, samples=hi - lo)
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


def count_dask(run: Run) -> int:
    from distributed import KilledWorker

    client = dask_client.dask_client(run.scheduler, run.workers)
    workers_before = set(client.nthreads())
    if dask_client.scheduler_address(run.scheduler):
        run.workers = sum(client.nthreads().values()) or 1  # a remote cluster: use every thread it has
    key, task = run.key, _task(run)
    futures = {}

    def submit(lo, hi, done):
        fut = client.submit(*task, key, lo, hi, pure=False, retries=2)
        futures[(lo, hi)] = fut
        fut.add_done_callback(lambda f: done(lo, hi, _outcome(f)))

    try:
        return gather(run, submit, lost=lambda exc: isinstance(exc, KilledWorker))
    finally:
        client.cancel([f for f in futures.values() if not f.done()])
        lost = workers_before - set(client.nthreads())
        if lost:
            run.notes.append(
                f"Dask lost {len(lost)} worker(s) during the run ({', '.join(sorted(lost))}); "
                "their chunks were computed again elsewhere, so the count is unchanged"
            )


def count_ray(run: Run) -> int:
    """Ray tasks (``ray_engine.remote``: no retries of Ray's own), ``run.workers`` of them in flight, each
    asking ``ray_engine.task_cpus`` so that they all run at once on a local instance. A range
    whose worker process or node died (``WorkerCrashedError``, ``NodeDiedError``) is submitted again; a stop
    cancels the tasks not yet finished (those waiting at once, a running one as it ends: each is short)."""
    cpus = ray_engine.connect(run.ray_address)  # first: it imports Ray with Pi Lab's defaults
    import ray
    from ray.exceptions import NodeDiedError, WorkerCrashedError

    if ray_engine.ray_address(run.ray_address):
        run.workers = cpus or 1  # a cluster: use every CPU it has
    (function, *before), key = _task(run), run.key
    task = ray_engine.remote(function, ray_engine.task_cpus(cpus, run.workers))
    pending: dict[tuple[int, int], object] = {}  # the ranges in flight: what a stop cancels
    lost: list[str] = []

    def submit(lo, hi, done):
        def finished(future) -> None:
            pending.pop((lo, hi), None)
            done(lo, hi, _outcome(future))

        pending[(lo, hi)] = ref = task.remote(*before, key, lo, hi)
        ref.future().add_done_callback(finished)

    def worker_lost(exc: BaseException) -> bool:
        if isinstance(exc, WorkerCrashedError | NodeDiedError):
            lost.append(type(exc).__name__)
            return True
        return False

    try:
        return gather(run, submit, worker_lost)
    finally:
        for ref in list(pending.values()):
            with contextlib.suppress(Exception):  # finished meanwhile, or the connection is gone
                ray.cancel(ref)
        if lost:
            why = ", ".join(sorted(set(lost)))
            run.notes.append(
                f"Ray lost {len(lost)} task(s) to a worker process or node that died ({why}); their ranges "
                "were submitted again, so the count is unchanged"
            )


def prepare_multiprocessing(run: Run) -> float:
    executors.renew_process_executor(run.workers)
    return 0.0


def prepare_joblib(run: Run) -> float:
    executors.joblib_ready(run.workers)
    return 0.0


def prepare_dask(run: Run) -> float:
    dask_client.dask_client(run.scheduler, run.workers)
    return 0.0


def prepare_ray(run: Run) -> float:
    ray_engine.connect(run.ray_address)
    return 0.0
