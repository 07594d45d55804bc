"""The AutoML explorer's metric choices (the primary metric, the metrics shown, only those that differ) and
the table of runs they make, with the parameter columns chosen."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd
import streamlit as st

from core import automl
from core.automl.catalogue import metric_info
from core.runtime.i18n import Translate, english
from ui.automl.params_tab import with_params
from ui.safe_text import bounded, plain
from ui.widgets import held_index


class MetricChoice(NamedTuple):
    primary: str
    chosen: list[str]
    only_differing: bool


def metric_controls(data: automl.AutoMLData, *, _: Translate = english) -> MetricChoice:
    """The primary metric, the chosen metrics and the only-differing toggle, side by side: valid for this
    data, from the URL the first time."""
    metrics = data.metrics
    wanted = st.session_state.pop("automl_url_metric", None)
    if wanted in metrics:
        st.session_state.pop("automl_primary", None)
    elif wanted:
        st.warning(
            _("The link's metric {metric} is in no run here; using the default.", metric=plain(repr(wanted)))
        )
    shown_primary = held_index(
        "automl_primary", metrics, wanted if wanted in metrics else data.primary_metric()
    )
    url_metrics = st.session_state.pop("automl_url_metrics", None)
    if url_metrics is not None:
        st.session_state.automl_metrics = [m for m in url_metrics if m in metrics]
    chosen_now = [m for m in st.session_state.get("automl_metrics", []) if m in metrics]
    if not chosen_now:
        primary_now = metrics[shown_primary]
        chosen_now = [primary_now, *[m for m in metrics if m != primary_now][:5]]
    st.session_state.automl_metrics = chosen_now

    left, middle, right = st.columns([2.2, 4.6, 2.2], vertical_alignment="bottom")
    primary = left.selectbox(
        _("Primary metric"),
        metrics,
        shown_primary,
        format_func=lambda m: f"{bounded(m)} ({'↓' if metric_info(m).lower_is_better else '↑'})",
        key="automl_primary",
        help=_("ranks the runs; ↑ higher is better, ↓ lower is better"),
    )
    chosen = middle.multiselect(
        _("Metrics in the table and charts"), metrics, format_func=bounded, key="automl_metrics"
    )
    only_differing = right.toggle(_("Only metrics that differ"), key="automl_differ")
    return MetricChoice(primary, chosen, only_differing)


def runs_table(
    data: automl.AutoMLData, choice: MetricChoice, params: list[str], *, _: Translate = english
) -> tuple[pd.DataFrame, list[str]]:
    """One row a run: the primary metric (always shown) and the chosen ones, then the parameter columns;
    and the metrics it shows (a caption names those hidden as the same in every run)."""
    requested = [choice.primary, *[m for m in choice.chosen if m != choice.primary]]
    table = automl.wide(data, requested, only_differing=choice.only_differing, _=_)
    shown = [c for c in table.columns if c not in ("run_id", "iteration", "algorithm")] or [choice.primary]
    if choice.only_differing and len(shown) < len(requested):
        hidden = ", ".join(plain(m) for m in requested if m not in shown)
        st.caption(_("Hidden (the same in every run): {metrics}", metrics=hidden))
    return with_params(table, data, params), shown
