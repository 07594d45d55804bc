"""Lesson 9: one CPU-bound count on Python threads (the GIL: no faster), on processes and on Numba ``nogil``
threads (faster); threads do help while they wait."""

from __future__ import annotations

import multiprocessing
import os
import platform
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from core.lessons.lesson import Chart, Lesson, Result
from core.lessons.measuring import busy_note, busy_text
from core.runtime.i18n import N_, Translate, english

WHY = N_(
    "A thread is a subtask of a process that shares its memory, so threads talk to each other fast. But "
    "CPython's interpreter has one lock, the GIL (Global Interpreter Lock): only the thread that holds it "
    "runs Python code, so pure-Python threads take turns, as the lecture says: they run one after another. "
    "Counting points on k threads then takes as long as on one, and the threads' CPU time adds up to the "
    "wall time: one core busy however many you have. Processes each have their own interpreter and their "
    "own GIL, so they really count at once on separate cores, paying for it in start-up and in sending "
    "data from one memory to another. A Numba function compiled with `nogil=True` is machine code that "
    "touches no Python object, so it lets go of the GIL while it runs: threads calling it share memory "
    "and still use every core (it counts 100 times the points, to run about as long). Threads do help "
    "when they wait: a thread that sleeps (or waits for a disk, the network or a database) releases the "
    "GIL, so 4 waits on 2 threads take half the time and cost no CPU. Python 3.13 and 3.14 also come as "
    "a free-threaded build without the GIL (`python3.13t`, `python3.14t`, PEP 703): there pure-Python "
    "threads scale like processes."
)

COMPILED_FACTOR = 100  # Numba counts this many times the points, so that it runs about as long as Python
PYTHON_THREADS = N_("Python threads")
PROCESSES = N_("processes")
NOGIL_THREADS = N_("Numba nogil threads")
SLEEPING_THREADS = N_("threads sleeping (I/O)")
KINDS = (PYTHON_THREADS, PROCESSES, NOGIL_THREADS, SLEEPING_THREADS)


def count_inside(samples: int, seed: int) -> int:
    """The lecture's ``monte_carlo_pi_python`` loop, with a generator of its own (an LCG) so that each
    worker draws its own points and Numba compiles this very function: pure-Python CPU work."""
    state = seed
    inside = 0
    for _ in range(samples):
        state = (1664525 * state + 1013904223) % 4294967296
        x = state / 4294967296
        state = (1664525 * state + 1013904223) % 4294967296
        y = state / 4294967296
        if x * x + y * y < 1.0:
            inside += 1
    return inside


def timed_count(count: Callable[[int, int], int], part: tuple[int, int], clock) -> tuple[int, float]:
    """In a worker: ``count(samples, seed)`` for ``part`` = (samples, seed), and the CPU seconds this worker
    spent on it (``clock``: ``time.thread_time`` in a thread, ``time.process_time`` in a process)."""
    t0 = clock()
    inside = count(*part)
    return inside, clock() - t0


def nap(seconds: float) -> tuple[int, float]:
    """I/O-bound work: wait ``seconds`` (as for a disk or the network); the CPU seconds it cost."""
    t0 = time.thread_time()
    time.sleep(seconds)
    return 0, time.thread_time() - t0


def ready(_: object) -> int:
    """A start-up probe: a short nap, then this worker's pid."""
    time.sleep(0.02)
    return os.getpid()


def split(samples: int, workers: int, seed: int) -> list[tuple[int, int]]:
    """``samples`` points split over ``workers`` as (samples, seed) parts: every count does the same work."""
    share, extra = divmod(samples, workers)
    return [(share + (i < extra), seed + i) for i in range(workers)]


def on_threads(count, parts: list[tuple[int, int]]) -> tuple[float, list[tuple[int, float]]]:
    """Each part counted by a thread of its own: the wall seconds and each thread's (inside, CPU s)."""
    with ThreadPoolExecutor(len(parts)) as threads:
        t0 = time.perf_counter()
        done = [threads.submit(timed_count, count, part, time.thread_time) for part in parts]
        out = [d.result() for d in done]
        return time.perf_counter() - t0, out


