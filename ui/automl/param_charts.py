"""Plotly figures of run parameters and of two AutoML runs side by side, in the AutoML explorer's one
layout."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from core.automl.catalogue import metric_info
from ui.automl.charts import HEIGHT, OTHER, parcoords
from ui.pi.charts import layout

MAX_CATEGORIES = 30  # values of a text axis in parallel coordinates; the rarest beyond are "(other)"
MAX_TICK = 14  # characters of a category's label on a parallel-coordinates axis
BINS = 20
SIDE_COLOURS = {"A": OTHER, "B": "#e07b00"}


def by_parameter(table: pd.DataFrame, metric: str, by: str, *, facet: str | None, numeric: bool) -> go.Figure:
    """``metric`` against the parameter ``by``: points along a numeric one, boxes per text value; one panel
    per value of ``facet`` when given."""
    shown = (
        table.assign(**{by: table[by].fillna("(not recorded)")}) if not numeric else table.dropna(subset=[by])
    )
    facets = {"facet_col": facet, "facet_col_wrap": 3} if facet else {}
    hover = ["run_id", "iteration", "algorithm"]
    if numeric:
        fig = px.scatter(shown, x=by, y=metric, color="algorithm", hover_data=hover, **facets)
        fig.update_traces(marker={"size": 10})
    else:
        order = sorted(shown[by].astype(str).unique())
        fig = px.box(
            shown, x=by, y=metric, points="all", hover_data=hover, category_orders={by: order}, **facets
        )
    fig.update_yaxes(title=metric_info(metric).display)
    rows = 1 + (shown[facet].nunique() - 1) // 3 if facet else 1
    title = f"{metric_info(metric).display} by {by}" + (f", one panel per {facet}" if facet else "")
    return layout(fig, title, HEIGHT if rows == 1 else 320 * rows)


def parallel(table: pd.DataFrame, axes: list[str], primary: str, *, numeric: dict[str, bool]) -> go.Figure:
    """Parallel coordinates over metrics and parameters, coloured by ``primary``; a text parameter is an
    axis of categories (its values as tick labels)."""
    dims = []
    for name in axes:
        if numeric.get(name, True):
            dims.append({"label": metric_info(name).display, "values": table[name]})
            continue
        values = table[name].fillna("(not recorded)").astype(str)
        common = values.value_counts().index[:MAX_CATEGORIES]
        values = values.where(values.isin(common), "(other)")
        categories = sorted(values.unique())
        codes = values.map({c: i for i, c in enumerate(categories)})
        ticks = [c if len(c) <= MAX_TICK else c[: MAX_TICK - 1] + "…" for c in categories]
        dims.append(
            {"label": name, "values": codes, "tickvals": list(range(len(categories))), "ticktext": ticks}
        )
    return parcoords(table, dims, primary=primary, what="Metrics and parameters", left=90)


def per_algorithm_bars(table: pd.DataFrame, metric: str, labels: tuple[str, str]) -> go.Figure:
    """The best ``metric`` per algorithm in AutoML run A and run B, side by side."""
    fig = go.Figure()
    for side, column, label in (("A", "best_a", labels[0]), ("B", "best_b", labels[1])):
        fig.add_trace(
            go.Bar(
                y=table["algorithm"],
                x=table[column],
                orientation="h",
                name=f"{side}: {label[:40]}",
                marker_color=SIDE_COLOURS[side],
                hovertemplate="%{y}<br>%{x:.5f}<extra>" + side + "</extra>",
            )
        )
    values = pd.concat([table["best_a"], table["best_b"]]).dropna()
    lo, hi = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
    pad = (hi - lo) * 0.15 or 0.01
    info = metric_info(metric)
    fig.update_xaxes(range=[lo - pad, hi + pad], title=f"best {info.display}")
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_layout(barmode="group")
    return layout(fig, f"Best {info.display} per algorithm, job A and job B", 140 + 44 * len(table))


def distributions(values: pd.DataFrame, metric: str, best: dict[str, float]) -> go.Figure:
    """Each side's values of ``metric`` as overlaid histograms, each side's best marked."""
    fig = go.Figure()
    lo, hi = float(values["value"].min()), float(values["value"].max())
    bins = {"start": lo, "end": hi + (hi - lo) * 1e-9, "size": (hi - lo) / BINS or 1.0}  # the same for both
    for side, group in values.groupby("job", sort=True):
        fig.add_trace(
            go.Histogram(
                x=group["value"],
                name=f"job {side}",
                marker_color=SIDE_COLOURS[str(side)],
                opacity=0.55,
                xbins=bins,
            )
        )
        fig.add_vline(x=best[str(side)], line={"color": SIDE_COLOURS[str(side)], "dash": "dash", "width": 2})
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title=metric_info(metric).display)
    fig.update_yaxes(title="runs")
    return layout(fig, f"{metric_info(metric).display} in both jobs (dashed: each job's best)", HEIGHT)
