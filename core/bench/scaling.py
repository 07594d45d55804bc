"""The scaling lab: one parallel backend on 1…k workers, strong scaling (fixed N) and weak scaling (N per
worker fixed), timed by the one harness (``measure``); speed-up, efficiency, the fixed costs apart from the
work, Amdahl's and Gustafson's laws fitted (``core.bench.fits``).

Every point is one ``measure`` at one (N, workers): its best time, its first call's start-up (a pool or a
cluster growing to the workers asked), and the time of a run at ``FIXED_N_PER_WORKER`` draws a worker at
the same workers: what a run costs whatever N (scheduling the ranges, gathering the counts). The work is
what is left. The counter-based stream makes draw i a function of (seed, i) alone, so a strong-scaling run
counts exactly the same points on every worker count: the lab checks it and stops on a difference.

A point is one run; a task timeline of that run (its ranges' start, end and worker) joins ``Point`` as a
field once the backends record one, and the page draws it per point.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from core.bench.fits import Fit, fit_amdahl, fit_gustafson
from core.bench.harness import Disagreement, Timing, measure
from core.pi import BACKENDS, check_request, dask_client, ray_engine
from core.pi.timeline import Span
from core.runtime.i18n import N_, Translate, english

STRONG = "strong"
WEAK = "weak"
FIXED_N_PER_WORKER = 1_000  # a run this small is all fixed cost: ranges scheduled, counts gathered
KINDS = {STRONG: N_("strong scaling"), WEAK: N_("weak scaling")}


def on_a_cluster(backend: str, *, scheduler: str | None, ray_address: str | None) -> bool:
    """Whether ``backend`` runs on a cluster named by an address (given, or the operator's
    ``PILAB_DASK_SCHEDULER`` / ``PILAB_RAY_ADDRESS``): its workers share that cluster's cores, not ours."""
    if backend == "dask":
        return dask_client.scheduler_address(scheduler) is not None
    if backend == "ray":
        return ray_engine.ray_address(ray_address) is not None
    return False


def cores_for(backend: str, *, scheduler: str | None, ray_address: str | None) -> int | None:
    """The cores a run's workers share: this machine's, or None (unknown) on a cluster."""
    return None if on_a_cluster(backend, scheduler=scheduler, ray_address=ray_address) else os.cpu_count()


@dataclass(kw_only=True, frozen=True)
class Plan:
    """What the lab runs: ``backend`` at ``n`` draws (strong) and ``n_per_worker`` draws a worker (weak) on
    each of ``workers``; ``cores`` is what the workers share (None: unknown, as on a remote cluster)."""

    backend: str
    n: int
    n_per_worker: int
    workers: tuple[int, ...]
    repeat: int = 3
    target_s: float = 0.2
    seed: int = 2024
    cores: int | None = field(default_factory=os.cpu_count)
    scheduler: str | None = None
    ray_address: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "workers", tuple(sorted({1, *self.workers})))

    def check(self, *, _: Translate = english) -> None:
        """A ``ValueError`` (in ``_``'s language) unless the backend is parallel and can take every run."""
        if self.backend in BACKENDS and not BACKENDS[self.backend].parallel:
            parallel = ", ".join(name for name, b in BACKENDS.items() if b.parallel)
            raise ValueError(
                _(
                    "the scaling lab needs a parallel backend ({names}), not {name}",
                    names=parallel,
                    name=self.backend,
                )
            )
        top = max(self.workers)
        check_request(self.backend, self.n, seed=self.seed, workers=top, _=_)
        check_request(self.backend, self.n_per_worker * top, workers=top, _=_)