def on_processes(pool, parts: list[tuple[int, int]]) -> tuple[float, list[tuple[int, float]]]:
    """Each part counted by a process of ``pool`` (started beforehand): the wall seconds and each
    process's (inside, CPU s)."""
    tasks = [(count_inside, part, time.process_time) for part in parts]
    t0 = time.perf_counter()
    out = pool.starmap(timed_count, tasks, chunksize=1)
    return time.perf_counter() - t0, out


def sleeping(tasks: int, seconds: float, workers: int) -> tuple[float, list[tuple[int, float]]]:
    """``tasks`` naps of ``seconds`` on ``workers`` threads: the wall seconds and each nap's CPU s."""
    with ThreadPoolExecutor(workers) as threads:
        t0 = time.perf_counter()
        out = list(threads.map(nap, [seconds] * tasks))
        return time.perf_counter() - t0, out


def gil_enabled() -> bool:
    """Whether this interpreter runs with the GIL: ``sys._is_gil_enabled()`` from Python 3.13 on (false in
    a free-threaded build with the GIL off); before 3.13 the GIL is always on."""
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


@dataclass(kw_only=True)
class ThreadsResult(Result):
    workers: int
    samples: int
    tasks: int
    seconds: float
    gil_enabled: bool
    python: str
    compile_s: float
    runs: list[dict[str, Any]] = field(default_factory=list)  # one per kind × workers: the best of repeat
    busy: str = ""

    chart = Chart("bar", "workers", "speed-up", "how")

    def run_of(self, kind: str, workers: int) -> dict[str, Any]:
        return next(r for r in self.runs if r["how"] == kind and r["workers"] == workers)

    def speedup(self, kind: str, workers: int | None = None) -> float:
        """Wall time on 1 worker over wall time on ``workers`` (default: the most) of the same kind."""
        return self.run_of(kind, 1)["wall_s"] / self.run_of(kind, workers or self.workers)["wall_s"]

    def cores_busy(self, kind: str, workers: int | None = None) -> float:
        """The workers' CPU seconds over the wall seconds: how many cores counted at once."""
        run = self.run_of(kind, workers or self.workers)
        return sum(run["cpu_s"]) / run["wall_s"]

    def headline(self, *, _: Translate = english) -> str:
        numbers = _(
            "{workers} workers against 1: Python threads ×{threads}, processes ×{processes}, Numba nogil "
            "threads ×{nogil}, threads waiting on {tasks} sleeps ×{sleeping} (compiling took {compile} s, "
            "outside the timings).",
            workers=_.number(self.workers),
            threads=_.number(self.speedup(PYTHON_THREADS), decimals=2),
            processes=_.number(self.speedup(PROCESSES), decimals=2),
            nogil=_.number(self.speedup(NOGIL_THREADS), decimals=2),
            tasks=_.number(self.tasks),
            sleeping=_.number(self.speedup(SLEEPING_THREADS), decimals=2),
            compile=_.number(self.compile_s, decimals=2),
        )
        if self.gil_enabled:
            gil = _(
                "The GIL is on in this Python ({python}): one thread runs Python code at a time. A "
                "free-threaded build (python3.13t, python3.14t) would let pure-Python threads scale too.",
                python=self.python,
            )
        else:
            gil = _(
                "The GIL is off in this Python ({python}, a free-threaded build): pure-Python threads run "
                "at once, like processes.",
                python=self.python,
            )
        return numbers + " " + gil + busy_text(self.busy, _)

    def metrics(self, *, _: Translate = english) -> list[tuple[str, ...]]:
        return [
            (
                _(kind),
                "×" + _.number(self.speedup(kind), decimals=2),
                _("{cores} cores busy", cores=_.number(self.cores_busy(kind), decimals=1)),
            )
            for kind in KINDS
        ]

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                N_("how"): run["how"],
                N_("workers"): run["workers"],
                N_("work"): run["work"],
                N_("seconds"): run["wall_s"],
                N_("CPU seconds"): sum(run["cpu_s"]),
                N_("cores busy"): self.cores_busy(run["how"], run["workers"]),
                N_("speed-up"): self.speedup(run["how"], run["workers"]),
            }
            for run in sorted(self.runs, key=lambda r: (KINDS.index(r["how"]), r["workers"]))
        ]

    def chart_rows(self) -> list[dict[str, Any]]:
        return [
            {"how": r["how"], "workers": r["workers"], "speed-up": round(r["speed-up"], 2)}
            for r in self.rows()
        ]


