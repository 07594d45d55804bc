"""The course in its own language: gettext catalogs read at run time, ``_(message, **placeholders)`` for a
language, the language a visitor starts in, and numbers written the way each language writes them.

No Streamlit here. The messages are the code's English text, marked ``_("…")`` where they are shown and
``N_("…")`` where they are defined before a language is known (a backend's summary); ``make messages``
extracts them with Babel into ``locales/pilab.pot`` and updates every ``locales/<lang>/LC_MESSAGES/pilab.po``.
A language is one more catalog there and nothing else. Exports (CSV, JSON) never go through this module:
their numbers stay Python's.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

LOCALES = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "pilab"
FALLBACK = "en"  # the code's own language, and a visitor's whose browser asks for none of LANGUAGES
COURSE = "es"  # the course's language: first in the switch


def _catalog_languages() -> tuple[str, ...]:
    found = sorted(path.parents[1].name for path in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return tuple(sorted(found, key=lambda code: code != COURSE))


LANGUAGES: tuple[str, ...] = _catalog_languages()  # ("es", "en"): one a catalog


class Translator:
    """``_``: ``_(message, **placeholders)`` is ``message`` (the code's English) in ``lang``, its
    ``{placeholder}``s filled in; ``_.number(value)`` writes a number as ``lang`` does. One object to pass
    wherever text is made for a reader (``english`` where nobody reads it in another language)."""

    def __init__(self, lang: str) -> None:
        self.lang = supported(lang) or FALLBACK

    def __call__(self, message: str, /, **placeholders: Any) -> str:
        text = messages(self.lang).get(message, message)  # read once per language (cached)
        return text.format(**placeholders) if placeholders else text

    def number(self, value: float, *, decimals: int | None = None, grouping: bool = True) -> str:
        """``value`` as this language writes it (see ``number``)."""
        return number(value, self.lang, decimals=decimals, grouping=grouping)

    def significant(self, value: float, *, digits: int = 3, grouping: bool = True) -> str:
        """``value`` to ``digits`` significant digits as this language writes it (see ``significant``)."""
        return significant(value, self.lang, digits=digits, grouping=grouping)

    @property
    def separators(self) -> str:
        """The decimal and grouping marks of this language, as Plotly's ``layout.separators`` takes them
        (``",."`` in Spanish, ``".,"`` in English): a figure's ticks and hover text written its way."""
        return separators(self.lang)


Translate = Translator  # the type of every ``_`` parameter


def N_(message: str) -> str:
    """Mark ``message`` for extraction where no language is known yet (gettext's ``N_``); it is translated
    where it is shown."""
    return message


def catalog_path(lang: str) -> Path:
    """Where the ``.po`` catalog of ``lang`` lives."""
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def messages(lang: str) -> dict[str, str]:
    """The translated messages of ``lang``'s catalog (msgid → msgstr), fuzzy and empty ones left out."""
    from babel.messages.pofile import read_po

    if lang not in LANGUAGES:
        return {}
    with catalog_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    return {
        m.id: m.string
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy
    }


def translator(lang: str) -> Translator:
    """The ``_`` of ``lang`` (English where ``lang`` is none of LANGUAGES): the catalog's translation of a
    message (the message itself where it has none), its ``{placeholder}``s then filled in."""
    return Translator(lang)


def supported(tag: str | None) -> str | None:
    """The language of LANGUAGES that a locale tag names (``es-CL``, ``en_US``, ``EN``), or None."""
    code = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def default_language(*, setting: str | None = None, browser: str | None = None) -> str:
    """The language a visitor starts in: the operator's (``[pilab] language`` or ``PILAB_LANGUAGE``), else
    the browser's when it is one of LANGUAGES, else English."""
    return supported(setting) or supported(browser) or FALLBACK


def language_from_env(env: Mapping[str, str]) -> str:
    """A command line's language from the environment as POSIX reads it (``LC_ALL``, then ``LC_MESSAGES``,
    then ``LANG``: ``es_CL.UTF-8`` → ``es``); English where none names one of LANGUAGES."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):
            return supported(env[name].split(".")[0]) or FALLBACK
    return FALLBACK


def number(value: float, lang: str, *, decimals: int | None = None, grouping: bool = True) -> str:
    """``value`` as ``lang`` writes it (Spanish: 3,141593 and 10.000.000; English: 3.141593 and 10,000,000),
    with every decimal it has, or exactly ``decimals`` of them; its thousands not grouped where not
    ``grouping`` (a metric's value: 1234,5 and 1234.5). For the eye only: never in an export."""
    from babel.numbers import format_decimal

    locale = supported(lang) or FALLBACK
    if decimals is None:
        return format_decimal(value, locale=locale, decimal_quantization=False, group_separator=grouping)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale, group_separator=grouping)


@functools.cache
def separators(lang: str) -> str:
    """``lang``'s decimal mark, then its grouping mark (Babel's locale data)."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    return get_decimal_symbol(lang) + get_group_symbol(lang)


def significant(value: float, lang: str, *, digits: int = 3, grouping: bool = True) -> str:
    """``value`` to ``digits`` significant digits as Python's ``g`` format writes it (1.23e+07, 0.0456),
    its mantissa in ``lang``'s decimal mark (1,23e+07 in Spanish), grouped unless not ``grouping``
    (``significant(123456, "en", digits=6, grouping=False)`` is Python's ``123456``). For the eye only."""
    mantissa, _, exponent = f"{value:.{digits}g}".partition("e")
    return number(float(mantissa), lang, grouping=grouping) + (f"e{exponent}" if exponent else "")


def signed(value: float, _: Translator, *, decimals: int = 2) -> str:
    """``value`` with its sign always written (+0.53, -1.20; +0,53 in Spanish), in ``_``'s language."""
    return ("+" if value >= 0 else "-") + _.number(abs(value), decimals=decimals)


def scientific(value: float, _: Translator) -> str:
    """``value`` as ``+1.23e-04`` (its sign always written), the mantissa in ``_``'s language."""
    mantissa, exponent = f"{value:+.2e}".split("e")
    return signed(float(mantissa), _) + "e" + exponent


def language_name(lang: str) -> str:
    """A language's own name for itself, capitalised (Español, English): the switch's labels."""
    from babel import Locale

    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


english = Translator(FALLBACK)  # the ``_`` of code that draws nothing: the message as written
