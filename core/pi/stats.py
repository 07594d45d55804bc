"""The statistics of a Monte Carlo π estimate: σ, z, confidence band."""

from __future__ import annotations

import math

import numpy as np

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