@dataclass(kw_only=True, frozen=True)
class Point:
    """One run of the lab: ``kind`` (strong or weak) at ``workers`` asked, which ran on ``ran_on`` (Numba
    has at most one thread a core); ``time_s`` its best time, ``fixed_s`` a tiny run's at the same workers,
    ``startup_s`` what its first call paid to start workers."""

    kind: str
    backend: str
    workers: int
    ran_on: int
    n: int
    inside: int
    time_s: float
    std_s: float
    fixed_s: float
    startup_s: float
    beyond_cores: bool
    spans: tuple[Span, ...] = field(default=(), repr=False, compare=False)  # a warm run's timeline

    @property
    def work_s(self) -> float:
        return max(self.time_s - self.fixed_s, 0.0)

    def to_dict(self) -> dict:
        """The point's numbers (English keys: ``--json``, the download), without its timeline."""
        row = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "spans"}
        return row | {"work_s": self.work_s}


def measure_points(
    plan: Plan,
    *,
    on_point: Callable[[Point], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    budget_s: float | None = None,
) -> list[Point]:
    """Strong then weak point at each worker count, fewest workers first, each handed to ``on_point``; with
    ``budget_s``, no new worker count starts once the lab has run that long. Raises ``Disagreement`` when
    two worker counts count different points at the same N and seed."""
    points: list[Point] = []
    start = time.perf_counter()
    for workers in plan.workers:
        if budget_s is not None and points and time.perf_counter() - start > budget_s:
            break
        fixed = _measure(plan, FIXED_N_PER_WORKER * workers, workers=workers, should_stop=should_stop)
        for kind, n in ((STRONG, plan.n), (WEAK, plan.n_per_worker * workers)):
            timing = _measure(plan, n, workers=workers, should_stop=should_stop)
            point = _point(plan, kind, timing=timing, workers=workers, fixed_s=fixed.best_s)
            first = next((p for p in points if p.kind == STRONG), None)
            if kind == STRONG and first is not None and first.inside != point.inside:
                raise Disagreement(
                    f"{plan.backend} counted {point.inside} on {workers} workers and {first.inside} on "
                    f"{first.workers} at n={plan.n}: the stream must not depend on the workers"
                )
            points.append(point)
            if on_point:
                on_point(point)
    return points


def _measure(plan: Plan, n: int, *, workers: int, should_stop: Callable[[], bool] | None) -> Timing:
    return measure(
        plan.backend,
        n,
        repeat=plan.repeat,
        target_s=plan.target_s,
        seed=plan.seed,
        workers=workers,
        should_stop=should_stop,
        scheduler=plan.scheduler,
        ray_address=plan.ray_address,
    )


def _point(plan: Plan, kind: str, *, timing: Timing, workers: int, fixed_s: float) -> Point:
    return Point(
        kind=kind,
        backend=plan.backend,
        workers=workers,
        ran_on=timing.workers,
        n=timing.n,
        inside=timing.inside,
        time_s=timing.best_s,
        std_s=timing.std_s,
        fixed_s=fixed_s,
        startup_s=timing.startup_s,
        beyond_cores=plan.cores is not None and workers > plan.cores,
        spans=timing.spans,
    )


@dataclass(kw_only=True, frozen=True)
class Scaling:
    """The lab's points analysed: one row a point (``rows``: English keys, Python numbers), the laws
    fitted, and whether every strong-scaling run counted the same points."""

    backend: str
    cores: int | None
    rows: list[dict]
    amdahl: Fit | None
    gustafson: Fit | None
    same_count: bool

    @property
    def beyond_cores(self) -> bool:
        return any(r["beyond_cores"] for r in self.rows)

    def to_dict(self) -> dict:
        fits = {"amdahl": self.amdahl, "gustafson": self.gustafson}
        return {
            "backend": self.backend,
            "cores": self.cores,
            "same_count": self.same_count,
            **{law: fit.to_dict() if fit else None for law, fit in fits.items()},
            "rows": self.rows,
        }

    def headline(self, *, _: Translate = english) -> str:
        """The fitted serial fractions in one sentence, in ``_``'s language."""
        parts = [
            _(
                "{law}: serial fraction s = {s} ± {error}",
                law=_(label),
                s=_.number(fit.serial, decimals=3),
                error=_.number(fit.error, decimals=3) if math.isfinite(fit.error) else "?",
            )
            for label, fit in (
                (N_("Amdahl (strong scaling)"), self.amdahl),
                (N_("Gustafson (weak scaling)"), self.gustafson),
            )
            if fit is not None
        ]
        if not parts:
            return _("{backend}: measure at least two worker counts to fit a law", backend=self.backend)
        return f"{self.backend}: " + "; ".join(parts)

    def count_check(self, *, _: Translate = english) -> str | None:
        """That every strong-scaling run counted the same points, in ``_``'s language (None: no such run)."""
        strong = [r for r in self.rows if r["kind"] == STRONG]
        if not strong or not self.same_count:
            return None
        return _(
            "Every worker count counted exactly the same points ({inside} inside of {n}): draw i "
            "of the counter-based stream depends on the seed and i alone, never on the workers.",
            inside=_.number(strong[0]["inside"]),
            n=_.number(strong[0]["n"]),
        )

    def notes(self, *, _: Translate = english) -> list[str]:
        """What the points say beyond the numbers, in ``_``'s language: the workers past the cores, and a
        fit that says more workers made the run slower."""
        said = []
        if self.beyond_cores:
            said.append(
                _(
                    "Workers beyond the {cores} cores share them: past the cores the speed-up "
                    "stops growing and the curve flattens. That is the lesson, not a fault.",
                    cores=_.number(self.cores or 0),
                )
            )
        if self.cores is None:
            said.append(
                _(
                    "The workers ran on a cluster whose cores are not known here: no worker count is marked "
                    "as beyond them, and the laws are fitted with p = the workers."
                )
            )
        if self.amdahl is not None and self.amdahl.serial > 1:
            said.append(
                _(
                    "More workers made the strong-scaling run slower (s > 1): at this N the fixed costs "
                    "(starting, scheduling, gathering) outweigh the work. Try a larger N."
                )
            )
        return said


def analyse(points: list[Point], *, cores: int | None) -> Scaling:
    """Speed-up and efficiency of every point against its kind's run on one worker (strong: T(1)/T(p) and
    that over p; weak: p·T(1)/T(p) and T(1)/T(p)), and the laws fitted to them."""
    rows = []
    for kind in (STRONG, WEAK):
        runs = sorted((p for p in points if p.kind == kind), key=lambda p: p.workers)
        one = next((p for p in runs if p.workers == 1), None)
        for p in runs:
            ratio = one.time_s / p.time_s if one and p.time_s > 0 else math.nan
            speedup = ratio if kind == STRONG else p.workers * ratio
            efficiency = ratio / p.workers if kind == STRONG else ratio
            rows.append(p.to_dict() | {"speedup": speedup, "efficiency": efficiency})
    strong = [r for r in rows if r["kind"] == STRONG and math.isfinite(r["speedup"])]
    weak = [r for r in rows if r["kind"] == WEAK and math.isfinite(r["speedup"])]
    return Scaling(
        backend=points[0].backend if points else "",
        cores=cores,
        rows=rows,
        amdahl=fit_amdahl([r["workers"] for r in strong], [r["speedup"] for r in strong], cores=cores),
        gustafson=fit_gustafson([r["workers"] for r in weak], [r["speedup"] for r in weak], cores=cores),
        same_count=len({r["inside"] for r in rows if r["kind"] == STRONG}) <= 1,
    )


def run_lab(job, plan: Plan, *, budget_s: float) -> list[Point]:
    """``measure_points`` as a background job: each point goes to ``job.partial`` as it is measured."""
    total = 2 * len(plan.workers)
    job.begin_stage("scaling lab", total)

    def on_point(point: Point) -> None:
        job.partial.append(point)
        job.stage = f"{point.kind} scaling on {point.workers} workers done"
        job.progress(len(job.partial), total)

    return measure_points(plan, on_point=on_point, should_stop=job.should_stop, budget_s=budget_s)
