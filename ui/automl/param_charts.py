"""Plotly figures of run parameters, in the look every Pi Lab figure shares (``ui.layout``)."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from core.automl.catalogue import metric_info
from core.runtime.i18n import N_, Translate, english
from ui.automl.charts import HEIGHT, parcoords
from ui.layout import layout

MAX_CATEGORIES = 30  # values of a text axis in parallel coordinates; the rarest beyond are "(other)"
MAX_TICK = 14  # characters of a category's label on a parallel-coordinates axis
NOT_RECORDED = N_("(not recorded)")  # a run without the parameter
OTHER = N_("(other)")  # the rarest values of a text axis, together


def by_parameter(
    table: pd.DataFrame,
    metric: str,
    by: str,
    *,
    facet: str | None,
    numeric: bool,
    _: Translate = english,
) -> go.Figure:
    """``metric`` against the parameter ``by``: points along a numeric one, boxes per text value; one panel
    per value of ``facet`` when given (titles in ``_``'s language)."""
    missing = _(NOT_RECORDED)
    shown = table.dropna(subset=[by]) if numeric else table.assign(**{by: table[by].fillna(missing)})
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
    display = metric_info(metric).display
    if facet:
        title = _("{metric} by {by}, one panel per {facet}", metric=display, by=by, facet=facet)
    else:
        title = _("{metric} by {by}", metric=display, by=by)
    return layout(fig, title, HEIGHT if rows == 1 else 320 * rows, _=_)


def parallel(
    table: pd.DataFrame,
    axes: list[str],
    primary: str,
    *,
    numeric: dict[str, bool],
    _: Translate = english,
) -> go.Figure:
    """Parallel coordinates over metrics and parameters, coloured by ``primary``; a text parameter is an
    axis of categories (its values as tick labels; the missing and the rarest in ``_``'s language)."""
    dims = []
    for name in axes:
        if numeric.get(name, True):
            dims.append({"label": metric_info(name).display, "values": table[name]})
            continue
        values = table[name].fillna(_(NOT_RECORDED)).astype(str)
        common = values.value_counts().index[:MAX_CATEGORIES]
        values = values.where(values.isin(common), _(OTHER))
        categories = sorted(values.unique())
        codes = values.map({c: i for i, c in enumerate(categories)})
        ticks = [c if len(c) <= MAX_TICK else c[: MAX_TICK - 1] + "…" for c in categories]
        dims.append(
            {"label": name, "values": codes, "tickvals": list(range(len(categories))), "ticktext": ticks}
        )
    return parcoords(table, dims, primary=primary, what=_("Metrics and parameters"), left=90, _=_)
