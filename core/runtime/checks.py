"""One check for every bounded number a user gives (n, seed, workers, a lesson's parameter, a limit)."""

from __future__ import annotations

import math
import numbers


def bounded(value: object, *, low: float, high: float, what: str, whole: bool = True) -> int | float:
    """``value`` as a number in [low, high] (an int where ``whole``), or a ``ValueError`` that names it, the
    accepted range and the value given. Booleans, NaN and infinities are refused; 3.0 is a whole number."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok and whole:
        ok = float(value).is_integer()
    if ok and low <= value <= high:
        return int(value) if whole else float(value)
    kind = "a whole number" if whole else "a number"
    raise ValueError(f"{what} must be {kind} from {_show(low)} to {_show(high)}, not {value!r}")


def _show(limit: float) -> str:
    return f"{int(limit):,}" if float(limit).is_integer() else f"{limit:g}"
