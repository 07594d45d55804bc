"""Lesson 7: Numba refuses pandas code in nopython mode; the refusal is the lesson's result, never a crash."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.lessons.lesson import Lesson, Result
from core.lessons.measuring import best_of
from core.runtime.i18n import N_, Translate, english

WHY = N_(
    "Numba compiles a function by working out the type of every value in it, then writing machine code for "
    "those types. It knows numbers, NumPy arrays and a subset of Python; it does not know pandas, so in "
    "nopython mode it refuses: a `dict` of lists has no Numba type (the lecture's call fails on its "
    "argument), and even with an array it understands, `pd.DataFrame` is an 'unknown attribute'. The "
    "lecture's Numba fell back to slow 'object mode' with a deprecation warning; since Numba 0.59 `@jit` "
    "is nopython by default and the fallback is gone, so the refusal is a `TypingError`. The cure is to "
    "give Numba what it knows: the same covariance written as loops over a NumPy array compiles, and "
    "pandas code stays plain Python (pandas is already compiled inside)."
)


def use_pandas(a):
    """The lecture's function: pandas, which Numba does not understand."""
    df = pd.DataFrame.from_dict(a)  # Numba doesn't know about pd.DataFrame
    df += 1  # Numba doesn't understand what this is
    return df.cov()  # or this!


def use_numpy(a: np.ndarray) -> np.ndarray:
    """The same covariance as loops over a NumPy array (columns are the variables): this Numba compiles."""
    rows, cols = a.shape
    b = a + 1
    mean = np.zeros(cols)
    for j in range(cols):
        mean[j] = b[:, j].mean()
    out = np.empty((cols, cols))
    for i in range(cols):
        for j in range(cols):
            total = 0.0
            for k in range(rows):
                total += (b[k, i] - mean[i]) * (b[k, j] - mean[j])
            out[i, j] = total / (rows - 1)
    return out


@dataclass(kw_only=True)
class NumbaPandasResult(Result):
    numba_version: str
    attempts: list[dict[str, Any]] = field(default_factory=list)
    pandas_s: float = 0.0
    numba_numpy_s: float = 0.0
    same_answer: bool = False

    @property
    def refused(self) -> list[dict[str, Any]]:
        return [a for a in self.attempts if a["error"]]

    def headline(self, *, _: Translate = english) -> str:
        refused = _(
            "Numba {version} refused {refused} of {calls} pandas calls:",
            version=self.numba_version,
            refused=_.number(len(self.refused)),
            calls=_.number(len(self.attempts)),
        )
        return refused + " " + "; ".join(f"{a['call']}: {a['error']}, {a['reason']}" for a in self.refused)

    def metrics(self, *, _: Translate = english) -> list[tuple[str, ...]]:
        return [
            (
                _("pandas calls refused"),
                _(
                    "{refused} of {calls}",
                    refused=_.number(len(self.refused)),
                    calls=_.number(len(self.attempts)),
                ),
            ),
            (_("pandas, plain Python"), _.number(self.pandas_s * 1e6, decimals=0) + " µs"),
            (_("NumPy loops, Numba"), _.number(self.numba_numpy_s * 1e6, decimals=1) + " µs"),
        ]

    def rows(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in a.items() if k != "message"} for a in self.attempts]

    def messages(self, *, _: Translate = english) -> list[tuple[str, str]]:
        compiled = _("compiled")
        return [(f"{a['call']} → {a['error'] or compiled}", a["message"]) for a in self.attempts]


def _first_lines(message: str, lines: int = 8) -> str:
    """The first ``lines`` informative lines of a Numba error (no blank, elided or 'source missing' lines,
    and modules named without their paths)."""
    noise = ("source missing", "<source elided>", "During: Pass ")
    message = re.sub(r"<module '([\w.]+)' from '[^']*'>", r"<module '\1'>", message)
    keep = [ln.rstrip() for ln in message.splitlines() if ln.strip() and not any(n in ln for n in noise)]
    return "\n".join(keep[:lines])


def _reason(message: str) -> str:
    """The line that says why (the one after 'Failed in nopython mode ...'), plus any blamed argument."""
    lines = [ln.strip() for ln in _first_lines(message, lines=100).splitlines()]
    why = [ln for ln in lines[1:2]] + [ln.lstrip("- ") for ln in lines if ln.startswith("- argument")]
    return ": ".join(why) if why else lines[0]


def numba_refuses_pandas() -> NumbaPandasResult:
    """Compile ``use_pandas`` with ``@jit`` on the lecture's dict and with ``@njit`` on an array; catch the
    ``TypingError`` each raises; then time pandas against the NumPy version under Numba."""
    import numba
    from numba.core.errors import NumbaError  # TypingError is one

    x = {"a": [1, 2, 3], "b": [20, 30, 40]}  # the lecture's data
    arr = np.array([x["a"], x["b"]], dtype=np.float64).T
    result = NumbaPandasResult(numba_version=numba.__version__)
    tries = [("jit(use_pandas)(x)", numba.jit, x), ("njit(use_pandas)(array)", numba.njit, arr)]
    for call, decorate, arg in tries:
        try:
            decorate(use_pandas)(arg)
        except NumbaError as exc:
            error, reason, message = type(exc).__name__, _reason(str(exc)), _first_lines(str(exc))
        else:  # a future Numba that understands pandas would land here, and the lesson would say so
            error, reason, message = None, "compiled", ""
        result.attempts.append(
            {N_("call"): call, N_("error"): error, N_("reason"): reason, "message": message}
        )

    fast = numba.njit(use_numpy)
    result.same_answer = bool(np.allclose(fast(arr), use_pandas(x).to_numpy()))
    (result.pandas_s,) = best_of(50, lambda: use_pandas(x))
    (result.numba_numpy_s,) = best_of(200, lambda: fast(arr))
    return result


LESSON = Lesson(
    name="numba_pandas",
    title=N_("Numba refuses pandas"),
    label=N_("Numba and pandas"),
    claim=N_(
        "Numba refuses pandas code in nopython mode; the refusal is the lesson's result, never a crash."
    ),
    why=WHY,
    function=numba_refuses_pandas,
    shows=(use_pandas, use_numpy),
    isolated=False,
)
