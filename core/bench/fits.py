"""Amdahl's and Gustafson's laws fitted to measured speed-ups: the serial fraction s with its standard error.

Both laws are straight lines through the origin once rewritten, so one least-squares slope (``numpy.linalg
.lstsq``; SciPy is not a dependency of Pi Lab) gives s, and the residuals its standard error:

- Amdahl (strong scaling, fixed N): S(p) = 1 / (s + (1 − s)/p), so 1/S − 1/p = s · (1 − 1/p).
- Gustafson (weak scaling, N ∝ p): S(p) = s + (1 − s)·p, so p − S = s · (p − 1).

p is the parallelism the machine can give: min(workers, cores). Workers beyond the cores share them, so
they add no compute; a curve measured past the cores flattens, and the fitted law flattens with it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

AMDAHL = "amdahl"
GUSTAFSON = "gustafson"


@dataclass(kw_only=True, frozen=True)
class Fit:
    """A law fitted to ``points`` worker counts above one: the serial fraction and its standard error
    (NaN with a single such point: one point fixes s but says nothing of its spread)."""

    law: str
    serial: float
    error: float
    points: int

    def to_dict(self) -> dict:
        return asdict(self)


def parallelism(workers: int, cores: int | None) -> int:
    """The workers that can compute at once: ``workers``, at most ``cores`` (all of them where unknown)."""
    return workers if cores is None else max(1, min(workers, cores))


def amdahl_speedup(workers: int, serial: float, *, cores: int | None = None) -> float:
    """Amdahl's speed-up on ``workers`` for a serial fraction ``serial``."""
    p = parallelism(workers, cores)
    return 1.0 / (serial + (1.0 - serial) / p)


def gustafson_speedup(workers: int, serial: float, *, cores: int | None = None) -> float:
    """Gustafson's scaled speed-up on ``workers`` for a serial fraction ``serial``."""
    p = parallelism(workers, cores)
    return serial + (1.0 - serial) * p


def fit_amdahl(workers: Sequence[int], speedups: Sequence[float], *, cores: int | None = None) -> Fit | None:
    """Amdahl's law fitted to strong-scaling speed-ups (T(1)/T(p)); None without a point at p > 1."""
    p = np.array([parallelism(w, cores) for w in workers], dtype=float)
    speedup = np.asarray(speedups, dtype=float)
    return _slope(AMDAHL, x=1 - 1 / p, y=1 / speedup - 1 / p)


def fit_gustafson(
    workers: Sequence[int], speedups: Sequence[float], *, cores: int | None = None
) -> Fit | None:
    """Gustafson's law fitted to weak-scaling speed-ups (p · T(1)/T(p)); None without a point at p > 1."""
    p = np.array([parallelism(w, cores) for w in workers], dtype=float)
    speedup = np.asarray(speedups, dtype=float)
    return _slope(GUSTAFSON, x=p - 1, y=p - speedup)


def _slope(law: str, *, x: np.ndarray, y: np.ndarray) -> Fit | None:
    """The least-squares slope of y = s·x through the origin over the points with x > 0 (p = 1 says
    nothing: it is the yardstick), with its standard error from the residuals."""
    keep = (x > 0) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if len(x) == 0:
        return None
    (slope,), *_ = np.linalg.lstsq(x[:, None], y, rcond=None)
    if len(x) < 2:
        return Fit(law=law, serial=float(slope), error=math.nan, points=1)
    residual = float(np.sum((y - slope * x) ** 2))
    error = math.sqrt(residual / (len(x) - 1) / float(np.sum(x**2)))
    return Fit(law=law, serial=float(slope), error=error, points=len(x))
