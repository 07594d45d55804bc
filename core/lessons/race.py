"""Lesson 4: a shared ``Value`` that several processes increment loses updates without a lock; none with."""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass, field
from typing import Any

from core.lessons.lesson import Chart, Lesson, Result
from core.lessons.measuring import check_exits
from core.runtime.i18n import N_, Translate, english

WHY = N_(
    "`counter.value += 1` is three steps: read the value, add one, write it back. `Value` locks each "
    "read and each write, but not the three together, so two processes can both read 41 and both write "
    "42: one increment is lost. That is a data race, and how much it loses depends on timing, so every "
    "trial gives a different wrong answer (the lecture got 29,462 instead of 30,000). Holding the value's "
    "lock around the whole read-modify-write (`with counter.get_lock():`) makes it atomic: exact, every "
    "time, and slower, since the processes now take turns. The lecture's global `lock = Lock()` only "
    "works when workers are forked; pass the lock (or use the value's own) so it also holds under spawn."
)


def add_unlocked(counter, increments: int, start) -> None:
    """Add one to ``counter`` ``increments`` times, as the lecture does: no lock."""
    start.wait()  # every process begins at once, so they really overlap
    for _ in range(increments):
        counter.value += 1


def add_locked(counter, increments: int, start) -> None:
    """The same, holding the counter's lock for each read-modify-write."""
    start.wait()
    for _ in range(increments):
        with counter.get_lock():
            counter.value += 1


@dataclass(kw_only=True)
class RaceResult(Result):
    processes: int
    increments: int
    unlocked: list[int] = field(default_factory=list)
    locked: list[int] = field(default_factory=list)
    unlocked_s: list[float] = field(default_factory=list)
    locked_s: list[float] = field(default_factory=list)

    chart = Chart("bar", "trial", "count", "how")

    @property
    def expected(self) -> int:
        return self.processes * self.increments

    @property
    def exact(self) -> bool:
        return set(self.locked) == {self.expected}

    def headline(self, *, _: Translate = english) -> str:
        return _(
            "{processes} processes × {increments} increments should give {expected}: without a lock "
            "{unlocked}; with the lock {locked}",
            processes=_.number(self.processes),
            increments=_.number(self.increments),
            expected=_.number(self.expected),
            unlocked=", ".join(_.number(c) for c in self.unlocked),
            locked=", ".join(_.number(c) for c in self.locked),
        )

    def metrics(self, *, _: Translate = english) -> list[tuple[str, ...]]:
        worst = min(self.unlocked)
        return [
            (_("expected"), _.number(self.expected)),
            (_("worst without a lock"), _.number(worst), _("{n} lost", n=_.number(worst - self.expected))),
            (_("with the lock"), _.number(min(self.locked)), _("exact") if self.exact else _("NOT exact")),
        ]

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                N_("trial"): t + 1,
                N_("without a lock"): u,
                N_("lost"): self.expected - u,
                N_("with the lock"): k,
                N_("seconds, no lock"): us,
                N_("seconds, lock"): ks,
            }
            for t, (u, k, us, ks) in enumerate(
                zip(self.unlocked, self.locked, self.unlocked_s, self.locked_s, strict=True)
            )
        ]

    def chart_rows(self) -> list[dict[str, Any]]:
        return [
            {N_("trial"): f"trial {t + 1}", "how": how, N_("count"): count}
            for t in range(len(self.unlocked))
            for how, count in (
                (N_("without a lock"), self.unlocked[t]),
                (N_("with the lock"), self.locked[t]),
            )
        ]


def count_together(target, processes: int, increments: int) -> tuple[int, float]:
    """Start ``processes`` running ``target`` on one shared counter; return its final value and the time."""
    ctx = multiprocessing.get_context("spawn")
    counter = ctx.Value("i", 0)
    start = ctx.Barrier(processes)
    procs = [ctx.Process(target=target, args=(counter, increments, start)) for _ in range(processes)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    check_exits(procs)
    return counter.value, time.perf_counter() - t0


def race(processes: int = 3, increments: int = 30_000, trials: int = 3) -> RaceResult:
    """Count with ``processes`` processes ``trials`` times, without and then with the lock.

    The lecture's 10,000 increments can fit in one time slice on a busy two-core machine (no overlap, no
    loss); 30,000 keep the processes overlapping, so a trial that loses nothing is rare. How much a trial
    loses is up to the scheduler: the page shows the worst of the trials."""
    result = RaceResult(processes=processes, increments=increments)
    for _ in range(trials):
        count, seconds = count_together(add_unlocked, processes, increments)
        result.unlocked.append(count)
        result.unlocked_s.append(seconds)
        count, seconds = count_together(add_locked, processes, increments)
        result.locked.append(count)
        result.locked_s.append(seconds)
    return result


LESSON = Lesson(
    name="race",
    title=N_("A shared Value: race and Lock"),
    label=N_("Race and Lock"),
    claim=N_("a shared ``Value`` that several processes increment loses updates without a lock; none with."),
    why=WHY,
    function=race,
    bounds={"processes": (2, 8), "increments": (1_000, 1_000_000), "trials": (1, 10)},
    shows=(add_unlocked, add_locked, count_together),
)
