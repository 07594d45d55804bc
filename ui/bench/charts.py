"""Plotly figures of the Benchmarks page (the sweep's and the scaling lab's), in the look every Pi Lab figure
shares (``ui.layout``)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.bench.fits import amdahl_speedup, gustafson_speedup
from core.bench.scaling import STRONG, WEAK, Scaling
from core.runtime.i18n import N_, Translate, english
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


def _rows(lab: Scaling, kind: str) -> list[dict]:
    return [r for r in lab.rows if r["kind"] == kind]


def _beyond_cores(fig: go.Figure, lab: Scaling, top: int, *, _: Translate) -> None:
    """Shade the worker counts past the cores, where the workers share them."""
    if lab.cores is not None and top > lab.cores:
        fig.add_vrect(
            x0=lab.cores + 0.5,
            x1=top + 0.5,
            fillcolor="gray",
            opacity=0.12,
            line_width=0,
            annotation_text=_("beyond the {cores} cores", cores=_.number(lab.cores)),
            annotation_position="top left",
        )


def scaling_speedup(lab: Scaling, *, _: Translate = english) -> go.Figure:
    """Speed-up against workers: the ideal line, the strong-scaling points with Amdahl's law fitted, the
    weak-scaling ones with Gustafson's; worker counts past the cores shaded. Text in ``_``'s language."""
    fig = go.Figure()
    top = max((r["workers"] for r in lab.rows), default=1)
    ticks = list(range(1, top + 1))
    fig.add_trace(
        go.Scatter(x=ticks, y=ticks, mode="lines", name=_("ideal"), line={"dash": "dot", "color": "gray"})
    )
    laws = (
        (STRONG, lab.amdahl, amdahl_speedup, N_("strong scaling (measured)"), N_("Amdahl fitted")),
        (WEAK, lab.gustafson, gustafson_speedup, N_("weak scaling (measured)"), N_("Gustafson fitted")),
    )
    for kind, fit, law, measured, fitted in laws:
        rows = _rows(lab, kind)
        if not rows:
            continue
        fig.add_trace(
            go.Scatter(
                x=[r["workers"] for r in rows],
                y=[r["speedup"] for r in rows],
                mode="lines+markers",
                name=_(measured),
                marker={"size": 10, "symbol": ["x" if r["beyond_cores"] else "circle" for r in rows]},
            )
        )
        if fit is not None and fit.serial < 1:
            curve = [law(p, fit.serial, cores=lab.cores) for p in ticks]
            name = _("{law}: s = {s}", law=_(fitted), s=_.number(fit.serial, decimals=3))
            fig.add_trace(go.Scatter(x=ticks, y=curve, mode="lines", name=name, line={"dash": "dash"}))
    _beyond_cores(fig, lab, top, _=_)
    fig.update_xaxes(title=_("workers"), tickvals=ticks)
    fig.update_yaxes(title=_("speed-up (× one worker)"), rangemode="tozero")
    return layout(fig, _("Speed-up against workers"), height=520, _=_, legend=LEGEND_BELOW)


def scaling_efficiency(lab: Scaling, *, _: Translate = english) -> go.Figure:
    """Efficiency against workers (speed-up over workers; weak: T(1)/T(p)), 1 being ideal; worker counts
    past the cores shaded. Text in ``_``'s language."""
    fig = go.Figure()
    top = max((r["workers"] for r in lab.rows), default=1)
    for kind, name in ((STRONG, N_("strong scaling")), (WEAK, N_("weak scaling"))):
        rows = _rows(lab, kind)
        fig.add_trace(
            go.Scatter(
                x=[r["workers"] for r in rows],
                y=[r["efficiency"] for r in rows],
                mode="lines+markers",
                name=_(name),
            )
        )
    fig.add_hline(y=1, line_dash="dot", line_color="gray")
    _beyond_cores(fig, lab, top, _=_)
    fig.update_xaxes(title=_("workers"), tickvals=list(range(1, top + 1)))
    fig.update_yaxes(title=_("efficiency"), rangemode="tozero")
    return layout(fig, _("Efficiency against workers (1 is ideal)"), height=460, _=_, legend=LEGEND_BELOW)
