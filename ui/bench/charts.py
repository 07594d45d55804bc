"""Plotly figures of the Benchmarks page, in the look every Pi Lab figure shares (``ui.layout``)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.runtime.i18n import Translate, english
from ui.layout import LEGEND_BELOW, layout


def sweep_lines(
    df: pd.DataFrame,
    y: str,
    *,
    title: str,
    y_title: str,
    marks: dict | None = None,
    _: Translate = english,
) -> go.Figure:
    """One line per backend of ``y`` against n (log-log); ``marks`` puts a star at each crossover n. Its
    text in ``_``'s language, ``title`` and ``y_title`` already in it."""
    fig = go.Figure()
    for backend, part in df.groupby("backend", sort=False):
        fig.add_trace(go.Scatter(x=part["n"], y=part[y], mode="lines+markers", name=backend))
        n_cross = (marks or {}).get(backend)
        if n_cross:
            at = part[part["n"] == n_cross]
            fig.add_trace(
                go.Scatter(
                    x=at["n"],
                    y=at[y],
                    mode="markers+text",
                    showlegend=False,
                    marker={
                        "symbol": "star",
                        "size": 18,
                        "color": "gold",
                        "line": {"width": 1, "color": "black"},
                    },
                    text=[_("{backend} wins from here", backend=backend)],
                    textposition="top center",
                )
            )
    fig.update_xaxes(type="log", title=_("samples n"))
    fig.update_yaxes(type="log", title=y_title)
    return layout(fig, title, height=520, _=_, legend=LEGEND_BELOW)
