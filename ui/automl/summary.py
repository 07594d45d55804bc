"""The AutoML explorer's summary of a job by its primary metric: the cards, the source line, and what the
page could not use (an unknown metric, values that are not scalar numbers)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import automl
from core.automl.catalogue import metric_info


def summary_cards(data: automl.AutoMLData, primary: str) -> automl.Summary:
    """Runs, metrics, task, the primary metric, the best run and its value; the source line under them;
    returns the summary they show."""
    summary = automl.summarize(data, primary)
    info = metric_info(primary)
    better = "lower" if info.lower_is_better else "higher"
    cards = [*st.columns(3), *st.columns([2, 1, 1])]
    cards[0].metric("Runs", summary.runs, border=True)
    cards[1].metric("Metrics", summary.metrics, border=True)
    cards[2].metric("Task", summary.task, border=True, help="inferred from the metric names")
    cards[3].metric(
        "Primary metric",
        primary if len(primary) <= 20 else info.display,
        border=True,
        help=f"{primary} ({info.display}): {better} is better",
    )
    best_iteration = summary.best_iteration
    best_label = f"#{best_iteration}" if best_iteration is not None else summary.best_run[-12:]
    cards[4].metric("Best run", best_label, border=True, help=summary.best_run)
    cards[5].metric("Best value", f"{summary.best_value:.4f}", border=True, help=f"{better} is better")
    named = data.parent.get("best_child_run_id")
    st.caption(
        f"Source: {data.source} · task **{summary.task}** · best run `{summary.best_run}` "
        f"({'lowest' if info.lower_is_better else 'highest'} {primary})"
        + (f" · best child named by the source: `{named}`" if named else "")
    )
    if not info.known:
        st.warning(
            f"{primary!r} is not in the metric catalogue: assumed {info.direction}imised from its name."
        )
    if data.skipped_total:
        with st.expander(f"{data.skipped_total} value(s) skipped (not scalar numbers)"):
            skipped = pd.DataFrame([s.__dict__ for s in data.skipped])
            st.dataframe(skipped, hide_index=True, width="stretch", height=240)
    return summary
