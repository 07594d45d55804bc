"""Run parameters in the AutoML explorer: the controls (which parameter columns, colour and group by), and
the Parameters tab (the primary metric by a parameter, faceted; parallel coordinates with parameter axes;
what the top runs share)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from babel.numbers import format_percent

from core import automl
from core.automl import params as run_params
from core.automl.analysis.top_runs import shared_by_top
from core.runtime.i18n import N_, Translate
from ui.automl import param_charts as charts
from ui.automl.view import GROUP_DEFAULT, MAX_ROWS, View
from ui.i18n import translator
from ui.safe_text import bounded, plain
from ui.widgets import held_index

MAX_AXES = 8  # axes of the parallel coordinates
MAX_FACETS = 9  # panels: a facet parameter with more values is refused
MAX_SHARED_ROWS = 50
KINDS = (N_("algorithm"), N_("preprocessor"), N_("hyperparameter"), N_("setting"))  # a parameter's kind


def controls(data: automl.AutoMLData) -> tuple[list[str], str]:
    """Which parameters join the table, and which one colours and groups the charts (``algorithm`` by
    default); nothing is drawn for a source without parameters."""
    names = data.param_names
    wanted = st.session_state.pop("automl_url_params", None)
    if wanted is not None:
        st.session_state.automl_param_cols = [n for n in wanted if n in names]
    if not names:
        return [], GROUP_DEFAULT
    linked_by = st.session_state.pop("automl_url_by", None)
    if linked_by is not None:
        st.session_state.pop("automl_by", None)
    st.session_state.automl_param_cols = [
        n for n in st.session_state.get("automl_param_cols", []) if n in names
    ]
    options = [GROUP_DEFAULT, *[n for n in names if n != GROUP_DEFAULT]]
    shown_by = held_index("automl_by", options, linked_by if linked_by in options else GROUP_DEFAULT)
    left, right = st.columns([6.8, 2.2], vertical_alignment="bottom")
    kinds = run_params.kinds(data)
    _ = translator()
    chosen = left.multiselect(
        _("Parameter columns in the table"),
        [n for n in names if n != GROUP_DEFAULT],
        format_func=lambda n: f"{bounded(n)} · {kind(kinds.get(n, ''), _)}",
        key="automl_param_cols",
        help=_("each child run's algorithm, preprocessor, hyperparameters and settings, as recorded"),
    )
    by = right.selectbox(_("Colour and group by"), options, shown_by, format_func=bounded, key="automl_by")
    return chosen, by


def kind(name: str, _: Translate) -> str:
    """A parameter's kind (algorithm, preprocessor, hyperparameter, setting) in ``_``'s language."""
    return _(name) if name in KINDS else name


def with_params(table: pd.DataFrame, data: automl.AutoMLData, names: list[str]) -> pd.DataFrame:
    """``table`` (one row per run) with the parameter columns ``names`` joined on ``run_id``."""
    names = [n for n in names if n not in table.columns]
    if not names:
        return table
    return table.merge(run_params.wide(data, names), on="run_id", how="left")


def group_column(v: View, table: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """``table`` with the colour-by parameter joined (the algorithm when none is chosen), and its name."""
    if v.by == GROUP_DEFAULT or v.by not in v.data.param_names:
        return table, GROUP_DEFAULT
    joined = with_params(table, v.data, [v.by])
    missing = translator()(charts.NOT_RECORDED)
    joined[v.by] = joined[v.by].map(lambda x: missing if x is None or x != x else str(x))
    return joined, v.by


def params_tab(v: View) -> None:
    """The primary metric by a parameter (faceted by another), parallel coordinates with parameter axes,
    and what the top runs share."""
    _ = translator()
    data, names = v.data, v.data.param_names
    numeric = {n: run_params.is_numeric(data.params.loc[data.params["name"] == n, "value"]) for n in names}
    runs = automl.wide(data, [v.primary], _=_).dropna(subset=[v.primary]).head(MAX_ROWS)
    by = v.by if v.by in names else GROUP_DEFAULT
    facet = st.selectbox(
        _("One panel per value of"),
        [None, *[n for n in names if n != by and not numeric[n]]],
        format_func=lambda n: _("(no panels)") if n is None else bounded(n),
        key="automl_facet",
    )
    table = with_params(runs, data, [n for n in (by, facet) if n and n != GROUP_DEFAULT])
    if facet and table[facet].nunique(dropna=False) > MAX_FACETS:
        st.info(
            _(
                "{facet} has more than {n} values: too many panels; pick another.",
                facet=plain(facet),
                n=_.number(MAX_FACETS),
            )
        )
        facet = None
    figure = charts.by_parameter(table, v.primary, by, facet=facet, numeric=numeric.get(by, False), _=_)
    st.plotly_chart(figure, key="automl_chart_by_param")

    default = [n for n in names if n != GROUP_DEFAULT][:4]
    if "automl_par_params" not in st.session_state:
        st.session_state.automl_par_params = default
    chosen = st.multiselect(
        _("Parameter axes (text parameters become axes of categories)"),
        names,
        format_func=bounded,
        key="automl_par_params",
    )
    metric_axes = list(dict.fromkeys([v.primary, *v.shown]))[: max(2, MAX_AXES - len(chosen))]
    axes = (metric_axes + chosen)[:MAX_AXES]
    metric_runs = automl.wide(data, metric_axes, _=_).dropna(subset=metric_axes).head(MAX_ROWS)
    full = with_params(metric_runs, data, chosen)
    parallel = charts.parallel(full, axes, v.primary, numeric=numeric, _=_)
    st.plotly_chart(parallel, key="automl_chart_par_params")
    st.caption(
        _(
            "Axes: the chosen metrics, then the parameters (at most {n}). Drag along an axis to filter.",
            n=_.number(MAX_AXES),
        )
    )
    top_runs(v, runs=len(runs), _=_)


def top_runs(v: View, *, runs: int, _: Translate) -> None:
    """What the best runs by the primary metric share, out of ``runs`` runs that have it."""
    st.subheader(_("What the top runs share"))
    if runs < 3:
        st.info(_("Too few runs with the primary metric to compare the top ones with the rest."))
        return
    k = st.slider(_("Top runs"), 1, runs - 1, min(5, runs - 1), key="automl_topk")
    shared = shared_by_top(v.data, v.primary, k, _=_)
    st.caption(
        _(
            "Parameter values more common among the best {k} runs by {metric} than among the other {rest}; "
            "numbers with many values in three ranges. Lift: share in the top ÷ share in the rest (∞: no "
            "other run has it).",
            k=_.number(k),
            metric=plain(v.primary),
            rest=_.number(runs - k),
        )
    )
    if shared.empty:
        st.info(_("No parameter value is more common among the top runs than among the rest."))
        return
    shown = shared.head(MAX_SHARED_ROWS)
    shown = shown.assign(kind=[kind(name, _) for name in shown["kind"]])
    shown = shown.rename(columns={c: _(c) for c in shown.columns})
    st.dataframe(
        shown.style.format(
            {
                _("top_share"): lambda x: format_percent(x, locale=_.lang),
                _("rest_share"): lambda x: format_percent(x, locale=_.lang),
                _("lift"): lambda x: "∞" if x == float("inf") else _.number(x, decimals=2),
            }
        ),
        hide_index=True,
        width="stretch",
    )
