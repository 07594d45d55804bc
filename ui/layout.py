"""The look every Pi Lab figure shares: title, height, font, margins, and a legend below the plot."""

from __future__ import annotations

import plotly.graph_objects as go

FONT = {"size": 16}
MARGIN = {"l": 60, "r": 20, "t": 60, "b": 50}
LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.18, "xanchor": "left", "x": 0}


def layout(fig: go.Figure, title: str, height: int = 460, **kw) -> go.Figure:
    """The look all figures share: title, height, font and margins; ``kw`` (a legend, another margin …)
    goes to ``update_layout`` and wins over the defaults."""
    fig.update_layout(**{"title": title, "height": height, "font": FONT, "margin": MARGIN, **kw})
    return fig
