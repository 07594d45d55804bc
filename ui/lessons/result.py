"""A lesson's measured result on the page: headline, metrics, chart, messages, code listings, links and
table."""

from __future__ import annotations

import streamlit as st

from core.lessons import Result
from core.runtime.i18n import FALLBACK, Translate, english
from ui.i18n import readable
from ui.lessons import charts
from ui.lessons.listings import show_listings
from ui.runtime import access


def show(result: Result, *, _: Translate = english) -> None:
    """A lesson's numbers in ``_``'s language: headline, metrics, chart, messages, code listings (bounded),
    links (the operator's only) and table (the code's own in English: its numbers stay numbers, sortable)."""
    st.success(result.headline(_=_))
    metrics = result.metrics(_=_)
    for col, metric in zip(st.columns(len(metrics)), metrics, strict=True):
        col.metric(*metric)
    fig = charts.figure(result, _=_)
    if fig is not None:
        st.plotly_chart(fig, key=f"chart:{type(result).__name__}")
    for caption, text in result.messages(_=_):
        st.caption(caption)
        st.code(text, language=None)
    show_listings(result.listings(_=_), key=f"listings:{type(result).__name__}", _=_)
    for label, link, note in result.links(_=_) if access.is_operator() else ():  # internal addresses
        st.link_button(label, link)
        if note:
            st.caption(_("Note: {note}.", note=note))
    table = result.table
    if not table.empty:
        st.dataframe(table if _.lang == FALLBACK else readable(charts.cells(table, _), _), hide_index=True)
