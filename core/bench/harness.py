"""Time backends like ``%timeit``: calibrated loops, several repeats, mean ± std and best, JIT cost apart.

Like perfplot, a sweep first checks that the backends agree (every repeat of a backend must count the same
points; the counter-based backends must count the same points as each other), and stops timing a backend
at larger n once one run of it passes a time limit. A backend is named by a *label*: its registry name, or
``name@W`` to pin it to W workers (``numba_parallel@1`` is the counter-based loop on one thread). Any
other counting callable (a yardstick written outside ``core``) is timed the same way by ``measure_call``.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields

from core.pi import BACKENDS, Backend, Estimate, estimate
from core.pi.timeline import Span


@dataclass(kw_only=True, frozen=True)
class Timing:
    """The timing of one label at one n (seconds per run; ``best_s`` gives ``samples_per_s``). ``backend``
    holds the label as asked: a registry name, ``name@W``, or ``measure_call``'s label."""

    backend: str
    n: int
    workers: int
    inside: int
    mean_s: float
    std_s: float
    best_s: float
    loops: int
    repeat: int
    compile_s: float
    startup_s: float
    samples_per_s: float
    spans: tuple[Span, ...] = field(default=(), repr=False, compare=False)  # a warm run's timeline

    def to_dict(self) -> dict:
        """The numbers (``--json``, CSV, BENCHMARKS.json), without the timeline."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "spans"}


class Disagreement(ValueError):
    """Two runs that must count the same points did not: a wrong result, never a timing to show."""


def split_label(label: str) -> tuple[str, int | None]:
    """``"numba_parallel@1"`` → ``("numba_parallel", 1)``; a plain name → ``(name, None)``."""
    name, at, workers = label.partition("@")
    if at and not workers.isdigit():
        raise ValueError(f"give workers after @ as a whole number, as in numba_parallel@1, not {label!r}")
    return name, int(workers) if at else None


def backend_of(label: str) -> Backend | None:
    """The registry backend a label times, or None for a label of ``measure_call``."""
    return BACKENDS.get(split_label(label)[0])


def measure(
    backend: str,
    n: int,
    *,
    repeat: int = 5,
    target_s: float = 0.2,
    seed: int = 2024,
    workers: int | None = None,
    should_stop: Callable[[], bool] | None = None,
    scheduler: str | None = None,
    ray_address: str | None = None,
) -> Timing:
    """Time ``backend`` (a label) at ``n``: a first call pays compile and start-up; then ``repeat`` timings of
    ``loops`` calls each, ``loops`` chosen so that one timing lasts about ``target_s / repeat``. A Dask
    ``scheduler`` or a ``ray_address`` names a cluster, as ``core.pi.estimate`` takes them."""
    name, pinned = split_label(backend)
    workers = workers if pinned is None else pinned

    def run() -> Estimate:
        return estimate(
            name,
            n,
            seed=seed,
            workers=workers,
            should_stop=should_stop,
            scheduler=scheduler,
            ray_address=ray_address,
        )

    first = run()
    warm: list[Estimate] = [first]

    def loop(loops: int) -> float:
        total = 0.0
        for _ in range(loops):
            again = run()
            if again.inside != first.inside:
                raise Disagreement(f"{backend} counted {again.inside} then {first.inside} for one seed")
            total += again.elapsed_s
            warm[0] = again
        return total

    per_run, loops = _calibrated(loop, one_s=first.elapsed_s, repeat=repeat, target_s=target_s)
    return _timing(
        backend,
        n,
        workers=first.workers,
        inside=first.inside,
        per_run=per_run,
        loops=loops,
        compile_s=first.compile_s,
        startup_s=first.startup_s,
        spans=warm[0].spans,
    )


def measure_call(
    label: str,
    count: Callable[[int], int],
    n: int,
    *,
    repeat: int = 5,
    target_s: float = 0.2,
    workers: int = 1,
) -> Timing:
    """Time any counting callable ``count(n) -> inside`` like ``measure``: a first call compiles (its extra
    time is ``compile_s``), a second calibrates, then ``repeat`` timings of calibrated loops; every call must
    count the same. ``workers`` records what the callable runs on."""
    t0 = time.perf_counter()
    inside = count(n)
    first_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    count(n)
    calibrate_s = time.perf_counter() - t0

    def loop(loops: int) -> float:
        t0 = time.perf_counter()
        for _ in range(loops):
            if count(n) != inside:
                raise Disagreement(f"{label} counted two different numbers at n={n}")
        return time.perf_counter() - t0

    per_run, loops = _calibrated(loop, one_s=calibrate_s, repeat=repeat, target_s=target_s)
    return _timing(
        label,
        n,
        workers=workers,
        inside=inside,
        per_run=per_run,
        loops=loops,
        compile_s=max(0.0, first_s - calibrate_s),
        startup_s=0.0,
    )


def _calibrated(
    loop: Callable[[int], float], *, one_s: float, repeat: int, target_s: float
) -> tuple[list[float], int]:
    """Seconds per call in ``repeat`` timings of ``loop(loops)`` (which returns the seconds ``loops`` calls
    took), ``loops`` chosen from one call's ``one_s`` so that a timing lasts about ``target_s / repeat``."""
    loops = max(1, math.ceil(target_s / repeat / max(one_s, 1e-7)))
    return [loop(loops) / loops for _ in range(repeat)], loops


