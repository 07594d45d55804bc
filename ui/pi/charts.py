"""Plotly figures of the π page, in the look every Pi Lab figure shares (``ui.layout``)."""

from __future__ import annotations

import base64
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.pi.points import INSIDE_RGB, OUTSIDE_RGB, png, raster
from core.runtime.i18n import Translate, english
from ui.layout import LEGEND_BELOW, layout

INSIDE, OUTSIDE = ("#{:02x}{:02x}{:02x}".format(*rgb) for rgb in (INSIDE_RGB, OUTSIDE_RGB))


def target(n: int, *, _: Translate = english) -> go.Figure:
    """The unit square and its quarter circle before a run: where the ``n`` points will land."""
    return _square(go.Figure(), _("Press Run: {n} points will land in this square", n=_.number(n)), _)


def points(sample: pd.DataFrame, n: int, *, _: Translate = english) -> go.Figure:
    """The drawn points as one picture (``core.pi.points.raster``: the browser's work does not grow with
    their number), the quarter circle over it, and a legend with the counts inside and outside."""
    picture = base64.b64encode(png(raster(sample))).decode()
    fig = go.Figure()
    fig.add_layout_image(
        source=f"data:image/png;base64,{picture}",
        xref="x",
        yref="y",
        x=0,
        y=1,
        sizex=1,
        sizey=1,
        sizing="stretch",
        layer="below",
    )
    inside = int(sample["inside"].sum())
    outside = len(sample) - inside
    for name, colour in (
        (_("inside ({n})", n=_.number(inside)), INSIDE),
        (_("outside ({n})", n=_.number(outside)), OUTSIDE),
    ):
        fig.add_trace(  # a legend entry: the points themselves are in the picture
            go.Scatter(x=[None], y=[None], mode="markers", name=name, marker={"color": colour})
        )
    share = 4 * inside / len(sample) if len(sample) else float("nan")
    title = _(
        "{shown} of {n} points · 4 × share inside = {share}",
        shown=_.number(len(sample)),
        n=_.number(n),
        share=_.number(share, decimals=4),
    )
    return _square(fig, title, _)


def _square(fig: go.Figure, title: str, _: Translate) -> go.Figure:
    """The unit square, to scale, with the quarter circle x² + y² = 1."""
    t = np.linspace(0, math.pi / 2, 200)
    fig.add_trace(
        go.Scatter(x=np.cos(t), y=np.sin(t), mode="lines", name="x² + y² = 1", line={"color": "black"})
    )
    frame = {"showgrid": False, "showline": True, "mirror": True, "linecolor": "#888"}
    fig.update_xaxes(range=[0, 1], constrain="domain", **frame)
    fig.update_yaxes(range=[0, 1], scaleanchor="x", scaleratio=1, **frame)
    return layout(fig, title, height=560, legend=LEGEND_BELOW, plot_bgcolor="white", _=_)


def running_estimate(curve: pd.DataFrame, *, _: Translate = english) -> go.Figure:
    """π̂ after the first m draws against m (log x), with the ±1.96σ band around π."""
    fig = go.Figure()
    band_x = np.concatenate([curve["n"], curve["n"][::-1]])
    band_y = np.concatenate([curve["hi"], curve["lo"][::-1]])
    fig.add_trace(
        go.Scatter(
            x=band_x,
            y=band_y,
            fill="toself",
            fillcolor="rgba(31,78,156,0.15)",
            line={"width": 0},
            name=_("π ± {z}σ (95 %)", z=_.number(1.96)),
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=curve["n"], y=curve["pi"], mode="lines+markers", name=_("π̂ after m draws"), marker={"size": 5}
        )
    )
    fig.add_hline(y=math.pi, line_dash="dash", annotation_text="π", annotation_position="right")
    fig.update_xaxes(type="log", title=_("draws m"))
    spread = float(np.nanmax(np.abs(curve["pi"] - math.pi))) if len(curve) else 1.0
    fig.update_yaxes(title=_("estimate"), range=[math.pi - 1.1 * spread, math.pi + 1.1 * spread])
    return layout(fig, _("Running estimate inside its 95 % band"), legend=LEGEND_BELOW, _=_)


def error_vs_n(curve: pd.DataFrame, runs: pd.DataFrame, *, _: Translate = english) -> go.Figure:
    """|π̂ − π| against n, log-log: the running estimate, every run of the session, and σ ∝ 1/√n."""
    fig = go.Figure()
    lo = min([10, *runs.get("n", [])])
    hi = max([int(curve["n"].max()) if len(curve) else 10, *runs.get("n", [])])
    xs = np.geomspace(lo, hi, 50)
    sig = 4 * math.sqrt(math.pi / 4 * (1 - math.pi / 4)) / np.sqrt(xs)
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=sig,
            mode="lines",
            name=_("σ = 4√(p(1−p)/n) ∝ 1/√n"),
            line={"color": "black", "dash": "dash"},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=sig * math.sqrt(2 / math.pi),
            mode="lines",
            name=_("expected |error| ≈ {k}σ", k=_.number(0.8)),
            line={"color": "grey", "dash": "dot"},
        )
    )
    if len(curve):
        fig.add_trace(
            go.Scatter(
                x=curve["n"],
                y=curve["abs_error"].clip(lower=1e-12),
                mode="lines",
                name=_("this seed, first m draws"),
                line={"color": INSIDE},
            )
        )
    for backend, part in runs.groupby("backend") if len(runs) else ():
        fig.add_trace(
            go.Scatter(
                x=part["n"],
                y=part["abs_error"].clip(lower=1e-12),
                mode="markers",
                name=_("run: {backend}", backend=backend),
                marker={"size": 11},
            )
        )
    fig.update_xaxes(type="log", title=_("samples n"))
    fig.update_yaxes(type="log", title="|π̂ − π|")
    return layout(fig, _("|error| shrinks like 1/√n"), legend=LEGEND_BELOW, _=_)


def timings(table: pd.DataFrame, *, _: Translate = english) -> go.Figure:
    """Run time and JIT compile time per backend (seconds, log scale)."""
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=table["backend"],
            y=table["elapsed_s"],
            name=_("run time"),
            text=[f"{_.significant(s)} s" for s in table["elapsed_s"]],
            textposition="outside",
        )
    )
    fig.add_trace(
        go.Bar(
            x=table["backend"],
            y=table["compile_s"].where(table["compile_s"] > 0),
            name=_("JIT compile (first call in this server)"),
        )
    )
    fig.update_yaxes(type="log", title=_("seconds"))
    return layout(fig, _("Run time and JIT compile time"), legend=LEGEND_BELOW, barmode="group", _=_)


def throughput(table: pd.DataFrame, *, _: Translate = english) -> go.Figure:
    """Samples per second per backend, with the speed-up over the slowest as the label."""
    fig = go.Figure(
        go.Bar(
            x=table["backend"],
            y=table["samples_per_s"],
            marker_color=INSIDE,
            text=[f"{_.number(s, decimals=0)}×" for s in table["speedup"]],
            textposition="outside",
        )
    )
    fig.update_yaxes(type="log", title=_("samples / s"))
    return layout(fig, _("Samples/s (label: × the slowest)"), legend=LEGEND_BELOW, _=_)
