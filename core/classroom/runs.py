"""A student's run in a round: computed by the server (``core.pi.estimate``) and recorded from what it
computed, never from numbers a browser sends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.classroom.nicknames import default_nickname
from core.classroom.records import Result, Round, RoundClosed
from core.classroom.store import ClassStore, check_accepts
from core.pi.engine import Estimate, estimate
from core.runtime.i18n import N_

GONE = N_("there is no round {id}")


@dataclass(frozen=True, kw_only=True)
class StudentRun:
    """A run that joined the round: its recorded ``result`` and the ``estimate`` the server computed."""

    result: Result
    estimate: Estimate


def record_estimate(
    store: ClassStore, *, round: Round, visitor: str, nickname: str, estimate: Estimate
) -> Result:
    """Record an ``Estimate`` the server computed (backend, n, seed, inside, times from it)."""
    return store.record(
        round=round,
        visitor=visitor,
        nickname=nickname,
        backend=estimate.backend,
        n=estimate.n,
        seed=estimate.seed,
        inside=estimate.inside,
        elapsed_s=estimate.elapsed_s,
        compile_s=estimate.compile_s,
    )


def run_for_student(
    store: ClassStore,
    *,
    round: Round,
    visitor: str,
    backend: str,
    nickname: str | None = None,
    seed: int | None = None,
    **estimate_options: Any,
) -> StudentRun:
    """Check that the round takes ``backend`` now, run ``core.pi.estimate`` on the round's n with the
    round's seed for this visitor (the fixed seed; else an explicit ``seed``, as the command line's
    ``--seed``; else ``seed_for``), and record it. Raises ``RoundClosed``, ``StoreUnavailable`` or the
    engine's ``ValueError``."""
    current = store.round(round.id)
    if current is None:
        raise RoundClosed(GONE, id=round.id)
    check_accepts(current, backend=backend, n=current.n)
    if current.fixed_seed is not None:
        seed = current.fixed_seed
    elif seed is None:
        seed = store.seed_for(current, visitor)
    name = nickname or store.nickname(visitor) or default_nickname(visitor)
    done = estimate(backend, current.n, seed=seed, **estimate_options)
    result = record_estimate(store, round=current, visitor=visitor, nickname=name, estimate=done)
    return StudentRun(result=result, estimate=done)
