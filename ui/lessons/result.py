"""A lesson's measured result on the page: headline, metrics, chart, messages, links and table."""

from __future__ import annotations

import streamlit as st

from core.lessons import Result
from ui.lessons import charts
from ui.runtime import access


def show(result: Result) -> None:
    """A lesson's numbers: headline, metrics, chart, messages, links (the operator's only) and table."""
    st.success(result.headline)
    metrics = result.metrics()
    for col, metric in zip(st.columns(len(metrics)), metrics, strict=True):
        col.metric(*metric)
    fig = charts.figure(result)
    if fig is not None:
        st.plotly_chart(fig, key=f"chart:{type(result).__name__}")
    for caption, text in result.messages():
        st.caption(caption)
        st.code(text, language=None)
    for label, link, note in result.links() if access.is_operator() else ():  # internal addresses
        st.link_button(label, link)
        if note:
            st.caption(f"Note: {note}.")
    table = result.table
    if not table.empty:
        st.dataframe(table, hide_index=True)
