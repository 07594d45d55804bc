"""The Plotly figure of a lesson's result: grouped bars, or a timeline of processes."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from core.lessons import Result

HEIGHT = 320
MARGIN = {"l": 10, "r": 10, "t": 30, "b": 10}  # a compact figure under the lesson's metrics, no title


def figure(result: Result) -> go.Figure | None:
    """The figure ``result.chart`` describes over its rows, or None when the lesson has no chart."""
    if result.chart is None:
        return None
    spec = result.chart
    data = pd.DataFrame(result.chart_rows())
    if spec.kind == "timeline":
        label, start, end = spec.x, spec.y, spec.colour
        data["seconds"] = data[end] - data[start]
        fig = px.bar(data, y=label, x="seconds", base=start, orientation="h", color="run", labels={label: ""})
        fig.update_yaxes(autorange="reversed")
        fig.update_xaxes(title="seconds since the first start()")
    else:
        heights = data[spec.y]
        text = heights.map(seconds) if spec.y == "seconds" else heights.map("{:,}".format)
        fig = px.bar(data, x=spec.x, y=spec.y, color=spec.colour, barmode="group", text=text)
    fig.update_traces(textposition="outside", textangle=0, cliponaxis=False)
    fig.update_layout(height=HEIGHT, margin=MARGIN, legend_title_text="")
    return fig


def seconds(s: float) -> str:
    """A duration as a bar's label: µs, ms or s."""
    return f"{s * 1e6:.0f} µs" if s < 1e-3 else f"{s * 1e3:.0f} ms" if s < 1 else f"{s:.2f} s"
