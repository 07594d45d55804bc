"""Plotly figures of two jobs side by side (the Two jobs tab), in the look every Pi Lab figure shares
(``ui.layout``)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.automl.catalogue import metric_info
from core.runtime.i18n import Translate, english
from ui.automl.charts import HEIGHT, OTHER
from ui.layout import layout

BINS = 20
SIDE_COLOURS = {"A": OTHER, "B": "#e07b00"}


def per_algorithm_bars(
    table: pd.DataFrame, metric: str, labels: tuple[str, str], *, _: Translate = english
) -> go.Figure:
    """The best ``metric`` per algorithm in job A and job B, side by side (titles in ``_``'s language)."""
    fig = go.Figure()
    for job, column, label in (("A", "best_a", labels[0]), ("B", "best_b", labels[1])):
        fig.add_trace(
            go.Bar(
                y=table["algorithm"],
                x=table[column],
                orientation="h",
                name=f"{job}: {label[:40]}",
                marker_color=SIDE_COLOURS[job],
                hovertemplate="%{y}<br>%{x:.5f}<extra>" + job + "</extra>",
            )
        )
    values = pd.concat([table["best_a"], table["best_b"]]).dropna()
    lo, hi = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
    pad = (hi - lo) * 0.15 or 0.01
    info = metric_info(metric)
    fig.update_xaxes(range=[lo - pad, hi + pad], title=_("best {metric}", metric=info.display))
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_layout(barmode="group")
    title = _("Best {metric} per algorithm, job A and job B", metric=info.display)
    return layout(fig, title, 140 + 44 * len(table), _=_)


def distributions(
    values: pd.DataFrame, metric: str, best: dict[str, float], *, _: Translate = english
) -> go.Figure:
    """Each job's values of ``metric`` as overlaid histograms, each job's best marked (titles in ``_``'s
    language)."""
    fig = go.Figure()
    lo, hi = float(values["value"].min()), float(values["value"].max())
    bins = {"start": lo, "end": hi + (hi - lo) * 1e-9, "size": (hi - lo) / BINS or 1.0}  # the same for both
    for job, group in values.groupby("job", sort=True):
        fig.add_trace(
            go.Histogram(
                x=group["value"],
                name=_("job A") if str(job) == "A" else _("job B"),
                marker_color=SIDE_COLOURS[str(job)],
                opacity=0.55,
                xbins=bins,
            )
        )
        fig.add_vline(x=best[str(job)], line={"color": SIDE_COLOURS[str(job)], "dash": "dash", "width": 2})
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title=metric_info(metric).display)
    fig.update_yaxes(title=_("runs"))
    title = _("{metric} in both jobs (dashed: each job's best)", metric=metric_info(metric).display)
    return layout(fig, title, HEIGHT, _=_)
