"""The π page's Timeline tab: one Gantt chart a run of a backend that counts in ranges (a lane a worker,
its ranges coloured by worker, idle gaps as gaps, stragglers marked ✕), bounded to ``MAX_BARS`` bars."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.colors import qualitative

from core.pi import Estimate
from core.pi.timeline import MAX_BARS, WORKER_KINDS, Span, bars, idle_share, lanes, stragglers
from core.runtime.i18n import Translate, english
from ui.layout import LEGEND_BELOW, layout

COLOURS = qualitative.Plotly
STRAGGLER = "#111111"


def lane_label(backend: str, worker: str, *, _: Translate = english) -> str:
    """A worker's lane as a reader names it: ``process 4242``, ``thread 1``, ``Dask worker 0``."""
    return _(WORKER_KINDS.get(backend, "{worker}"), worker=worker)


def gantt(spans: Sequence[Span], backend: str, *, _: Translate = english) -> go.Figure:
    """One run's timeline: a horizontal bar a range (or a few adjacent ranges of one worker, beyond
    ``MAX_BARS``), a lane a worker, seconds after the run's start on x; the stragglers marked ✕ at their
    end."""
    drawn = bars(spans)[0]
    workers = lanes(spans)
    fig = go.Figure()
    for i, worker in enumerate(workers):
        own = [b for b in drawn if b.worker == worker]
        label = lane_label(backend, worker, _=_)
        fig.add_trace(
            go.Bar(
                y=[label] * len(own),
                x=[b.end - b.start for b in own],
                base=[b.start for b in own],
                orientation="h",
                name=label,
                marker={"color": COLOURS[i % len(COLOURS)], "line": {"width": 0}},
                customdata=[[b.ranges, b.samples] for b in own],
                hovertemplate=_(
                    "%{y}: from %{base:.4f} s, %{x:.4f} s long; %{customdata[0]} range(s), "
                    "%{customdata[1]:,} samples"
                )
                + "<extra></extra>",
            )
        )
    slow = [b for b in drawn if b.straggler]
    if slow:
        fig.add_trace(
            go.Scatter(
                x=[b.end for b in slow],
                y=[lane_label(backend, b.worker, _=_) for b in slow],
                mode="markers",
                name=_("straggler: longer than median + 3·MAD, or the last to finish"),
                marker={"symbol": "x", "size": 11, "color": STRAGGLER},
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(title=_("seconds after the run's start"), rangemode="tozero")
    fig.update_yaxes(title=_("worker"), categoryorder="array", categoryarray=workers[::-1], type="category")
    title = _(
        "{backend}: {ranges} ranges on {workers} worker(s)",
        backend=backend,
        ranges=_.number(len(spans)),
        workers=_.number(len(workers)),
    )
    height = min(720, 220 + 45 * len(workers))
    return layout(fig, title, height, barmode="overlay", legend=LEGEND_BELOW, bargap=0.25, _=_)


def caption(estimate: Estimate, *, _: Translate = english) -> str:
    """What the chart shows: the idle share, what a straggler is, and how bars were joined if they were."""
    spans = estimate.spans
    drawn, group = bars(spans)
    text = _(
        "Each bar is one index range, from the moment its worker began counting it to the moment it "
        "finished, in seconds after the run's start (one clock for every process: the system's "
        "`time.time_ns`). The gaps are time a worker waited (start-up, the round trip for its next range, "
        "the tail of the run): {idle} % of this run, averaged over its workers. "
        "Marked ✕: {slow} straggler(s).",
        idle=_.number(100 * idle_share(spans), decimals=1),
        slow=_.number(len(stragglers(spans))),
    )
    if group > 1:
        text += " " + _(
            "{ranges} ranges drawn as {bars} bars (at most {most}): each bar joins {group} adjacent ranges "
            "of one worker, so gaps inside a bar are not shown.",
            ranges=_.number(len(spans)),
            bars=_.number(len(drawn)),
            most=_.number(MAX_BARS),
            group=_.number(group),
        )
    if estimate.backend == "numba_parallel":
        text += " " + _(
            "Numba's prange cannot time each iteration cheaply: for its timeline each chunk is split into "
            "one part a thread (as prange's static schedule splits it) and each part is timed."
        )
    return text


def timeline_tab(results: list[Estimate], table: pd.DataFrame, *, _: Translate = english) -> None:
    """The last run's timeline of each backend that recorded one; the others named, with why not."""
    timed = [e for e in results if e.spans]
    for e in timed:
        st.plotly_chart(gantt(e.spans, e.backend, _=_), width="stretch", key=f"pi_chart_timeline_{e.backend}")
        st.caption(caption(e, _=_))
    untimed = [e.backend for e in results if not e.spans]
    if untimed:
        st.caption(
            _(
                "No timeline for {backends}: only the backends that count ranges of the counter-based stream "
                "on the CPU record one.",
                backends=", ".join(untimed),
            )
        )
