"""Plotly figures of the π pages, and the layout every Pi Lab figure shares (AutoML's too)."""

from __future__ import annotations

import base64
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.pi.points import INSIDE_RGB, OUTSIDE_RGB, png, raster

INSIDE, OUTSIDE = ("#{:02x}{:02x}{:02x}".format(*rgb) for rgb in (INSIDE_RGB, OUTSIDE_RGB))
FONT = {"size": 16}
MARGIN = {"l": 60, "r": 20, "t": 60, "b": 50}
LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.18, "xanchor": "left", "x": 0}


def layout(fig: go.Figure, title: str, height: int = 460, **kw) -> go.Figure:
    """The look all figures share: title, height, font and margins; ``kw`` (a legend, another margin …)
    goes to ``update_layout`` and wins over the defaults."""
    fig.update_layout(**{"title": title, "height": height, "font": FONT, "margin": MARGIN, **kw})
    return fig


def target(n: int) -> go.Figure:
    """The unit square and its quarter circle before a run: where the ``n`` points will land."""
    return _square(go.Figure(), f"Press Run: {n:,} points will land in this square")


def points(sample: pd.DataFrame, n: int) -> go.Figure:
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
    for count, name, colour in ((inside, "inside", INSIDE), (len(sample) - inside, "outside", OUTSIDE)):
        fig.add_trace(  # a legend entry: the points themselves are in the picture
            go.Scatter(
                x=[None], y=[None], mode="markers", name=f"{name} ({count:,})", marker={"color": colour}
            )
        )
    share = 4 * inside / len(sample) if len(sample) else float("nan")
    return _square(fig, f"{len(sample):,} of {n:,} points · 4 × share inside = {share:.4f}")


def _square(fig: go.Figure, title: str) -> go.Figure:
    """The unit square, to scale, with the quarter circle x² + y² = 1."""
    t = np.linspace(0, math.pi / 2, 200)
    fig.add_trace(
        go.Scatter(x=np.cos(t), y=np.sin(t), mode="lines", name="x² + y² = 1", line={"color": "black"})
    )
    frame = {"showgrid": False, "showline": True, "mirror": True, "linecolor": "#888"}
    fig.update_xaxes(range=[0, 1], constrain="domain", **frame)
    fig.update_yaxes(range=[0, 1], scaleanchor="x", scaleratio=1, **frame)
    return layout(fig, title, height=560, legend=LEGEND_BELOW, plot_bgcolor="white")


def running_estimate(curve: pd.DataFrame) -> go.Figure:
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
            name="π ± 1.96σ (95 %)",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=curve["n"], y=curve["pi"], mode="lines+markers", name="π̂ after m draws", marker={"size": 5}
        )
    )
    fig.add_hline(y=math.pi, line_dash="dash", annotation_text="π", annotation_position="right")
    fig.update_xaxes(type="log", title="draws m")
    spread = float(np.nanmax(np.abs(curve["pi"] - math.pi))) if len(curve) else 1.0
    fig.update_yaxes(title="estimate", range=[math.pi - 1.1 * spread, math.pi + 1.1 * spread])
    return layout(fig, "Running estimate inside its 95 % band", legend=LEGEND_BELOW)


def error_vs_n(curve: pd.DataFrame, runs: pd.DataFrame) -> go.Figure:
    """|π̂ − π| against n, log-log: the running estimate, every run of the session, and σ ∝ 1/√n."""
    fig = go.Figure()
    lo = min([10, *runs.get("n", [])])
    hi = max([int(curve["n"].max()) if len(curve) else 10, *runs.get("n", [])])
    xs = np.geomspace(lo, hi, 50)
    sig = 4 * math.sqrt(math.pi / 4 * (1 - math.pi / 4)) / np.sqrt(xs)
    fig.add_trace(
        go.Scatter(
            x=xs, y=sig, mode="lines", name="σ = 4√(p(1−p)/n) ∝ 1/√n", line={"color": "black", "dash": "dash"}
        )
    )
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=sig * math.sqrt(2 / math.pi),
            mode="lines",
            name="expected |error| ≈ 0.8σ",
            line={"color": "grey", "dash": "dot"},
        )
    )
    if len(curve):
        fig.add_trace(
            go.Scatter(
                x=curve["n"],
                y=curve["abs_error"].clip(lower=1e-12),
                mode="lines",
                name="this seed, first m draws",
                line={"color": INSIDE},
            )
        )
    for backend, part in runs.groupby("backend") if len(runs) else ():
        fig.add_trace(
            go.Scatter(
                x=part["n"],
                y=part["abs_error"].clip(lower=1e-12),
                mode="markers",
                name=f"run: {backend}",
                marker={"size": 11},
            )
        )
    fig.update_xaxes(type="log", title="samples n")
    fig.update_yaxes(type="log", title="|π̂ − π|")
    return layout(fig, "|error| shrinks like 1/√n", legend=LEGEND_BELOW)


def timings(table: pd.DataFrame) -> go.Figure:
    """Run time and JIT compile time per backend (seconds, log scale)."""
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=table["backend"],
            y=table["elapsed_s"],
            name="run time",
            text=[f"{s:.3g} s" for s in table["elapsed_s"]],
            textposition="outside",
        )
    )
    fig.add_trace(
        go.Bar(
            x=table["backend"],
            y=table["compile_s"].where(table["compile_s"] > 0),
            name="JIT compile (first call in this server)",
        )
    )
    fig.update_yaxes(type="log", title="seconds")
    return layout(fig, "Run time and JIT compile time", legend=LEGEND_BELOW, barmode="group")


def throughput(table: pd.DataFrame) -> go.Figure:
    """Samples per second per backend, with the speed-up over the slowest as the label."""
    fig = go.Figure(
        go.Bar(
            x=table["backend"],
            y=table["samples_per_s"],
            marker_color=INSIDE,
            text=[f"{s:,.0f}×" for s in table["speedup"]],
            textposition="outside",
        )
    )
    fig.update_yaxes(type="log", title="samples / s")
    return layout(fig, "Samples/s (label: × the slowest)", legend=LEGEND_BELOW)


def sweep_lines(
    df: pd.DataFrame, y: str, *, title: str, y_title: str, marks: dict | None = None
) -> go.Figure:
    """One line per backend of ``y`` against n (log-log); ``marks`` puts a star at each crossover n."""
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
                    text=[f"{backend} wins from here"],
                    textposition="top center",
                )
            )
    fig.update_xaxes(type="log", title="samples n")
    fig.update_yaxes(type="log", title=y_title)
    return layout(fig, title, height=520, legend=LEGEND_BELOW)
