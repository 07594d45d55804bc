"""AutoML explorer: pick a source of child-run metrics; see them ranked, compared, plotted, exported; what
each run was, the best model read safely, and two AutoML runs side by side.

Top to bottom: the source (its widgets in ``ui.automl.sources``; a student gets the sample, an upload and
the cached pulls), the primary and chosen metrics (``ui.automl.metrics``), the parameter columns and the
colour-by parameter (``ui.automl.params_tab``), the summary cards (``ui.automl.summary``), then the open
tab, drawn by its function in ``ui.automl.tabs.TABS``; the view is in the URL (``ui.automl.link``). While
a live watch follows the job (``ui.automl.watch``), everything below the source is a fragment redrawn on a
timer from the watch's latest data, keeping every choice.
"""

from __future__ import annotations

import streamlit as st

from core import automl
from ui import ensure_app_navigation
from ui.automl import watch as automl_watch
from ui.automl.link import read_url, write_url
from ui.automl.metrics import metric_controls, runs_table
from ui.automl.params_tab import controls
from ui.automl.sources import SOURCES, load_source, offered
from ui.automl.summary import summary_cards
from ui.automl.tabs import open_tab, runs_filter
from ui.automl.view import View
from ui.i18n import translator
from ui.runtime.access import is_operator, settings
from ui.widgets import held_index

ensure_app_navigation()
_ = translator()

st.title("📊 " + _("AutoML explorer"))
st.markdown(
    _(
        "Every child run of an AutoML job, not only the best model: which algorithms came close, which "
        "metrics disagree, and whether the search was still improving when it stopped. Offline from the "
        "bundled sample or a cached file; live from MLflow or an Azure ML workspace."
    )
)
operator, config = is_operator(), settings()
sources = offered(operator=operator, automl_dir=config.automl_dir)
linked = read_url(sources)  # a source no longer offered (MLflow for a student, say) starts over
shown_source = held_index("automl_source", sources, linked or sources[0])
source = st.radio(
    _("Source"),
    sources,
    shown_source,
    format_func=lambda s: _(SOURCES[s]),
    horizontal=True,
    key="automl_source",
)
data = load_source(source, operator=operator, config=config, _=_)
watch = automl_watch.for_source(source, st.session_state.get("automl_cached") if source == "cached" else None)
if data is None and watch is None:
    write_url(source, metric="", chosen=[])
    st.stop()


def explore(data: automl.AutoMLData, query: str | None = None) -> None:
    """Everything drawn from the data: the metrics chosen, the cards, the open tab (``query``: the table's
    filter, where the page drew its box)."""
    choice = metric_controls(data, _=_)
    param_columns, by = controls(data)
    write_url(source, choice.primary, choice.chosen, params=param_columns, by=by)
    summary = summary_cards(data, choice.primary, _=_)
    table, shown = runs_table(data, choice, param_columns, _=_)
    open_tab(
        View(
            data=data,
            primary=choice.primary,
            summary=summary,
            table=table,
            shown=shown,
            source=source,
            params=param_columns,
            by=by,
            query=query,
        )
    )


if watch is None:
    explore(data)
else:
    redraw = automl_watch.controls(watch, operator=operator, _=_)
    query = runs_filter()  # outside the redrawn fragment: a redraw never touches what is being typed

    @st.fragment(run_every=redraw)
    def live_view() -> None:
        """The watch's status and latest data, redrawn every ``redraw`` seconds while the parent runs."""
        automl_watch.status(watch.snapshot(), redraw, _=_)
        if redraw is not None and not watch.alive():
            st.rerun()  # the parent ended: one full run draws the page without the timer
        shown = automl_watch.data_of(watch, operator=operator) or data
        if shown is None:
            st.info(_("No child run has logged a metric yet; this page fills in as they do."))
            return
        explore(shown, query)

    live_view()
