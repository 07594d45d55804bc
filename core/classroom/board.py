"""The class board: pure computation on one round's results (no I/O but the one read of that round)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.classroom.records import Result, Round, RoundClosed
from core.classroom.store import NO_ROUND, ClassStore

P = math.pi / 4
RUN_COLUMNS = ("nickname", "backend", "n", "estimate", "error", "z", "sigma", "samples_per_s")
BOARD_MAX = 500


def sigma(n: int) -> float:
    """The standard deviation of one estimate from ``n`` samples: 4·sqrt(p(1−p)/n), p = π/4."""
    return 4.0 * math.sqrt(P * (1 - P) / n)


@dataclass(frozen=True, kw_only=True)
class Board:
    """What the room sees of one round: every run (≤ 500 rows, no visitor ids), the pooled estimate and how
    it tightened, the shares within ±1σ and ±2σ, and the fastest backends."""

    round: Round
    count: int
    runs: pd.DataFrame
    pooled_pi: float | None
    pooled_sigma: float | None
    pooled_n: int
    pooled_history: pd.DataFrame
    within_1sigma: float | None
    within_2sigma: float | None
    fastest: pd.DataFrame


def board(store: ClassStore, round_id: int, *, limit: int = BOARD_MAX) -> Board:
    """The board of round ``round_id``, reading that round only (``RoundClosed`` when there is none)."""
    found = store.round(round_id)
    if found is None:
        raise RoundClosed(NO_ROUND, id=round_id)
    limit = max(1, min(int(limit), BOARD_MAX))
    results = store.results(round_id, limit=limit)
    count, inside, total_n = store.totals(round_id)
    return compute_board(found, results, count=count, inside=inside, total_n=total_n)


def compute_board(
    found: Round, results: list[Result], *, count: int | None = None, inside: int | None = None,
    total_n: int | None = None,
) -> Board:  # fmt: skip
    """The board from ``results`` (oldest first); ``count``, ``inside`` and ``total_n`` are the whole
    round's (default: those of ``results``)."""
    results = results[-BOARD_MAX:]
    runs = pd.DataFrame(
        {
            "nickname": [r.nickname for r in results],
            "backend": [r.backend for r in results],
            "n": np.array([r.n for r in results], dtype=np.int64),
            "estimate": np.array([r.estimate for r in results], dtype=float),
            "samples_per_s": np.array([r.samples_per_s for r in results], dtype=float),
        }
    )
    runs["error"] = runs["estimate"] - math.pi
    runs["sigma"] = [sigma(int(n)) for n in runs["n"]]
    runs["z"] = runs["error"] / runs["sigma"] if len(runs) else pd.Series(dtype=float)
    runs = runs[list(RUN_COLUMNS)]
    inside = sum(r.inside for r in results) if inside is None else inside
    total_n = sum(r.n for r in results) if total_n is None else total_n
    count = len(results) if count is None else count
    pooled = 4.0 * inside / total_n if total_n else None
    cum_inside = np.cumsum([r.inside for r in results], dtype=np.float64)
    cum_n = np.cumsum([r.n for r in results], dtype=np.float64)
    history = pd.DataFrame(
        {
            "runs": np.arange(1, len(results) + 1, dtype=np.int64),
            "pooled_pi": 4.0 * cum_inside / np.where(cum_n > 0, cum_n, 1),
            "pooled_sigma": 4.0 * np.sqrt(P * (1 - P) / np.where(cum_n > 0, cum_n, 1)),
        }
    )
    z = runs["z"].abs()
    fastest = (
        runs.groupby("backend", as_index=False)
        .agg(samples_per_s=("samples_per_s", "max"), runs=("samples_per_s", "size"))
        .sort_values("samples_per_s", ascending=False, kind="stable")
        .reset_index(drop=True)
    )
    return Board(
        round=found,
        count=count,
        runs=runs,
        pooled_pi=pooled,
        pooled_sigma=sigma(total_n) if total_n else None,
        pooled_n=int(total_n),
        pooled_history=history,
        within_1sigma=float((z <= 1).mean()) if len(z) else None,
        within_2sigma=float((z <= 2).mean()) if len(z) else None,
        fastest=fastest,
    )
