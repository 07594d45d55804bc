"""What a class round holds: ``Round`` (what the operator opened) and ``Result`` (one run the server computed
and recorded), and the refusals a round or its store answer with."""

from __future__ import annotations

import time
from dataclasses import dataclass

from core.runtime.checks import Refusal


@dataclass(frozen=True, kw_only=True)
class Round:
    """A round: its name, the N every run takes, the backends students may use, whether it is open, when it
    closes (epoch seconds, or None), the seed every student shares (None: each gets a fresh one) and when it
    was opened. Nothing here names a path or another round."""

    id: int
    name: str
    n: int
    backends: tuple[str, ...]
    open: bool
    closes_at: float | None
    fixed_seed: int | None
    created_at: float

    def accepting(self, now: float | None = None) -> bool:
        """Whether the round takes a new result: open and not past its closing time."""
        now = time.time() if now is None else now
        return self.open and (self.closes_at is None or now < self.closes_at)


@dataclass(frozen=True, kw_only=True)
class Result:
    """One recorded run: who (an anonymous visitor id and the nickname shown), on what (backend, n, seed),
    what it counted (``inside``) and how long it took."""

    id: int
    round_id: int
    visitor: str
    nickname: str
    backend: str
    n: int
    seed: int
    inside: int
    elapsed_s: float
    compile_s: float
    finished_at: float

    @property
    def estimate(self) -> float:
        """The run's estimate of π: 4·inside/n."""
        return 4.0 * self.inside / self.n

    @property
    def samples_per_s(self) -> float:
        """Samples per second of counting (compilation left out)."""
        return self.n / self.elapsed_s if self.elapsed_s > 0 else float("inf")


class StoreUnavailable(Refusal):
    """The store could not take or keep a result (full disk, locked or unreachable database, queue full): one
    clear translated line; the student's result stays on their page."""


class RoundClosed(Refusal):
    """The round takes no new result: closed, past its closing time, gone, or the backend or n not allowed."""
