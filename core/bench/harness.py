"""Time backends like ``%timeit``: calibrated loops, several repeats, mean ± std and best, JIT cost apart.

Like perfplot, a sweep first checks that the backends agree (every repeat of a backend must count the same
points; the counter-based backends must count the same points as each other), and stops timing a backend
at larger n once one run of it passes a time limit.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from core.pi import BACKENDS, estimate


@dataclass(frozen=True)
class Timing:
    """The timing of one backend at one n (seconds per run; ``best_s`` gives ``samples_per_s``)."""

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

    def to_dict(self) -> dict:
        return asdict(self)


def measure(
    backend: str,
    n: int,
    *,
    repeat: int = 5,
    target_s: float = 0.2,
    seed: int = 2024,
    workers: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Timing:
    """Time ``backend`` at ``n``: a first call pays compile and start-up; then ``repeat`` timings of
    ``loops`` calls each, ``loops`` chosen so that one timing lasts about ``target_s / repeat``."""
    first = estimate(backend, n, seed=seed, workers=workers, should_stop=should_stop)
    loops = max(1, math.ceil(target_s / repeat / max(first.elapsed_s, 1e-7)))
    per_run: list[float] = []
    for _ in range(repeat):
        total = 0.0
        for _ in range(loops):
            again = estimate(backend, n, seed=seed, workers=workers, should_stop=should_stop)
            if again.inside != first.inside:
                raise AssertionError(f"{backend} counted {again.inside} then {first.inside} for one seed")
            total += again.elapsed_s
        per_run.append(total / loops)
    best = min(per_run)
    return Timing(
        backend=backend,
        n=n,
        workers=first.workers,
        inside=first.inside,
        mean_s=statistics.fmean(per_run),
        std_s=statistics.stdev(per_run) if len(per_run) > 1 else 0.0,
        best_s=best,
        loops=loops,
        repeat=repeat,
        compile_s=first.compile_s,
        startup_s=first.startup_s,
        samples_per_s=n / best if best > 0 else math.inf,
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
) -> list[Timing]:
    """Time every backend at every n, size by size (all backends at one n, then the next n), dropping a
    backend past its largest n or once one of its timings passes ``time_limit_s``.

    With ``budget_s``, nothing new starts once the sweep has run that long; small sizes go first, so every
    backend keeps them. Raises ``AssertionError`` if two counter-based backends count different points at
    the same n.
    """
    backends = list(backends)
    names = list(backends)
    results: list[Timing] = []
    start = time.perf_counter()
    for n in sorted(ns):
        for name in list(names):
            if budget_s is not None and time.perf_counter() - start > budget_s:
                names.clear()
                break
            if n > BACKENDS[name].max_n:
                names.remove(name)
                continue
            t0 = time.perf_counter()
            timing = measure(
                name, n, repeat=repeat, target_s=target_s, seed=seed, workers=workers, should_stop=should_stop
            )
            results.append(timing)
            if on_result:
                on_result(timing)
            spent = time.perf_counter() - t0 - timing.compile_s - timing.startup_s  # one-time costs apart
            if spent > time_limit_s or timing.best_s * repeat > time_limit_s:
                names.remove(name)
    check_agreement(results)
    order = {name: i for i, name in enumerate(backends)}
    return sorted(results, key=lambda t: (order[t.backend], t.n))


def check_agreement(results: Iterable[Timing]) -> None:
    """Every counter-based backend must count the same points at each n (same seed)."""
    counts: dict[int, dict[str, int]] = {}
    for t in results:
        if BACKENDS[t.backend].counter_based:
            counts.setdefault(t.n, {})[t.backend] = t.inside
    for n, by_backend in counts.items():
        if len(set(by_backend.values())) > 1:
            raise AssertionError(f"counter-based backends disagree at n={n}: {by_backend}")


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
    job, backends: list[str], ns: list[int], *, budget_s: float, repeat: int = 3, workers: int | None = None
) -> list[Timing]:
    """A ``sweep`` as a background job: each timing goes to ``job.partial`` as it is measured."""
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
    )
