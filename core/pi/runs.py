"""Several backends on one request, as one background job; and what a page shows beside the results."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import pandas as pd

from core.pi import gpu, kernels, stream
from core.pi.backends import BACKENDS
from core.pi.engine import Estimate, check_request, estimate


@dataclass(frozen=True)
class Request:
    """What one click of Run asks for."""

    backends: tuple[str, ...]
    n: int
    seed: int
    workers: int | None = None
    scheduler: str | None = None

    def refusals(self) -> dict[str, str]:
        """Backend → why it cannot take this request (unavailable here, n too large, bad workers)."""
        refused = {}
        for name in self.backends:
            try:
                check_request(name, self.n, self.seed, self.workers)
            except ValueError as exc:
                refused[name] = str(exc)
        return refused

    def runnable(self) -> tuple[str, ...]:
        refused = self.refusals()
        return tuple(b for b in self.backends if b not in refused)


def run_backends(request: Request, job) -> list[Estimate]:
    """Run each runnable backend in turn on ``job`` (a ``core.jobs.Job``); finished estimates go to
    ``job.partial`` as they come, so a cancel keeps them."""
    names = request.runnable()
    for i, name in enumerate(names, 1):
        job.begin_stage(f"{name} ({i} of {len(names)})", request.n)
        job.partial.append(
            estimate(
                name,
                request.n,
                seed=request.seed,
                workers=request.workers,
                scheduler=request.scheduler,
                progress=job.progress,
                should_stop=job.should_stop,
            )
        )
    return list(job.partial)


def results_table(estimates: list[Estimate]) -> pd.DataFrame:
    """One row per estimate with the figures a card shows; speed-up against the slowest of them."""
    if not estimates:
        return pd.DataFrame()
    df = pd.DataFrame([e.to_dict() for e in estimates]).drop(columns=["notes"])
    df["abs_error"] = df["error"].abs()
    df["speedup"] = df["samples_per_s"] / df["samples_per_s"].min()
    return df


def kernel_source(name: str) -> str:
    """A backend's counting kernel: the lecture's four exactly as written, CUDA C for the GPU."""
    if BACKENDS[name].family == "gpu":
        return gpu.KERNEL_C.strip()
    kernel = BACKENDS[name].kernel
    parts = [kernel]
    if kernel is stream.count_inside_numpy:
        parts.append(stream.draw_words)
    elif BACKENDS[name].family != "lecture":
        parts.append(kernels._inside)
    return "\n\n".join(inspect.getsource(getattr(f, "py_func", f)) for f in parts)
