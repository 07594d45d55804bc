"""What a backend is and what it sees of a run: ``Backend``, ``Run`` (settings, progress, stop hooks)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from core.pi import stream
from core.pi.timeline import Recorder
from core.runtime.cancel import Cancelled

MAX_N = 10**12


@dataclass(kw_only=True)
class Run:
    """One run's settings, its progress/stop hooks and its timeline (if recorded), as a backend sees them."""

    n: int
    seed: int
    workers: int
    chunk: int | None = None
    scheduler: str | None = None  # a Dask scheduler address
    ray_address: str | None = None  # a Ray cluster address
    progress: Callable[[int, int], None] | None = None
    should_stop: Callable[[], bool] | None = None
    notes: list[str] = field(default_factory=list)
    timeline: Recorder | None = None  # where the backend records each range's span; None: not recorded

    @property
    def key(self) -> int:
        return stream.key_for_seed(self.seed)

    def stopped(self) -> bool:
        return bool(self.should_stop and self.should_stop())

    def tick(self, done: int) -> None:
        """Report progress, then raise ``Cancelled`` if a stop was asked for."""
        if self.progress:
            self.progress(done, self.n)
        if self.stopped():
            raise Cancelled(f"cancelled after {done:,} of {self.n:,} samples")


@dataclass(kw_only=True, frozen=True)
class Backend:
    """How to run one backend; ``count`` returns the number of inside points of a ``Run``."""

    name: str
    title: str
    family: Literal["lecture", "fast", "gpu"]
    summary: str
    kernel: Callable
    count: Callable[[Run], int]
    prepare: Callable[[Run], float]  # starts what the run needs; returns the JIT compile seconds paid now
    max_n: int = MAX_N
    max_n_reason: str = ""
    parallel: bool = False
    why_unavailable: Callable[[], str | None] = lambda: None  # why it cannot run here, or None

    @property
    def counter_based(self) -> bool:
        """Draws from the shared counter-based stream (every backend but the lecture's four)."""
        return self.family != "lecture"
