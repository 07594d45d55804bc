"""Lesson 1: three processes sleeping S seconds at once take about S, not 3·S (``Process`` start and join)."""

from __future__ import annotations

import multiprocessing
import os
import time
from dataclasses import dataclass, field
from typing import Any

from core.lessons.lesson import Chart, Lesson, Result
from core.lessons.measuring import check_exits
from core.runtime.i18n import N_, Translate, english

WHY = N_(
    "`start()` only launches a process and returns at once; `join()` waits for it to finish. Started "
    "together, the sleeps overlap, so the wall time is one sleep plus the cost of starting the processes "
    "(each spawned process begins a fresh Python interpreter: a tenth of a second, more on a busy "
    "machine). Started and joined one at a time, they queue up: N sleeps take N·S. A sleeping process uses "
    "no CPU, so this works with more processes than cores, and it is why processes (not threads) are "
    "Python's way around the GIL for CPU work too. The order in which they wake is up to the operating "
    "system: run it twice and it may change."
)


def nap(number: int, *, seconds: float, t0: float, log) -> None:
    """Sleep ``seconds`` in this process; put (number, pid, start, end) on ``log``, relative to ``t0``."""
    start = time.time() - t0
    time.sleep(seconds)
    log.put((number, os.getpid(), start, time.time() - t0))


@dataclass(kw_only=True)
class SleepResult(Result):
    processes: int
    seconds: float
    parallel_s: float
    one_by_one_s: float
    naps: list[dict[str, Any]] = field(default_factory=list)

    chart = Chart("timeline", "process", "start_s", "end_s")

    def headline(self, *, _: Translate = english) -> str:
        return _(
            "{processes} processes sleeping {seconds} s each took {together} s started together and "
            "{one_by_one} s one at a time ({total} s of sleep in all)",
            processes=_.number(self.processes),
            seconds=_.number(self.seconds),
            together=_.number(self.parallel_s, decimals=2),
            one_by_one=_.number(self.one_by_one_s, decimals=2),
            total=_.number(self.processes * self.seconds),
        )

    def metrics(self, *, _: Translate = english) -> list[tuple[str, ...]]:
        return [
            (_("started together"), _.number(self.parallel_s, decimals=2) + " s"),
            (_("one at a time"), _.number(self.one_by_one_s, decimals=2) + " s"),
            (_("sleep in all"), _.number(self.processes * self.seconds) + " s"),
        ]

    def rows(self) -> list[dict[str, Any]]:
        return self.naps


def _run(processes: int, seconds: float, *, together: bool, how: str) -> tuple[float, list[dict]]:
    ctx = multiprocessing.get_context("spawn")  # the app server is threaded: never fork it
    log = ctx.Queue()
    t0 = time.time()
    procs = [
        ctx.Process(target=nap, args=(i + 1,), kwargs={"seconds": seconds, "t0": t0, "log": log})
        for i in range(processes)
    ]
    if together:
        for p in procs:
            p.start()
        for p in procs:
            p.join()
    else:
        for p in procs:
            p.start()
            p.join()
    wall = time.time() - t0
    check_exits(procs)
    naps = [log.get(timeout=10) for _ in procs]
    log.close()
    rows = [
        {
            N_("run"): how,
            N_("process"): f"{how} · #{n}",
            "pid": pid,
            "start_s": s,
            "end_s": e,
            N_("woke"): rank + 1,
        }
        for rank, (n, pid, s, e) in enumerate(sorted(naps, key=lambda r: r[3]))
    ]
    return wall, sorted(rows, key=lambda r: r["process"])


def sleep_in_parallel(processes: int = 3, seconds: float = 0.5) -> SleepResult:
    """Start ``processes`` sleepers together and join them; then again one at a time; time both."""
    parallel_s, together = _run(processes, seconds, together=True, how=N_("together"))
    one_by_one_s, queued = _run(processes, seconds, together=False, how=N_("one at a time"))
    return SleepResult(
        processes=processes,
        seconds=seconds,
        parallel_s=parallel_s,
        one_by_one_s=one_by_one_s,
        naps=together + queued,
    )


LESSON = Lesson(
    name="processes",
    title=N_("Processes sleeping in parallel"),
    label=N_("Processes"),
    claim=N_("three processes sleeping S seconds at once take about S, not 3·S (``Process`` start and join)"),
    why=WHY,
    function=sleep_in_parallel,
    bounds={"processes": (1, 8), "seconds": (0.05, 5)},
    shows=(nap, _run),
)
