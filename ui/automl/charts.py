"""Plotly figures and table styles of the AutoML explorer, built from the tables ``core.automl`` returns."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from core.automl.analysis.tables import NO_ALGORITHM
from core.automl.catalogue import metric_info
from ui.layout import layout

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

MAX_BARS = 40  # runs in the ranking
HEIGHT = 430
BEST = "#d62728"
OTHER = "#1f4e9c"


def ranking_bars(ranked: pd.DataFrame, metric: str) -> go.Figure:
    """The best ``MAX_BARS`` runs as horizontal bars, best on top in the best colour."""
    top = ranked.head(MAX_BARS)
    labels = [
        f"#{i} · {a}" if a != NO_ALGORITHM else f"#{i}"
        for i, a in zip(top.iteration, top.algorithm, strict=False)
    ]
    colours = [BEST if k == 0 else OTHER for k in range(len(top))]
    fig = go.Figure(
        go.Bar(
            x=top["value"],
            y=labels,
            orientation="h",
            marker_color=colours,
            customdata=top["run_id"],
            hovertemplate="%{customdata}<br>%{x:.5f}<extra></extra>",
        )
    )
    info = metric_info(metric)
    lo, hi = float(top["value"].min()), float(top["value"].max())
    pad = (hi - lo) * 0.15 or 0.01
    fig.update_xaxes(
        range=[lo - pad, hi + pad],
        title=f"{info.display} ({'lower' if info.lower_is_better else 'higher'} is better)",
    )
    fig.update_yaxes(type="category", autorange="reversed", title="iteration")
    return layout(fig, f"Ranking by {info.display} (best {len(top)} of {len(ranked)})", 120 + 22 * len(top))


def scatter(table: pd.DataFrame, x: str, y: str, *, best: str, by: str = "algorithm") -> go.Figure:
    """``y`` against ``x``, one trace per algorithm (or per value of the column ``by``), the best run starred
    (WebGL beyond 1000 runs)."""
    trace = go.Scattergl if len(table) > 1000 else go.Scatter
    fig = go.Figure()
    for algorithm, group in table.groupby(by, sort=True):
        fig.add_trace(
            trace(
                x=group[x],
                y=group[y],
                mode="markers",
                name=str(algorithm),
                marker={"size": 11},
                customdata=group[["run_id", "iteration"]],
                hovertemplate="%{customdata[0]}<br>iteration %{customdata[1]}<br>"
                f"{x} %{{x:.4f}}<br>{y} %{{y:.4f}}<extra></extra>",
            )
        )
    mark = table[table["run_id"] == best]
    if not mark.empty:
        fig.add_trace(
            go.Scatter(
                x=mark[x],
                y=mark[y],
                mode="markers",
                name="best run",
                marker={"size": 20, "symbol": "star", "color": BEST, "line": {"width": 1, "color": "black"}},
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(title=metric_info(x).display)
    fig.update_yaxes(title=metric_info(y).display)
    return layout(fig, f"{metric_info(y).display} against {metric_info(x).display}, by {by}", HEIGHT)


def parallel(table: pd.DataFrame, metrics: list[str], primary: str) -> go.Figure:
    """Parallel coordinates over ``metrics``, coloured by ``primary`` (the better end darker)."""
    dims = [{"label": metric_info(m).display, "values": table[m]} for m in metrics]
    return parcoords(table, dims, primary=primary, what="Parallel coordinates", left=70)


def parcoords(table: pd.DataFrame, dims: list[dict], *, primary: str, what: str, left: int) -> go.Figure:
    """Parallel coordinates over ``dims`` (Plotly's dimension dicts), coloured by ``primary``, the better
    end darker; ``what`` starts the title, ``left`` is the room for the first axis' labels."""
    fig = go.Figure(
        go.Parcoords(
            line={
                "color": table[primary],
                "colorscale": "Viridis_r" if metric_info(primary).lower_is_better else "Viridis",
                "showscale": True,
                "colorbar": {"title": {"text": primary}},
            },
            dimensions=dims,
            labelangle=-12,
            labelside="top",
        )
    )
    title = f"{what}, coloured by {metric_info(primary).display}"
    return layout(fig, title, 500, margin={"l": left, "r": 40, "t": 140, "b": 40})  # room for the labels


def heatmap(corr: pd.DataFrame) -> go.Figure:
    """A correlation matrix, -1 to 1, each cell labelled."""
    fig = go.Figure(
        go.Heatmap(
            z=corr.values,
            x=list(corr.columns),
            y=list(corr.index),
            zmin=-1,
            zmax=1,
            colorscale="RdBu",
            text=corr.round(2).values,
            texttemplate="%{text}",
        )
    )
    fig.update_yaxes(autorange="reversed")
    return layout(fig, "Spearman correlation between metrics across runs", 140 + 40 * len(corr))


def progress(curve: pd.DataFrame, metric: str) -> go.Figure:
    """Each run's value by iteration, and the best so far as a step line."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=curve["iteration"],
            y=curve["value"],
            mode="markers",
            name="run",
            marker={"color": OTHER, "size": 9},
            customdata=curve["run_id"],
            hovertemplate="%{customdata}<br>%{y:.5f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=curve["iteration"],
            y=curve["best_so_far"],
            mode="lines",
            line={"shape": "hv", "color": BEST, "width": 3},
            name="best so far",
        )
    )
    fig.update_xaxes(title="iteration")
    fig.update_yaxes(title=metric_info(metric).display)
    return layout(fig, f"Best {metric_info(metric).display} so far, by iteration", HEIGHT)


def boxes(table: pd.DataFrame, metric: str, order: list[str]) -> go.Figure:
    """One box of ``metric`` per algorithm, in ``order``, every run shown as a point."""
    fig = px.box(
        table,
        x="algorithm",
        y=metric,
        points="all",
        hover_data=["run_id", "iteration"],
        category_orders={"algorithm": order},
    )
    fig.update_yaxes(title=metric_info(metric).display)
    return layout(fig, f"{metric_info(metric).display} per algorithm", HEIGHT)


def confusion(cm: pd.DataFrame) -> go.Figure:
    """A confusion matrix (true × predicted), counts in the cells."""
    fig = go.Figure(
        go.Heatmap(
            z=cm.values,
            x=list(cm.columns),
            y=list(cm.index),
            colorscale="Blues",
            text=cm.values,
            texttemplate="%{text:.0f}",
        )
    )
    fig.update_xaxes(title="predicted")
    fig.update_yaxes(title="true", autorange="reversed")
    return layout(fig, "Confusion matrix", 420)


def roc(curves: pd.DataFrame, auc: dict[str, float]) -> go.Figure:
    """One ROC curve per class with its AUC, and the chance diagonal."""
    fig = go.Figure()
    for label, curve in curves.groupby("class", sort=False):
        fig.add_trace(
            go.Scatter(
                x=curve["fpr"], y=curve["tpr"], mode="lines", name=f"{label} (AUC {auc[str(label)]:.3f})"
            )
        )
    fig.add_trace(
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "grey"}, name="chance")
    )
    fig.update_xaxes(title="false positive rate", range=[0, 1])
    fig.update_yaxes(title="true positive rate", range=[0, 1])
    return layout(fig, "ROC (from accuracy_table)", 420)


def highlight(table: pd.DataFrame, best: str, metrics: list[str]) -> Styler:
    """The table with the best run's row marked and numbers to 4 decimals."""
    return table.style.apply(
        lambda row: (
            ["background-color: #ffe8a3; font-weight: bold" if row["run_id"] == best else ""] * len(row)
        ),
        axis=1,
    ).format({m: "{:.4f}" for m in metrics})


def deltas_styled(deltas: pd.DataFrame, metrics: list[str]) -> Styler:
    """Deltas to a baseline with their sign, green when better and red when worse."""
    return deltas.style.format({m: "{:+.4f}" for m in metrics}).map(_delta_colour, subset=metrics)


def _delta_colour(value: float) -> str:
    if pd.isna(value) or value == 0:
        return ""
    return "color: #1a7f37" if value > 0 else "color: #c62828"
