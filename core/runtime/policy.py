"""What a visitor may run on this server, decided in one place: the π page, the Benchmarks page and the
lessons page ask ``Policy``, none decides it itself. The operator may run anything; a student's run must
stay within the operator's limits (``core.runtime.access.Settings``): n, the slow backends' n, workers,
the time budget, runs per visitor and the share of the queue one address may hold."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

from core.lessons.lesson import Lesson
from core.pi.backends import BACKENDS
from core.runtime.access import Settings
from core.runtime.i18n import N_, Translate, english

SIZE_PARAMETERS = ("n", "samples")  # a lesson's parameters that are a number of samples
WORKER_PARAMETERS = ("workers", "processes")  # a lesson's parameters that start workers or processes
LESSON_LIMIT = N_("students may run this lesson with {name} up to {limit} on this server, not {value}")


def student_max_workers() -> int:
    """The most workers or processes a student's lesson may start: one per core, and at least four, so that
    every lesson's defaults (up to three processes) run on a small server too."""
    return max(4, os.cpu_count() or 1)


def slow(backend: str) -> bool:
    """Whether ``backend`` is one of the slowest (pure Python, the lecture's O(n) arrays): those that go
    less far than NumPy chunked."""
    return BACKENDS[backend].max_n < BACKENDS["numpy_chunked"].max_n


@dataclass(frozen=True)
class Sweep:
    """A sweep as a visitor may run it: the largest n kept for each backend (a backend with no size left is
    not in ``max_n``), the sizes dropped for each, and the time budget."""

    max_n: dict[str, int]
    dropped: dict[str, list[int]] = field(default_factory=dict)
    budget_s: float = 0.0

    @property
    def backends(self) -> list[str]:
        """The backends that keep at least one size, in the order asked."""
        return list(self.max_n)


@dataclass(frozen=True, kw_only=True)
class Policy:
    """The limits one visitor's runs meet: none for the operator, the server's for a student."""

    settings: Settings
    operator: bool = False

    def run_refusal(self, backend: str, n: int, *, _: Translate = english) -> str | None:
        """Why this visitor may not run ``backend`` on ``n`` samples (in ``_``'s language), or None."""
        if self.operator:
            return None
        return self.settings.run_refusal(backend, n, slow=slow(backend), _=_)

    def sweep(self, backends: list[str], ns: list[int], budget_s: float) -> Sweep:
        """A sweep of ``backends`` × ``ns`` within ``budget_s`` as this visitor may run it: every
        (backend, n) pair that ``run_refusal`` would refuse is dropped, and a student's budget is at most
        ``job_budget_s``."""
        max_n: dict[str, int] = {}
        dropped: dict[str, list[int]] = {}
        for backend in backends:
            kept = [n for n in ns if self.run_refusal(backend, n) is None]
            if kept:
                max_n[backend] = max(kept)
            if len(kept) < len(ns):
                dropped[backend] = [n for n in ns if n not in kept]
        budget = budget_s if self.operator else min(budget_s, self.settings.job_budget_s)
        return Sweep(max_n=max_n, dropped=dropped, budget_s=budget)

    def lesson_refusal(self, lesson: Lesson, params: dict[str, Any], *, _: Translate = english) -> str | None:
        """Why this visitor may not run ``lesson`` with ``params`` (in ``_``'s language), or None: a
        student's samples stay within ``student_max_n`` and workers or processes within one per core."""
        if self.operator:
            return None
        checked = lesson.check(params)
        for name, value in checked.items():
            limit = self._lesson_limit(name)
            if limit is not None and value > limit:
                label = _(lesson.label_of(name))
                return _(LESSON_LIMIT, name=label, limit=_.number(limit), value=_.number(value))
        return None

    def _lesson_limit(self, parameter: str) -> int | None:
        if parameter in SIZE_PARAMETERS:
            return self.settings.student_max_n
        if parameter in WORKER_PARAMETERS:
            return student_max_workers()
        return None

    def job_limits(self, places: int) -> dict[str, Any]:
        """The job runner's limits on this visitor's job, ``places`` being the runner's queue and slots:
        none for the operator; for a student the time budget, the runs per visitor and the places one
        address may hold (``address_share`` of them, at least ``runs_per_visitor``)."""
        if self.operator:
            return {}
        share = max(self.settings.runs_per_visitor, math.floor(self.settings.address_share * places))
        return {
            "budget_s": self.settings.job_budget_s,
            "per_owner": self.settings.runs_per_visitor,
            "per_address": share,
        }
