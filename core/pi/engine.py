"""``estimate()``: validate the request, run one backend, time it, and return an ``Estimate``."""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from core.pi import executors, stats, stream
from core.pi.backends import BACKENDS, MAX_N, Backend, Run
from core.pi.timeline import Recorder, Span
from core.runtime import cancel
from core.runtime.checks import Refusal, bounded
from core.runtime.i18n import N_, Translate, english

NOT_A_COUNT = N_("n must be a whole number such as 1000000 or 1e6, not {value}")
UNKNOWN_BACKEND = N_("unknown backend {name}; choose one of: {names}")


@dataclass(kw_only=True, frozen=True)
class Estimate:
    """One run's result. ``elapsed_s`` excludes ``compile_s`` (JIT) and ``startup_s`` (pools, clusters).
    ``spans`` is its timeline (``core.pi.timeline``: a span a range, in seconds after the count began) for
    the backends that count in ranges, empty for the others; ``to_dict`` leaves it out."""

    backend: str
    n: int
    inside: int
    pi: float
    error: float
    sigma: float
    z: float
    seed: int
    workers: int
    elapsed_s: float
    compile_s: float
    startup_s: float
    samples_per_s: float
    notes: tuple[str, ...] = field(default=())
    spans: tuple[Span, ...] = field(default=(), repr=False, compare=False)

    def to_dict(self) -> dict:
        """The run's numbers (the history, ``--json``), without its timeline."""
        row = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "spans"}
        return row | {"notes": list(self.notes)}


def parse_n(value: object) -> int:
    """A sample count from an int, an integral float or a string such as ``"1e8"`` or ``"1_000_000"``."""
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        try:
            value = float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:
            raise Refusal(NOT_A_COUNT, value=repr(value)) from None
    return bounded(value, low=1, high=MAX_N, what=N_("n"))


def get_backend(name: str) -> Backend:
    """The backend called ``name``, or a ``ValueError`` listing the names there are."""
    try:
        return BACKENDS[name]
    except (KeyError, TypeError):
        raise Refusal(UNKNOWN_BACKEND, name=repr(name), names=", ".join(BACKENDS)) from None


def check_request(
    backend: str, n: object, *, seed: object = None, workers: object = None, _: Translate = english
) -> tuple[Backend, int]:
    """Validate a request before running it: the backend exists, is available here and can take n (why
    not: a ``ValueError`` in ``_``'s language)."""
    chosen = get_backend(backend)
    count = parse_n(n)
    if seed is not None:
        bounded(seed, low=0, high=stream.SEED_MAX, what=N_("seed"))
    if workers is not None:
        bounded(workers, low=1, high=executors.max_workers(), what=N_("workers (on this machine)"))
    reason = chosen.why_unavailable()
    if reason:
        raise ValueError(
            _("backend {name} is not available here: {reason}", name=repr(backend), reason=_(reason))
        )
    if count > chosen.max_n:
        raise ValueError(
            _(
                "{name} takes n up to {limit}, not {n}: {reason}",
                name=backend,
                limit=f"{chosen.max_n:.0e}",
                n=f"{count:.3g}",
                reason=_(chosen.max_n_reason),
            )
        )
    return chosen, count


def estimate(
    backend: str,
    n: int,
    *,
    seed: int | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    chunk: int | None = None,
    scheduler: str | None = None,
    ray_address: str | None = None,
    timeline: bool = True,
) -> Estimate:
    """Estimate π from ``n`` samples on ``backend``; the same ``seed`` gives the same count.

    ``workers`` defaults to the machine's cores (serial backends use one). ``chunk`` sets the draws per task
    or progress step (the count does not depend on it for the fast backends). ``scheduler`` is a Dask
    address (default: ``PILAB_DASK_SCHEDULER``, else a local cluster); ``ray_address`` a Ray cluster's
    (default: ``PILAB_RAY_ADDRESS``, else a local instance). With ``timeline`` the backends that count in
    ranges record each range's span (``Estimate.spans``); the count is the same without. Raises
    ``ValueError`` for bad input, ``ConnectionError`` for a scheduler or cluster that does not answer, and
    ``Cancelled`` when stopped (by ``should_stop``, or inside a background job by its Cancel:
    ``core.runtime.cancel.current``).
    """
    chosen, n = check_request(backend, n, seed=seed, workers=workers)
    if chunk is not None:
        bounded(chunk, low=1, high=n, what=N_("chunk"))
    run = Run(
        n=n,
        seed=secrets.randbelow(stream.SEED_MAX + 1) if seed is None else int(seed),
        workers=(int(workers) if workers else executors.default_workers()) if chosen.parallel else 1,
        chunk=chunk,
        scheduler=scheduler,
        ray_address=ray_address,
        progress=progress,
        should_stop=should_stop or cancel.current(),  # inside a job (a lesson's run): the job's Cancel
    )
    t0 = time.perf_counter()
    compile_s = chosen.prepare(run)
    startup_s = time.perf_counter() - t0 - compile_s
    run.timeline = Recorder() if timeline else None
    t0 = time.perf_counter()
    inside = chosen.count(run)
    elapsed = time.perf_counter() - t0
    pi_hat = 4.0 * inside / n
    return Estimate(
        backend=chosen.name,
        n=n,
        inside=inside,
        pi=pi_hat,
        error=pi_hat - math.pi,
        sigma=float(stats.sigma(n)),
        z=stats.z_score(pi_hat, n),
        seed=run.seed,
        workers=run.workers,
        elapsed_s=elapsed,
        compile_s=compile_s,
        startup_s=startup_s,
        samples_per_s=n / elapsed if elapsed > 0 else math.inf,
        notes=tuple(run.notes),
        spans=run.timeline.spans() if run.timeline else (),
    )
