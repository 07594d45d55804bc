"""Lesson 2: ``Pool.map`` against the built-in ``map``: the pool loses on tiny tasks, wins on heavy ones."""

from __future__ import annotations

import multiprocessing
import os
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.lessons.lesson import Chart, Lesson, Result
from core.lessons.measuring import best_of, busy_note, busy_text
from core.runtime.i18n import N_, Translate, english

WHY = N_(
    "A pool does not share memory with you: every item is pickled, sent down a pipe to a worker, unpickled, "
    "and its result comes back the same way. For `x ** 2 - 1` that round trip costs far more than the "
    "arithmetic, so the built-in `map` in one process wins by a wide margin, however many cores you have "
    "(the lecture measured 1.89 s against 0.31 s). When each task computes for a while, the round trip is "
    "noise and the workers really do run at once: the pool approaches a speed-up equal to the number of "
    "cores. Starting the pool costs something too (a fresh interpreter per worker): start it once and "
    "reuse it."
)


def func(x: float) -> float:
    """The lecture's tiny task."""
    return x**2 - 1


def ready(_: object) -> int:
    """A start-up probe: a short nap, then this worker's pid."""
    time.sleep(0.02)
    return os.getpid()


def heavy(steps: int) -> int:
    """A heavy task: ``steps`` rounds of pure-Python arithmetic (the GIL holds it to one core per process)."""
    total = 0
    for i in range(steps):
        total = (total + i * i) % 1_000_003
    return total


@dataclass(kw_only=True)
class PoolMapResult(Result):
    workers: int
    tiny_items: int
    heavy_tasks: int
    heavy_steps: int
    startup_s: float
    tiny_map_s: float
    tiny_pool_s: float
    heavy_map_s: float
    heavy_pool_s: float
    busy: str = ""

    chart = Chart("bar", "tasks", "seconds", "how")

    @property
    def tiny_speedup(self) -> float:
        return self.tiny_map_s / self.tiny_pool_s

    @property
    def heavy_speedup(self) -> float:
        return self.heavy_map_s / self.heavy_pool_s

    def headline(self, *, _: Translate = english) -> str:
        return _(
            "tiny tasks: Pool({workers}).map {tiny_pool} s vs map {tiny_map} s (×{tiny_speedup}); heavy "
            "tasks: {heavy_pool} s vs {heavy_map} s (×{heavy_speedup}); starting the pool took {startup} s",
            workers=self.workers,
            tiny_pool=_.number(self.tiny_pool_s, decimals=3),
            tiny_map=_.number(self.tiny_map_s, decimals=3),
            tiny_speedup=_.number(self.tiny_speedup, decimals=2),
            heavy_pool=_.number(self.heavy_pool_s, decimals=2),
            heavy_map=_.number(self.heavy_map_s, decimals=2),
            heavy_speedup=_.number(self.heavy_speedup, decimals=2),
            startup=_.number(self.startup_s, decimals=2),
        ) + busy_text(self.busy, _)

    def metrics(self, *, _: Translate = english) -> list[tuple[str, ...]]:
        return [
            (_("pool speed-up, tiny tasks"), "×" + _.number(self.tiny_speedup, decimals=2)),
            (_("pool speed-up, heavy tasks"), "×" + _.number(self.heavy_speedup, decimals=2)),
            (
                _("starting Pool({workers})", workers=self.workers),
                _.number(self.startup_s, decimals=2) + " s",
            ),
        ]

    def rows(self) -> list[dict[str, Any]]:
        tiny = f"{self.tiny_items:,} " + N_("tiny")  # "50,000 tiny": the count, then a message
        heavy = f"{self.heavy_tasks} " + N_("heavy")
        return [
            {N_("tasks"): tiny, N_("how"): N_("built-in map"), N_("seconds"): self.tiny_map_s},
            {"tasks": tiny, "how": f"Pool({self.workers}).map", "seconds": self.tiny_pool_s},
            {"tasks": heavy, "how": "built-in map", "seconds": self.heavy_map_s},
            {"tasks": heavy, "how": f"Pool({self.workers}).map", "seconds": self.heavy_pool_s},
        ]


def pool_vs_map(
    *,
    tiny_items: int = 50_000,
    heavy_tasks: int = 8,
    heavy_steps: int = 500_000,
    workers: int = 0,
    repeat: int = 3,
) -> PoolMapResult:
    """Time ``map`` and ``Pool.map`` over ``tiny_items`` tiny tasks, then over ``heavy_tasks`` heavy ones
    (the best of ``repeat`` runs each)."""
    workers = workers or os.cpu_count() or 1
    var = np.arange(0, tiny_items / 1000, 0.001)[:tiny_items]  # the lecture's np.arange(0, 1000, 0.001)
    ctx = multiprocessing.get_context("spawn")
    t0 = time.perf_counter()
    with ctx.Pool(workers) as p:
        deadline = time.monotonic() + 60
        while len(set(p.map(ready, range(workers), chunksize=1))) < workers:  # every worker has answered
            if time.monotonic() > deadline:
                raise RuntimeError(f"the Pool's {workers} workers did not all start within 60 s")
        startup_s = time.perf_counter() - t0
        pooled, direct = p.map(func, var[:1000]), list(map(func, var[:1000]))
        if pooled != direct:  # the same answers, in order, or the timings below compare different work
            raise RuntimeError(
                f"Pool({workers}).map and the built-in map gave different answers for the same "
                f"{len(direct):,} items: the lesson would time different work"
            )
        tiny_map_s, tiny_pool_s = best_of(repeat, lambda: list(map(func, var)), lambda: p.map(func, var))
        tasks = [heavy_steps] * heavy_tasks
        heavy_map_s, heavy_pool_s = best_of(
            repeat, lambda: list(map(heavy, tasks)), lambda: p.map(heavy, tasks, chunksize=1)
        )
        p.close()
        p.join()
    return PoolMapResult(
        workers=workers,
        tiny_items=tiny_items,
        heavy_tasks=heavy_tasks,
        heavy_steps=heavy_steps,
        startup_s=startup_s,
        tiny_map_s=tiny_map_s,
        tiny_pool_s=tiny_pool_s,
        heavy_map_s=heavy_map_s,
        heavy_pool_s=heavy_pool_s,
        busy=busy_note(),
    )


LESSON = Lesson(
    name="pool_vs_map",
    title=N_("Pool.map vs map"),
    label=N_("Pool vs map"),
    claim=N_("``Pool.map`` against the built-in ``map``: the pool loses on tiny tasks, wins on heavy ones."),
    why=WHY,
    function=pool_vs_map,
    bounds={
        "tiny_items": (1_000, 2_000_000),
        "heavy_tasks": (1, 64),
        "heavy_steps": (1_000, 20_000_000),
        "workers": (0, 32),
        "repeat": (1, 20),
    },
    shows=(func, heavy),
)