def _timing(
    label: str,
    n: int,
    *,
    workers: int,
    inside: int,
    per_run: list[float],
    loops: int,
    compile_s: float,
    startup_s: float,
    spans: tuple[Span, ...] = (),
) -> Timing:
    """The statistics of ``per_run`` (seconds per call of each timing) as a ``Timing``."""
    best = min(per_run)
    return Timing(
        backend=label,
        n=n,
        workers=workers,
        inside=inside,
        mean_s=statistics.fmean(per_run),
        std_s=statistics.stdev(per_run) if len(per_run) > 1 else 0.0,
        best_s=best,
        loops=loops,
        repeat=len(per_run),
        compile_s=compile_s,
        startup_s=startup_s,
        samples_per_s=n / best if best > 0 else math.inf,
        spans=spans,
    )


def sweep(
    backends: Iterable[str],
    ns: Iterable[int],
    *,
    repeat: int = 3,
    target_s: float = 0.2,
    time_limit_s: float = 10.0,
    seed: int = 2024,
    workers: int | None = None,
    on_result: Callable[[Timing], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    budget_s: float | None = None,
    call_limit_s: float | None = None,
    max_n: Mapping[str, int] | None = None,
) -> list[Timing]:
    """Time every backend (a label) at every n, size by size (all backends at one n, then the next n),
    dropping a backend past its largest n or once one of its timings passes ``time_limit_s``.

    With ``call_limit_s``, a backend is also dropped before a size at which one call would pass that many
    seconds (its last best time scaled to n), and past ``max_n[label]`` where given (a student's limits).
    With ``budget_s``, nothing new starts once the sweep has run
    that long; small sizes go first, so every backend keeps them. Raises ``Disagreement`` if two
    counter-based backends count different points at the same n.
    """
    backends = list(backends)
    left = list(backends)
    last: dict[str, Timing] = {}
    results: list[Timing] = []
    start = time.perf_counter()
    for n in sorted(ns):
        for label in list(left):
            if budget_s is not None and time.perf_counter() - start > budget_s:
                left.clear()
                break
            largest = min(BACKENDS[split_label(label)[0]].max_n, (max_n or {}).get(label, n))
            if n > largest or _call_too_long(last.get(label), n, call_limit_s):
                left.remove(label)
                continue
            t0 = time.perf_counter()
            timing = measure(
                label,
                n,
                repeat=repeat,
                target_s=target_s,
                seed=seed,
                workers=workers,
                should_stop=should_stop,
            )
            last[label] = timing
            results.append(timing)
            if on_result:
                on_result(timing)
            spent = time.perf_counter() - t0 - timing.compile_s - timing.startup_s  # one-time costs apart
            if spent > time_limit_s or timing.best_s * repeat > time_limit_s:
                left.remove(label)
    check_agreement(results)
    order = {label: i for i, label in enumerate(backends)}
    return sorted(results, key=lambda t: (order[t.backend], t.n))


def _call_too_long(last: Timing | None, n: int, limit_s: float | None) -> bool:
    """Whether one call at ``n`` would pass ``limit_s``, judged from the label's last timing."""
    return last is not None and limit_s is not None and last.best_s * n / last.n > limit_s


def check_agreement(results: Iterable[Timing]) -> None:
    """Every counter-based backend must count the same points at each n (same seed)."""
    counts: dict[int, dict[str, int]] = {}
    for t in results:
        backend = backend_of(t.backend)
        if backend is not None and backend.counter_based:
            counts.setdefault(t.n, {})[t.backend] = t.inside
    for n, by_backend in counts.items():
        if len(set(by_backend.values())) > 1:
            raise Disagreement(f"counter-based backends disagree at n={n}: {by_backend}")


def crossovers(
    best_s: dict[str, dict[int, float]], serial: Iterable[str], parallel: Iterable[str]
) -> dict[str, int | None]:
    """For each parallel label: the smallest n from which it beats the fastest serial label at that n and
    at every larger n measured for both (``None`` when it never does). ``best_s``: label → n → seconds."""
    serial = [s for s in serial if s in best_s]
    result = {}
    for label in parallel:
        wins = []
        for n in sorted(best_s.get(label, {})):
            rivals = [best_s[s][n] for s in serial if n in best_s[s]]
            if rivals:
                wins.append((n, best_s[label][n] < min(rivals)))
        result[label] = next((n for i, (n, _) in enumerate(wins) if all(w for _, w in wins[i:])), None)
    return result


def run_sweep(
    job,
    backends: list[str],
    ns: list[int],
    *,
    budget_s: float,
    repeat: int = 3,
    workers: int | None = None,
    max_n: Mapping[str, int] | None = None,
) -> list[Timing]:
    """A ``sweep`` as a background job: each timing goes to ``job.partial`` as it is measured; a backend
    goes no further than ``max_n`` says, where it names it."""
    total = len(backends) * len(ns)
    job.begin_stage("timing backends × sizes", total)

    def on_result(timing: Timing) -> None:
        job.partial.append(timing)
        job.stage = f"{timing.backend} at n = {timing.n:.0e} done"
        job.progress(len(job.partial), total)

    return sweep(
        backends,
        ns,
        repeat=repeat,
        workers=workers,
        budget_s=budget_s,
        time_limit_s=budget_s / 2,
        on_result=on_result,
        should_stop=job.should_stop,
        max_n=max_n,
    )
