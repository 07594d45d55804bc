"""Plotly figures and table styles of the AutoML explorer, built from the tables ``core.automl`` returns.

Every figure takes ``_`` (English by default): its titles, axis titles, legend and hover words in that
language, its ticks and hover numbers written that language's way (``ui.layout.layout``). Run, metric and
algorithm names are data: they stay as they are."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from core.automl.analysis.tables import NO_ALGORITHM
from core.automl.catalogue import metric_info
from core.runtime.i18n import N_, Translate, english
from ui.layout import layout

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

MAX_BARS = 40  # runs in the ranking
HEIGHT = 430
BEST = "#d62728"
OTHER = "#1f4e9c"


def ranking_bars(ranked: pd.DataFrame, metric: str, *, _: Translate = english) -> go.Figure:
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
    better = _("lower is better") if info.lower_is_better else _("higher is better")
    fig.update_xaxes(range=[lo - pad, hi + pad], title=f"{info.display} ({better})")
    fig.update_yaxes(type="category", autorange="reversed", title=_("iteration"))
    title = _(
        "Ranking by {metric} (best {n} of {total})",
        metric=info.display,
        n=_.number(len(top)),
        total=_.number(len(ranked)),
    )
    return layout(fig, title, 120 + 22 * len(top), _=_)


def scatter(
    table: pd.DataFrame, x: str, y: str, *, best: str, by: str = "algorithm", _: Translate = english
) -> go.Figure:
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
                name=algorithm_name(algorithm, _),
                marker={"size": 11},
                customdata=group[["run_id", "iteration"]],
                hovertemplate="%{customdata[0]}<br>" + _("iteration") + " %{customdata[1]}<br>"
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
                name=_("best run"),
                marker={"size": 20, "symbol": "star", "color": BEST, "line": {"width": 1, "color": "black"}},
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(title=metric_info(x).display)
    fig.update_yaxes(title=metric_info(y).display)
    grouped = _("algorithm") if by == "algorithm" else by
    title = _("{y} against {x}, by {by}", y=metric_info(y).display, x=metric_info(x).display, by=grouped)
    return layout(fig, title, HEIGHT, _=_)


def parallel(table: pd.DataFrame, metrics: list[str], primary: str, *, _: Translate = english) -> go.Figure:
    """Parallel coordinates over ``metrics``, coloured by ``primary`` (the better end darker)."""
    dims = [{"label": metric_info(m).display, "values": table[m]} for m in metrics]
    return parcoords(table, dims, primary=primary, what=_("Parallel coordinates"), left=70, _=_)


def parcoords(
    table: pd.DataFrame, dims: list[dict], *, primary: str, what: str, left: int, _: Translate = english
) -> go.Figure:
    """Parallel coordinates over ``dims`` (Plotly's dimension dicts), coloured by ``primary``, the better
    end darker; ``what`` (in ``_``'s language) starts the title, ``left`` is the room for the first axis'
    labels."""
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
    title = _("{what}, coloured by {metric}", what=what, metric=metric_info(primary).display)
    return layout(fig, title, 500, _=_, margin={"l": left, "r": 40, "t": 140, "b": 40})  # room for labels


def heatmap(corr: pd.DataFrame, *, _: Translate = english) -> go.Figure:
    """A correlation matrix, -1 to 1, each cell labelled (to two decimals, in ``_``'s language)."""
    cells = [["" if pd.isna(r) else _.number(round(float(r), 2)) for r in row] for row in corr.values]
    fig = go.Figure(
        go.Heatmap(
            z=corr.values,
            x=list(corr.columns),
            y=list(corr.index),
            zmin=-1,
            zmax=1,
            colorscale="RdBu",
            text=cells,
            texttemplate="%{text}",
        )
    )
    fig.update_yaxes(autorange="reversed")
    return layout(fig, _("Spearman correlation between metrics across runs"), 140 + 40 * len(corr), _=_)


def progress(curve: pd.DataFrame, metric: str, *, _: Translate = english) -> go.Figure:
    """Each run's value by iteration, and the best so far as a step line."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=curve["iteration"],
            y=curve["value"],
            mode="markers",
            name=_("run"),
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
            name=_("best so far"),
        )
    )
    fig.update_xaxes(title=_("iteration"))
    fig.update_yaxes(title=metric_info(metric).display)
    return layout(
        fig, _("Best {metric} so far, by iteration", metric=metric_info(metric).display), HEIGHT, _=_
    )


def boxes(table: pd.DataFrame, metric: str, order: list[str], *, _: Translate = english) -> go.Figure:
    """One box of ``metric`` per algorithm, in ``order``, every run shown as a point."""
    shown = table.assign(algorithm=[algorithm_name(a, _) for a in table["algorithm"]])
    fig = px.box(
        shown,
        x="algorithm",
        y=metric,
        points="all",
        hover_data=["run_id", "iteration"],
        category_orders={"algorithm": [algorithm_name(a, _) for a in order]},
        labels={"algorithm": _("algorithm"), "iteration": _("iteration")},
    )
    fig.update_yaxes(title=metric_info(metric).display)
    return layout(fig, _("{metric} per algorithm", metric=metric_info(metric).display), HEIGHT, _=_)


def confusion(cm: pd.DataFrame, *, _: Translate = english) -> go.Figure:
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
    fig.update_xaxes(title=_("predicted"))
    fig.update_yaxes(title=_("true"), autorange="reversed")
    return layout(fig, _("Confusion matrix"), 420, _=_)


def roc(curves: pd.DataFrame, auc: dict[str, float], *, _: Translate = english) -> go.Figure:
    """One ROC curve per class with its AUC, and the chance diagonal."""
    fig = go.Figure()
    for label, curve in curves.groupby("class", sort=False):
        name = f"{label} (AUC {_.number(auc[str(label)], decimals=3)})"
        fig.add_trace(go.Scatter(x=curve["fpr"], y=curve["tpr"], mode="lines", name=name))
    chance = go.Scatter(
        x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "grey"}, name=_("chance")
    )
    fig.add_trace(chance)
    fig.update_xaxes(title=_("false positive rate"), range=[0, 1])
    fig.update_yaxes(title=_("true positive rate"), range=[0, 1])
    return layout(fig, _("ROC (from accuracy_table)"), 420, _=_)


def highlight(table: pd.DataFrame, best: str, metrics: list[str], *, _: Translate = english) -> Styler:
    """The table with the best run's row marked and numbers to 4 decimals, with ``_``'s decimal mark."""
    return table.style.apply(
        lambda row: (
            ["background-color: #ffe8a3; font-weight: bold" if row["run_id"] == best else ""] * len(row)
        ),
        axis=1,
    ).format({m: "{:.4f}" for m in metrics}, decimal=decimal_mark(_))


def deltas_styled(deltas: pd.DataFrame, metrics: list[str], *, _: Translate = english) -> Styler:
    """Deltas to a baseline with their sign, green when better and red when worse (``_``'s decimal mark)."""
    styled = deltas.style.format({m: "{:+.4f}" for m in metrics}, decimal=decimal_mark(_))
    return styled.map(_delta_colour, subset=metrics)


# The columns of a runs table that are the code's (the rest are metric and parameter names: data).
RUN_COLUMNS = {"iteration": N_("iteration"), "algorithm": N_("algorithm")}
# The per-algorithm table's columns, marked so that ``ui.i18n.readable`` translates them.
ALGORITHM_COLUMNS = [N_("runs"), N_("best"), N_("median"), N_("worst")]


def for_reader(table: pd.DataFrame, _: Translate) -> pd.DataFrame:
    """A table of runs as the reader sees it: the code's column names (``RUN_COLUMNS``) in ``_``'s language
    and "(not recorded)" algorithms too; run, metric and parameter names stay (the same table in English)."""
    shown = table.rename(columns={c: _(m) for c, m in RUN_COLUMNS.items()})
    if "algorithm" in table:
        shown[_("algorithm")] = [algorithm_name(a, _) for a in table["algorithm"]]
    return shown


def decimal_mark(_: Translate) -> str:
    """The decimal mark of ``_``'s language (``,`` in Spanish): a styled table's numbers written its way."""
    return _.separators[0]


def algorithm_name(name: object, _: Translate) -> str:
    """An algorithm's name as a legend or an axis shows it: as recorded, or "(not recorded)" in ``_``'s
    language where the source kept none."""
    return _(NO_ALGORITHM) if name == NO_ALGORITHM else str(name)


def _delta_colour(value: float) -> str:
    if pd.isna(value) or value == 0:
        return ""
    return "color: #1a7f37" if value > 0 else "color: #c62828"
