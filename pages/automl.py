"""AutoML explorer: pick a source of child-run metrics; see them ranked, compared, plotted, exported; what
each run was, the best model read safely, and two AutoML runs side by side.

Top to bottom: the source (its widgets in ``ui.automl.sources``; a student gets the sample, an upload and
the cached pulls), the primary and chosen metrics, the summary cards, the parameter columns and the
colour-by parameter (``ui.automl.params_tab``), then the open tab, drawn by its function in
``ui.automl.tabs.TABS``. While a live watch follows the parent run (``ui.automl.watch``), everything below the
source is a fragment redrawn on a timer from the watch's latest data, keeping every choice.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import automl
from core.automl.catalogue import metric_info
from ui import ensure_app_navigation, url
from ui.automl import watch as automl_watch
from ui.automl.params_tab import controls, with_params
from ui.automl.sources import SOURCES, load_source, offered
from ui.automl.tabs import TABS, keep_choices, tab_names
from ui.automl.view import View
from ui.runtime.access import is_operator, settings
from ui.widgets import held_index

ensure_app_navigation()


def read_url(sources: list[str]) -> str | None:
    """The view in a link (``?source=sample&metric=log_loss&metrics=a,b&params=p,q&by=p&second=sample``),
    once: its source is returned (to give the Source radio as its default), the rest kept for the widgets
    drawn later."""
    link = url.read_once("automl")
    if link.get("metric"):
        st.session_state.automl_url_metric = link["metric"]
    if link.get("metrics"):
        st.session_state.automl_url_metrics = [m for m in link["metrics"].split(",") if m][:50]
    if link.get("params"):
        st.session_state.automl_url_params = [p for p in link["params"].split(",") if p][:50]
    if link.get("by"):
        st.session_state.automl_url_by = link["by"]
    if link.get("second"):
        st.session_state.automl_second = link["second"]  # checked against the choices in its tab
    return link.get("source") if link.get("source") in sources else None


def write_url(source: str, *, metric: str, chosen: list[str], params: list[str] = (), by: str = "") -> None:
    """The view into the URL; the parameters' keys and AutoML run B only when set (an upload has no link)."""
    second = st.session_state.get("automl_second", "")
    extra = {
        "params": ",".join(params),
        "by": by if by != "algorithm" else "",
        "second": second if second != "upload" else "",
    }
    url.write(
        {
            "source": source,
            "metric": metric,
            "metrics": ",".join(chosen),
            **{k: v for k, v in extra.items() if v},
        }
    )
    for key in [k for k, v in extra.items() if not v and k in st.query_params]:
        del st.query_params[key]


# --- the page --------------------------------------------------------------------------------------------

st.title("📊 AutoML explorer")
st.markdown(
    "Every child run of an AutoML job, not only the best model: which algorithms came close, which metrics "
    "disagree, and whether the search was still improving when it stopped. Offline from the bundled sample "
    "or a cached file; live from MLflow or an Azure ML workspace."
)
operator, config = is_operator(), settings()
sources = offered(operator=operator, automl_dir=config.automl_dir)
linked = read_url(sources)  # a source no longer offered (MLflow for a student, say) starts over
shown_source = held_index("automl_source", sources, linked or sources[0])
source = st.radio(
    "Source", sources, shown_source, format_func=SOURCES.get, horizontal=True, key="automl_source"
)
data = load_source(source, operator=operator, config=config)
watch = automl_watch.for_source(source, st.session_state.get("automl_cached") if source == "cached" else None)
if data is None and watch is None:
    write_url(source, metric="", chosen=[])
    st.stop()


def explore(data: automl.AutoMLData) -> None:
    """Everything drawn from the data: the metrics chosen, the cards, the open tab."""
    # The primary metric and the chosen metrics: valid for this data, from the URL the first time.
    metrics = data.metrics
    wanted = st.session_state.pop("automl_url_metric", None)
    if wanted in metrics:
        st.session_state.pop("automl_primary", None)
    elif wanted:
        st.warning(f"The link's metric {wanted!r} is in no run here; using the default.")
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
        "Primary metric",
        metrics,
        shown_primary,
        format_func=lambda m: f"{m} ({'↓' if metric_info(m).lower_is_better else '↑'})",
        key="automl_primary",
        help="ranks the runs; ↑ higher is better, ↓ lower is better",
    )
    chosen = middle.multiselect("Metrics in the table and charts", metrics, key="automl_metrics")
    only_differing = right.toggle("Only metrics that differ", key="automl_differ")
    param_columns, by = controls(data)
    write_url(source, metric=primary, chosen=chosen, params=param_columns, by=by)

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

    requested = [primary, *[m for m in chosen if m != primary]]  # the primary metric is always shown
    table = automl.wide(data, requested, only_differing=only_differing)
    shown = [c for c in table.columns if c not in ("run_id", "iteration", "algorithm")] or [primary]
    if only_differing and len(shown) < len(requested):
        st.caption(f"Hidden (the same in every run): {', '.join(m for m in requested if m not in shown)}")
    table = with_params(table, data, param_columns)

    keep_choices()  # the closed tabs' widgets are not drawn: keep what was chosen in them
    names = tab_names(data)
    tab_boxes = url.tabs(names, key="automl_view")  # the open tab is in the URL
    open_tab = next((name for name, box in zip(names, tab_boxes, strict=True) if box.open), names[0])
    with tab_boxes[names.index(open_tab)]:  # only the open tab is computed and sent to the browser
        TABS[open_tab](
            View(
                data=data,
                primary=primary,
                summary=summary,
                table=table,
                shown=shown,
                source=source,
                params=param_columns,
                by=by,
            )
        )


if watch is None:
    explore(data)
else:
    redraw = automl_watch.controls(watch, operator=operator)

    @st.fragment(run_every=redraw)
    def live_view() -> None:
        """The watch's status and latest data, redrawn every ``redraw`` seconds while the parent runs."""
        automl_watch.status(watch.snapshot(), redraw)
        if redraw is not None and not watch.alive():
            st.rerun()  # the parent ended: one full run draws the page without the timer
        shown = automl_watch.data_of(watch, operator=operator) or data
        if shown is None:
            st.info("No child run has logged a metric yet; this page fills in as they do.")
            return
        explore(shown)

    live_view()
