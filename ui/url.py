"""A page's view in its URL, so a bookmark or a shared link opens the same view: one way for every page.

Read: ``params()`` (the link's parameters) or ``read_once(page)`` (only the first time a session draws the
page). Write: ``write({...})``, which keeps the parameters it does not name (``from_dict`` would drop the
open tab). Tabs: ``tabs(labels, key)``, whose open tab lives in the URL as ``?key=label``.
"""

from __future__ import annotations

import re

import streamlit as st

from core.runtime.i18n import LANGUAGES, Translate, translator


def params() -> dict[str, str]:
    """The parameters of the page's URL."""
    return st.query_params.to_dict()


def read_once(page: str) -> dict[str, str]:
    """The URL's parameters the first time this session draws ``page``; ``{}`` afterwards (the widgets
    then hold the view)."""
    flag = f"url_read_{page}"
    if st.session_state.get(flag):
        return {}
    st.session_state[flag] = True
    return params()


def write(values: dict[str, str]) -> None:
    """Put ``values`` in the URL (only when they changed), keeping the other parameters."""
    if {k: st.query_params.get(k) for k in values} != values:
        st.query_params.update(values)


def whole(text: str, low: int, high: int) -> int | None:
    """``text`` as a whole number in [low, high], from ASCII digits only (``²`` passes ``str.isdigit``)."""
    if re.fullmatch(r"[0-9]{1,12}", text) and low <= int(text) <= high:
        return int(text)
    return None


def tabs(labels: list[str], key: str, *, _: Translate | None = None):
    """``st.tabs`` whose open tab is in the URL (``?key=label``): a link opens that tab, and only the open
    tab's body needs drawing (``tab.open``). With ``_``, the labels (messages) are shown in its language,
    and a link naming a tab in another language (or in the code's English) opens that same tab."""
    if _ is None:
        return st.tabs(labels, key=key, bind="query-params")
    shown = [_(label) for label in labels]
    linked, opened = st.query_params.get(key), None
    if linked and linked not in shown:  # a link in another language (or the code's English) opens that tab
        named = {
            translator(lang)(label): here
            for label, here in zip(labels, shown, strict=True)
            for lang in LANGUAGES
        }
        opened = named.get(linked)
    return st.tabs(shown, key=key, bind="query-params", default=opened)
