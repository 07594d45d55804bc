"""The visitor's language: a switch in the sidebar kept in the URL (``?lang=es``, ``?lang=en``), and the
``_`` every page translates its text with.

A visitor starts in the language a link names, else the operator's (``[pilab] language``), else the
browser's (``st.context.locale``) when it is one of ``LANGUAGES``, else English. Once chosen (or given by a
link) the language stays in the URL, on every page. Switching it changes labels only: every widget has a
``key``, so it keeps its value. The catalogs and number formats are ``core.runtime.i18n``'s.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.runtime import i18n
from core.runtime.i18n import LANGUAGES, Translate
from ui.widgets import held_index

PARAM = "lang"  # ?lang=es
KEY = "pilab_lang"  # the switch
CHOSEN = "pilab_lang_chosen"  # set once a link or the switch has named the language: the URL keeps it
START = "pilab_lang_start"  # the language this session started in, when nothing named one


def _from_url() -> str | None:
    return i18n.supported(st.query_params.get(PARAM))


def language() -> str:
    """The language of this run: the URL's, else the switch's, else the one this session started in."""
    held = st.session_state.get(KEY)
    return _from_url() or (held if held in LANGUAGES else st.session_state.get(START, i18n.FALLBACK))


def translator() -> Translate:
    """``_(message, **placeholders)`` in the visitor's language: what a page translates its text with."""
    return i18n.translator(language())


def number(value: float, *, decimals: int | None = None) -> str:
    """``value`` as the visitor's language writes it (3,14 or 3.14), for the eye only: never in an export."""
    return i18n.number(value, language(), decimals=decimals)


def _keep_choice() -> None:
    st.session_state[CHOSEN] = True
    st.query_params[PARAM] = st.session_state[KEY]


def start(server_default: str | None) -> Translate:
    """Settle the language this session starts in (once), and return the run's ``_``: app.py's, for the
    navigation, before a page draws the switch. ``server_default`` is the operator's language (``[pilab]
    language``), or None for the browser's."""
    if START not in st.session_state:
        st.session_state[START] = i18n.default_language(setting=server_default, browser=st.context.locale)
    return translator()


def switch(server_default: str | None) -> str:
    """The language switch at the top of the sidebar (see ``start``); returns the run's language."""
    start(server_default)
    linked = _from_url()
    if linked:
        st.session_state[CHOSEN] = True
        if st.session_state.get(KEY) not in (None, linked):  # a link named another one: the link wins
            del st.session_state[KEY]
    current = linked or language()
    _ = i18n.translator(current)
    st.sidebar.radio(
        "🌐 " + _("Language"),
        LANGUAGES,
        index=held_index(KEY, LANGUAGES, current),
        format_func=i18n.language_name,
        horizontal=True,
        key=KEY,
        on_change=_keep_choice,
    )
    if st.session_state.get(CHOSEN) and st.query_params.get(PARAM) != current:
        st.query_params[PARAM] = current  # a move to another page dropped it
    return current


def readable(table: pd.DataFrame, _: Translate, *, decimals: int | None = None) -> pd.DataFrame:
    """``table`` for the eye in ``_``'s language: its column names translated (each a message of the code),
    its numbers written that language's way (as text, ``decimals`` of them where given, else four
    significant digits below 1,000 and none above; whole numbers stay whole). Downloads take the table
    itself: their numbers stay Python's."""
    shown = table.rename(columns={c: _(c) for c in table.columns if isinstance(c, str)})
    for column in shown.columns:
        values = shown[column]
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            continue
        whole = pd.api.types.is_integer_dtype(values)
        places = 0 if whole else decimals
        shown[column] = ["" if pd.isna(v) else _short(v, _, decimals=places) for v in values]
    return shown


def _short(value: float, _: Translate, *, decimals: int | None) -> str:
    if decimals is not None:
        return _.number(value, decimals=decimals)
    return _.number(float(f"{value:.4g}")) if abs(value) < 1000 else _.number(value, decimals=0)
