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
    tab's body needs drawing (``tab.open``). With ``_``, the labels (messages) are shown in its language
    while the URL keeps the label itself, so one link opens the same tab in every language (a link that
    names a tab in another language opens it too)."""
    shown = [_(label) for label in labels] if _ is not None else list(labels)
    if shown == list(labels):
        return st.tabs(labels, key=key, bind="query-params")
    named = {translator(lang)(label): label for label in labels for lang in LANGUAGES}
    linked = named.get(st.query_params.get(key, ""))
    default = shown[labels.index(linked)] if linked else None
    widget = f"{key}:shown"

    def keep_in_url() -> None:
        st.query_params[key] = labels[shown.index(st.session_state[widget])]

    return st.tabs(shown, key=widget, default=default, on_change=keep_in_url)
