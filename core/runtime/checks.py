"""One check for every bounded number a user gives (n, seed, workers, a lesson's parameter, a limit), and
``Refusal``: a ``ValueError`` whose text is a message, shown in the reader's language."""

from __future__ import annotations

import math
import numbers
from typing import Any

from core.runtime.i18n import N_, Translate, english

WHOLE = N_("{what} must be a whole number from {low} to {high}, not {value}")
REAL = N_("{what} must be a number from {low} to {high}, not {value}")


class Refusal(ValueError):
    """Bad input said as a message: ``str()`` is its English (as every ``ValueError`` here reads),
    ``text(_)`` the same in ``_``'s language. ``template`` is an ``N_`` message; ``fields`` fill its
    ``{placeholder}``s: a float as Python's ``g`` format writes it in the reader's decimal mark (0.5, 0,5),
    anything else as written (names, reprs, counts: the same in every language)."""

    def __init__(self, template: str, /, **fields: Any) -> None:
        self.template, self.fields = template, fields
        super().__init__(self.text(english))

    def text(self, _: Translate = english) -> str:
        """The refusal in ``_``'s language."""
        return _(self.template, **{key: _field(value, _) for key, value in self.fields.items()})

    def __reduce__(self) -> tuple:  # keyword fields: pickled (sent between processes) as they were made
        return _rebuild, (type(self), self.template, self.fields)


def _rebuild(kind: type[Refusal], template: str, fields: dict[str, Any]) -> Refusal:
    return kind(template, **fields)


class OutOfBounds(Refusal):
    """What ``bounded`` raises: ``what`` (an ``N_`` message, or a name that stays as written: an option, a
    parameter), the accepted range and the value given, the numbers written the reader's way."""

    def __init__(self, *, what: str, low: float, high: float, value: object, whole: bool) -> None:
        self.what, self.low, self.high, self.value, self.whole = what, low, high, value, whole
        super().__init__(WHOLE if whole else REAL, what=what)

    def text(self, _: Translate = english) -> str:
        return _(
            self.template,
            what=_(self.what),
            low=_limit(self.low, _),
            high=_limit(self.high, _),
            value=_given(self.value, _),
        )

    def __reduce__(self) -> tuple:
        fields = {"what": self.what, "low": self.low, "high": self.high, "value": self.value}
        return _out_of_bounds, (fields | {"whole": self.whole},)


def _out_of_bounds(fields: dict[str, Any]) -> OutOfBounds:
    return OutOfBounds(**fields)


def said(exc: BaseException, _: Translate = english) -> str:
    """What a page or a command line says of ``exc``: in ``_``'s language where it can say itself in one
    (a ``Refusal``, or any error with a ``text(_)`` of its own), else as ``str()`` has it."""
    text = getattr(exc, "text", None)
    return text(_) if callable(text) else str(exc)


def bounded(value: object, *, low: float, high: float, what: str, whole: bool = True) -> int | float:
    """``value`` as a number in [low, high] (an int where ``whole``), or an ``OutOfBounds`` (a ``ValueError``)
    that names it, the accepted range and the value given. Booleans, NaN and infinities are refused; 3.0 is
    a whole number."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok and whole:
        ok = float(value).is_integer()
    if ok and low <= value <= high:
        return int(value) if whole else float(value)
    raise OutOfBounds(what=what, low=low, high=high, value=value, whole=whole)


def _field(value: object, _: Translate) -> object:
    return _decimal(f"{value:g}", _) if isinstance(value, float) else value


def _decimal(text: str, _: Translate) -> str:
    return text.replace(".", _.separators[0])


def _limit(limit: float, _: Translate) -> str:
    """A bound: 4,294,967,295 or 0.05 (4.294.967.295 or 0,05 in Spanish)."""
    return _.number(int(limit)) if float(limit).is_integer() else _decimal(f"{limit:g}", _)


def _given(value: object, _: Translate) -> str:
    """The value given, as Python writes it (its decimal mark the reader's)."""
    is_float = isinstance(value, float) and math.isfinite(value)
    return _decimal(repr(value), _) if is_float else repr(value)
