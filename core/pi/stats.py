"""The statistics of a Monte Carlo π estimate: σ, z, confidence band, running estimate."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

P_INSIDE = math.pi / 4


def sigma(n: int | np.ndarray) -> float | np.ndarray:
    """Standard deviation of 4·inside/n: 4·√(p(1−p)/n) with p = π/4."""
    return 4.0 * np.sqrt(P_INSIDE * (1 - P_INSIDE) / np.asarray(n, dtype=float))


def z_score(pi_hat: float, n: int) -> float:
    """How many σ the estimate lies from π."""
    return (pi_hat - math.pi) / float(sigma(n))


def band(n: int | np.ndarray, level_z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """The interval π ± z·σ(n) that holds 95 % of estimates (for the default z)."""
    s = level_z * sigma(n)
    return math.pi - s, math.pi + s


def running_estimate(key: int, n: int, points: int = 80) -> pd.DataFrame:
    """π̂ after the first m draws of the stream with ``key``, for ``points`` values of m spaced on a log scale
    up to ``n``, with σ(m), the 95 % band and |error|: one pass over the draws, in constant memory."""
    import pandas as pd  # on use: the engine imports this module, and pool workers need no pandas

    from core.pi.kernels import count_inside_parallel

    marks = np.unique(np.geomspace(100, max(n, 100), points).astype(np.int64))
    marks = marks[marks <= n]
    counts = np.empty(len(marks), dtype=np.int64)
    inside, start = 0, 0
    for i, stop in enumerate(marks):
        inside += int(count_inside_parallel(np.uint64(key), int(start), int(stop)))
        counts[i], start = inside, stop
    pi_hat = 4.0 * counts / marks
    lo, hi = band(marks)
    return pd.DataFrame(
        {
            "n": marks,
            "inside": counts,
            "pi": pi_hat,
            "abs_error": np.abs(pi_hat - math.pi),
            "sigma": sigma(marks),
            "lo": lo,
            "hi": hi,
        }
    )
