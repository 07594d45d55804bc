"""The AutoML explorer's summary of a job by its primary metric: the cards, the source line, and what the
page could not use (an unknown metric, values that are not scalar numbers)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import automl
from core.automl.catalogue import metric_info, task_name
from core.runtime.i18n import Translate, english
from core.runtime.message import in_language
from ui.safe_text import MESSAGE_LIMIT, code, plain


def summary_cards(data: automl.AutoMLData, primary: str, *, _: Translate = english) -> automl.Summary:
    """Runs, metrics, task, the primary metric, the best run and its value; the source line under them;
    returns the summary they show."""
    summary = automl.summarize(data, primary)
    info = metric_info(primary)
    better = _("lower is better") if info.lower_is_better else _("higher is better")
    cards = [*st.columns(3), *st.columns([2, 1, 1])]
    task = task_name(summary.task, _=_)
    # counts and the best value not grouped (1234, 1234.5000): as the cards wrote them before the languages
    cards[0].metric(_("Runs"), _.number(summary.runs, grouping=False), border=True)
    cards[1].metric(_("Metrics"), _.number(summary.metrics, grouping=False), border=True)
    cards[2].metric(_("Task"), task, border=True, help=_("inferred from the metric names"))
    cards[3].metric(
        _("Primary metric"),
        plain(primary if len(primary) <= 20 else info.display),
        border=True,
        help=f"{plain(primary)} ({plain(info.display)}): {better}",
    )
    best_iteration = summary.best_iteration
    best_label = f"#{best_iteration}" if best_iteration is not None else summary.best_run[-12:]
    cards[4].metric(_("Best run"), plain(best_label), border=True, help=plain(summary.best_run))
    cards[5].metric(
        _("Best value"), _.number(summary.best_value, decimals=4, grouping=False), border=True, help=better
    )
    named = data.parent.get("best_child_run_id")
    extreme = _("lowest") if info.lower_is_better else _("highest")
    st.caption(
        _(
            "Source: {source} · task **{task}** · best run {run} ({extreme} {metric})",
            source=plain(in_language(data.source, _), MESSAGE_LIMIT),  # an operator's: the whole URI
            task=task,
            run=code(summary.best_run),
            extreme=extreme,
            metric=plain(primary),
        )
        + (_(" · best child named by the source: {run}", run=code(named)) if named else "")
    )
    if not info.known:
        st.warning(
            _(
                "{metric} is not in the metric catalogue: assumed minimised from its name.",
                metric=plain(repr(primary)),
            )
            if info.direction == "min"
            else _(
                "{metric} is not in the metric catalogue: assumed maximised from its name.",
                metric=plain(repr(primary)),
            )
        )
    if data.skipped_total:
        with st.expander(_("{n} value(s) skipped (not scalar numbers)", n=_.number(data.skipped_total))):
            skipped = pd.DataFrame([{**s.__dict__, "reason": in_language(s.reason, _)} for s in data.skipped])
            st.dataframe(skipped, hide_index=True, width="stretch", height=240)
    return summary