def fastest(repeat: int, measure: Callable[[], tuple[float, list[tuple[int, float]]]]) -> dict[str, Any]:
    """The fastest of ``repeat`` runs of ``measure``: its wall seconds, each worker's CPU seconds and the
    points counted inside."""
    wall, out = min((measure() for _ in range(repeat)), key=lambda run: run[0])
    return {"wall_s": wall, "cpu_s": [cpu for _, cpu in out], "inside": sum(inside for inside, _ in out)}


def start_pool(ctx, workers: int):
    """A pool of ``workers`` processes, every one of them started and answering (not timed)."""
    pool = ctx.Pool(workers)
    deadline = time.monotonic() + 60
    while len(set(pool.map(ready, range(workers), chunksize=1))) < workers:
        if time.monotonic() > deadline:
            pool.terminate()
            raise RuntimeError(f"the Pool's {workers} workers did not all start within 60 s")
    return pool


def threads_and_gil(
    *, workers: int = 2, samples: int = 1_000_000, tasks: int = 4, seconds: float = 0.1, repeat: int = 3
) -> ThreadsResult:
    """Count ``samples`` points on 1…``workers`` Python threads, processes and Numba ``nogil`` threads
    (``COMPILED_FACTOR`` times the points), and wait ``tasks`` sleeps of ``seconds`` on 1…``workers``
    threads; the best of ``repeat`` runs each."""
    import numba

    t0 = time.perf_counter()
    compiled = numba.njit(nogil=True)(count_inside)
    compiled(1, 1)  # compile now: compile time is not run time
    compile_s = time.perf_counter() - t0
    if compiled(10_000, 7) != count_inside(10_000, 7):
        raise RuntimeError("the compiled count differs from the pure-Python one: they would do other work")
    result = ThreadsResult(
        workers=workers,
        samples=samples,
        tasks=tasks,
        seconds=seconds,
        gil_enabled=gil_enabled(),
        python=f"{platform.python_implementation()} {platform.python_version()}",
        compile_s=compile_s,
    )
    big = samples * COMPILED_FACTOR
    pool = start_pool(multiprocessing.get_context("spawn"), workers)  # the server is threaded: never fork
    try:
        for w in range(1, workers + 1):
            measures = {
                PYTHON_THREADS: (
                    f"{samples:,} " + N_("points"),
                    partial(on_threads, count_inside, split(samples, w, 7)),
                ),
                PROCESSES: (
                    f"{samples:,} " + N_("points"),
                    partial(on_processes, pool, split(samples, w, 7)),
                ),
                NOGIL_THREADS: (f"{big:,} " + N_("points"), partial(on_threads, compiled, split(big, w, 7))),
                SLEEPING_THREADS: (f"{tasks:,} " + N_("sleeps"), partial(sleeping, tasks, seconds, w)),
            }
            for kind, (work, measure) in measures.items():
                result.runs.append({"how": kind, "workers": w, "work": work, **fastest(repeat, measure)})
    finally:
        pool.terminate()
        pool.join()
    result.busy = busy_note()
    return result


LESSON = Lesson(
    name="threads",
    title=N_("Threads, processes and the GIL"),
    label=N_("Threads and the GIL"),
    claim=N_(
        "one CPU-bound count on Python threads (the GIL: no faster), on processes and on Numba ``nogil`` "
        "threads (faster); threads do help while they wait."
    ),
    why=WHY,
    function=threads_and_gil,
    bounds={
        "workers": (1, 8),
        "samples": (10_000, 20_000_000),
        "tasks": (1, 64),
        "seconds": (0.01, 2),
        "repeat": (1, 10),
    },
    shows=(count_inside, timed_count, nap, on_threads, on_processes, sleeping, gil_enabled),
)
