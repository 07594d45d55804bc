"""Lesson 3: ``map``, ``map_async``, ``apply``, ``apply_async``: what blocks, what returns, in what order."""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass, field
from typing import Any

from core.lessons.lesson import Chart, Lesson, Result
from core.runtime.i18n import N_, Translate, english

WHY = N_(
    "`map` and `apply` block: your program waits on the line until the answer is there. Their `_async` "
    "twins return at once with an `AsyncResult`, a receipt whose `.get()` waits for the answer, so you can "
    "do other work (or submit more) meanwhile. `map` splits one iterable over the workers; `apply` runs "
    "ONE call in ONE worker, so a loop of `apply` is serial even on a pool of many (it takes the sum of the "
    "task times), while a loop of `apply_async` keeps every worker busy. Results always come back in the "
    "order you asked for them, whatever the order the tasks finish in: here the first values sleep longest, "
    "so they finish last (see `finished in`)."
)


def slow_func(task: tuple[int, float]) -> int:
    """The lecture's ``x ** 2 - 1`` for ``task = (x, nap)``, after sleeping ``nap`` seconds."""
    x, nap = task
    time.sleep(nap)
    return x**2 - 1


@dataclass(kw_only=True)
class MapApplyResult(Result):
    workers: int
    values: list[int]
    seconds: float
    calls: list[dict[str, Any]] = field(default_factory=list)

    chart = Chart("bar", "method", "seconds", "until")

    def headline(self, *, _: Translate = english) -> str:
        by = {c["method"]: c for c in self.calls}
        calls = (
            _(
                "{method} blocked {blocked} s, results after {total} s",
                method=m,
                blocked=_.number(c["blocked_s"], decimals=2),
                total=_.number(c["total_s"], decimals=2),
            )
            for m, c in by.items()
        )
        tasks = _("{tasks} tasks on Pool({workers}):", tasks=_.number(len(self.values)), workers=self.workers)
        return tasks + " " + "; ".join(calls)

    def metrics(self, *, _: Translate = english) -> list[tuple[str, ...]]:
        return [
            (_("{method} blocked", method=c["method"]), _.number(c["blocked_s"], decimals=2) + " s")
            for c in self.calls
        ]

    def rows(self) -> list[dict[str, Any]]:
        return self.calls

    def chart_rows(self) -> list[dict[str, Any]]:
        return [
            {N_("method"): c["method"], N_("until"): until, "seconds": c[key]}
            for c in self.calls
            for until, key in ((N_("the call returned"), "blocked_s"), (N_("results in hand"), "total_s"))
        ]


def compare_calls(tasks: int = 6, seconds: float = 0.3, workers: int = 3) -> MapApplyResult:
    """Run the lecture's ``func`` on ``[2, 4, ...]`` with each of the four calls; time what blocks.

    The first values nap longest; ``apply_async``'s callbacks record the order the tasks finish in.
    """
    values = [2 * (i + 1) for i in range(tasks)]
    naps = [seconds * (tasks - i) / tasks for i in range(tasks)]
    pairs = list(zip(values, naps, strict=True))
    calls = []
    with multiprocessing.get_context("spawn").Pool(workers) as p:
        p.map(time.sleep, [0.05] * workers, chunksize=1)  # start the workers before timing
        for method in ("map", "map_async", "apply", "apply_async"):
            finished: list[int] = []
            t0 = time.perf_counter()
            if method == "map":
                returned = p.map(slow_func, pairs, chunksize=1)
            elif method == "map_async":
                returned = p.map_async(slow_func, pairs, chunksize=1)
            elif method == "apply":
                returned = [p.apply(slow_func, (pair,)) for pair in pairs]
            else:
                returned = [p.apply_async(slow_func, (pair,), callback=finished.append) for pair in pairs]
            blocked = time.perf_counter() - t0
            if method == "map_async":
                results = returned.get()
            elif method == "apply_async":
                results = [r.get() for r in returned]
            else:
                results = returned
            calls.append(
                {
                    "method": method,
                    N_("one call returns"): _kind(method, returned),
                    "blocked_s": blocked,
                    "total_s": time.perf_counter() - t0,
                    N_("finished in"): [values[results.index(r)] for r in finished] or None,
                    N_("results"): results,
                }
            )
        p.close()
        p.join()
    return MapApplyResult(workers=workers, values=values, seconds=seconds, calls=calls)


def _kind(method: str, returned: object) -> str:
    one = returned[0] if method.startswith("apply") else returned
    return f"{type(one).__name__} (an AsyncResult)" if method.endswith("async") else type(one).__name__


LESSON = Lesson(
    name="map_vs_apply",
    title=N_("map vs map_async vs apply vs apply_async"),
    label=N_("map vs apply"),
    claim=N_("``map``, ``map_async``, ``apply``, ``apply_async``: what blocks, what returns, in what order."),
    why=WHY,
    function=compare_calls,
    bounds={"tasks": (1, 24), "seconds": (0.01, 2), "workers": (1, 16)},
    shows=(slow_func,),
)
