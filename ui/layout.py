"""The look every Pi Lab figure shares: title, height, font, margins, and a legend below the plot."""

from __future__ import annotations

import plotly.graph_objects as go

from core.runtime.i18n import Translate, english
from ui.safe_text import figure_text

FONT = {"size": 16}
MARGIN = {"l": 60, "r": 20, "t": 60, "b": 50}
LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.18, "xanchor": "left", "x": 0}


def layout(fig: go.Figure, title: str, height: int = 460, *, _: Translate = english, **kw) -> go.Figure:
    """The look all figures share: title, height, font, margins, and numbers written in ``_``'s language
    (ticks, hover text); ``kw`` (a legend, another margin …) goes to ``update_layout`` and wins over the
    defaults. Every text in the figure is shown as text, never as Plotly's HTML (``ui.safe_text``): run,
    metric and parameter names come from files and workspaces."""
    look = {"title": title, "height": height, "font": FONT, "margin": MARGIN, "separators": _.separators}
    fig.update_layout(**look | kw)
    return figure_text(fig)
