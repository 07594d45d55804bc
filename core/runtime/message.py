"""Text made before anyone's language is known (an error deep in a parser, a source's label): a ``Message``
is the English text itself (a ``str``: what ``str(exc)``, the command lines and the exports read), and it
keeps its ``N_`` message and placeholders, so that a page writes it again in its reader's language with
``message.text(_)``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core.runtime.i18n import FALLBACK, Translate, english


@dataclass(frozen=True)
class Number:
    """A placeholder's number with exactly ``decimals`` decimals, written the reader's way (1.5 / 1,5)."""

    value: float
    decimals: int | None = None

    def text(self, _: Translate = english) -> str:
        return _.number(self.value, decimals=self.decimals)


@dataclass(frozen=True)
class Joined:
    """Parts listed the way a language lists them: in the code's English as it always wrote them (``a and b
    and c``), in another language by Babel's list patterns (``a, b y c``)."""

    parts: tuple[Any, ...]

    def __init__(self, parts: Iterable[Any]) -> None:
        object.__setattr__(self, "parts", tuple(parts))

    def text(self, _: Translate = english) -> str:
        from babel.lists import format_list

        written = [in_language(part, _) for part in self.parts]
        return " and ".join(written) if _.lang == FALLBACK else format_list(written, locale=_.lang)


class Message(str):
    """``message`` (marked ``N_`` where it is written) with its ``{placeholder}``s filled in, in English;
    ``text(_)`` is the same in ``_``'s language. A placeholder is a ``str`` (written as it is), a number (an
    int, a float or a ``Number``: written the reader's way), another ``Message`` (translated too) or parts
    ``Joined`` as the language lists them."""

    message: str
    placeholders: dict[str, Any]

    def __new__(cls, message: str, /, **placeholders: Any) -> Message:
        made = super().__new__(cls, fill(message, placeholders, english))
        made.message, made.placeholders = message, placeholders
        return made

    def __reduce__(self) -> tuple:
        return _rebuilt, (self.message, self.placeholders)

    def text(self, _: Translate = english) -> str:
        """This message in ``_``'s language (English where its catalog has no translation)."""
        filled = {key: in_language(value, _) for key, value in self.placeholders.items()}
        return _(self.message, **filled)


def _rebuilt(message: str, placeholders: dict[str, Any]) -> Message:
    return Message(message, **placeholders)


def fill(message: str, placeholders: dict[str, Any], _: Translate) -> str:
    """``message`` as written (not translated), its placeholders written for ``_``'s reader."""
    if not placeholders:
        return message
    return message.format(**{key: in_language(value, _) for key, value in placeholders.items()})


def in_language(value: Any, _: Translate) -> str:
    """Any text or number for ``_``'s reader: a ``Message`` translated, a number written the language's way,
    anything else as ``str`` writes it (a plain string as it is)."""
    if isinstance(value, Message | Number | Joined):
        return value.text(_)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _.number(value)
    return str(value)
