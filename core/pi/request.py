"""Several backends on one request, as one background job that keeps each finished estimate."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass

from core.pi.engine import Estimate, check_request, estimate
from core.runtime.checks import said
from core.runtime.i18n import Translate, english


@dataclass(frozen=True)
class Request:
    """What one click of Run asks for."""

    backends: tuple[str, ...]
    n: int
    _: KW_ONLY
    seed: int
    workers: int | None = None
    scheduler: str | None = None
    ray_address: str | None = None

    def refusals(self, *, _: Translate = english) -> dict[str, str]:
        """Backend → why it cannot take this request (unavailable here, n too large, bad workers), in
        ``_``'s language."""
        refused = {}
        for name in self.backends:
            try:
                check_request(name, self.n, seed=self.seed, workers=self.workers, _=_)
            except ValueError as exc:
                refused[name] = said(exc, _)
        return refused

    def runnable(self) -> tuple[str, ...]:
        refused = self.refusals()
        return tuple(b for b in self.backends if b not in refused)


def run_backends(request: Request, job, *, _: Translate = english) -> list[Estimate]:
    """Run each runnable backend in turn on ``job`` (a ``core.runtime.jobs.Job``); finished estimates go to
    ``job.partial`` as they come, so a cancel keeps them. Its stages are named in ``_``'s language."""
    names = request.runnable()
    for i, name in enumerate(names, 1):
        job.begin_stage(_("{name} ({i} of {count})", name=name, i=i, count=len(names)), request.n)
        job.partial.append(
            estimate(
                name,
                request.n,
                seed=request.seed,
                workers=request.workers,
                scheduler=request.scheduler,
                ray_address=request.ray_address,
                progress=job.progress,
                should_stop=job.should_stop,
            )
        )
    return list(job.partial)
