"""The AutoML explorer's tabs: one function per tab, each drawing one view of the data it is given.

``TABS`` maps a tab's name to its function of a ``ui.automl.view.View``; the page draws only the open tab.
Numbers come from ``core.automl``, figures from ``ui.automl.charts``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import streamlit as st

from core import automl
from core.automl import params as run_params
from core.automl.analysis import artifacts as arts
from core.automl.sources import cache
from core.runtime.i18n import FALLBACK, N_
from ui import url
from ui.automl import charts
from ui.automl.compare_tab import comparison_tab
from ui.automl.model_tab import model_tab
from ui.automl.params_tab import group_column, params_tab
from ui.automl.view import MAX_ROWS, View
from ui.i18n import readable, translator
from ui.safe_text import MESSAGE_LIMIT, bounded, plain

MAX_PARCOORDS = 8
KEPT = (  # the tabs' widgets
    "automl_filter",
    "automl_baseline",
    "automl_x",
    "automl_y",
    "automl_artifact_run",
    "automl_facet",
    "automl_par_params",
    "automl_topk",
    "automl_second",
)


def runs_filter() -> str:
    """The box that filters the table's runs by run id or algorithm."""
    _ = translator()
    return st.text_input(_("Filter runs (run id or algorithm contains)"), key="automl_filter")


def table_tab(v: View) -> None:
    """The runs as a table, filtered, the best highlighted; deltas to a pinned baseline run."""
    _ = translator()
    query = runs_filter() if v.query is None else v.query
    rows = v.table
    if query:
        found = [rows[c].str.contains(query, case=False, regex=False) for c in ("run_id", "algorithm")]
        rows = rows[found[0] | found[1]]
    st.caption(
        _(
            "{n} of {total} runs, iteration order; click a column header to sort. Best run by {metric} "
            "highlighted.",
            n=_.number(len(rows)),
            total=_.number(len(v.table)),
            metric=plain(v.primary),
        )
        + (_(" First {n} shown.", n=_.number(MAX_ROWS)) if len(rows) > MAX_ROWS else "")
    )
    # One format for every column (a second .format would reset the metrics' 4 decimals): metrics to 4
    # decimals, float parameters as written (6, not 6.000000), blanks where a run has no value.
    numbers = {m: "{:.4f}" for m in v.shown} | {
        c: "{:g}" for c in v.params if c in rows and rows[c].dtype.kind == "f"
    }
    styled = charts.highlight(charts.for_reader(rows.head(MAX_ROWS), _), v.summary.best_run, v.shown, _=_)
    st.dataframe(
        styled.format(numbers, na_rep="", decimal=charts.decimal_mark(_)), hide_index=True, width="stretch"
    )
    baseline = st.selectbox(
        _("Pin a baseline run (deltas: positive = better than the baseline)"),
        [None, *v.data.run_ids],
        format_func=lambda r: _("(none)") if r is None else bounded(r),
        key="automl_baseline",
    )
    if baseline:
        deltas = charts.for_reader(automl.baseline_deltas(v.data, baseline, v.shown).head(MAX_ROWS), _)
        st.dataframe(charts.deltas_styled(deltas, v.shown, _=_), hide_index=True, width="stretch")


def ranking_tab(v: View) -> None:
    """The runs ranked by the primary metric, best first."""
    ranked = automl.ranking(v.data, v.primary)
    st.plotly_chart(charts.ranking_bars(ranked, v.primary, _=translator()), key="automl_chart_ranking")


def compare_tab(v: View) -> None:
    """Two metrics against each other, then parallel coordinates over the chosen ones."""
    _ = translator()
    metrics, pair = v.data.metrics, st.columns(2)
    if st.session_state.get("automl_x") not in metrics:
        st.session_state.automl_x = v.primary
    x = pair[0].selectbox("x", metrics, format_func=bounded, key="automl_x")
    y = pair[1].selectbox("y", [m for m in metrics if m != x] or metrics, format_func=bounded, key="automl_y")
    both = automl.wide(v.data, list(dict.fromkeys([x, y, v.primary])), _=translator()).dropna(subset=[x, y])
    both = both.head(MAX_ROWS)
    both, by = group_column(v, both)
    figure = charts.scatter(both, x, y, best=v.summary.best_run, by=by, _=_)
    st.plotly_chart(figure, key="automl_chart_scatter")
    axes = list(dict.fromkeys([v.primary, *v.shown]))[:MAX_PARCOORDS]
    if len(axes) >= 2:
        full = automl.wide(v.data, axes).dropna(subset=axes).head(MAX_ROWS)
        st.plotly_chart(charts.parallel(full, axes, v.primary, _=_), key="automl_chart_parcoords")
        st.caption(
            _(
                "Drag along an axis to filter runs. Axes: the chosen metrics (at most {n}).",
                n=_.number(MAX_PARCOORDS),
            )
        )


def correlation_tab(v: View) -> None:
    """How the chosen metrics agree across runs."""
    _ = translator()
    corr = automl.correlation(v.data, v.shown if len(v.shown) >= 2 else None)
    if len(corr) >= 2:
        st.plotly_chart(charts.heatmap(corr, _=_), key="automl_chart_corr")
    else:
        st.info(_("Correlation needs at least two metrics that vary across runs."))


def progress_tab(v: View) -> None:
    """The best value so far by iteration, and when the search last improved."""
    _ = translator()
    curve = automl.best_so_far(v.data, v.primary)
    last, after = automl.last_improvement(curve)
    st.plotly_chart(charts.progress(curve, v.primary, _=_), key="automl_chart_progress")
    if after:
        st.markdown(
            _(
                "Last improvement at iteration **{last}**; **{after}** runs after it brought nothing better.",
                last=last,
                after=_.number(after),
            )
        )
    else:
        st.markdown(
            _(
                "The best run came at the last iteration (**{last}**): the search was still improving.",
                last=last,
            )
        )


def algorithms_tab(v: View) -> None:
    """The primary metric per algorithm: boxes, then best, median and worst."""
    _ = translator()
    by_algorithm = automl.per_algorithm(v.data, v.primary)
    if v.data.runs["algorithm"].isna().all():
        st.info(
            _("This source records no algorithm names (a cached metrics_data file has none; live pulls do).")
        )
    runs = automl.wide(v.data, [v.primary]).dropna(subset=[v.primary]).head(MAX_ROWS)
    order = list(by_algorithm["algorithm"])
    st.plotly_chart(charts.boxes(runs, v.primary, order, _=_), key="automl_chart_box")
    shown = (
        by_algorithm if _.lang == FALLBACK else readable(charts.for_reader(by_algorithm, _), _, decimals=4)
    )
    st.dataframe(shown, hide_index=True, width="stretch")


def artifacts_tab(v: View) -> None:
    """A run's confusion matrix and ROC curves, from the artifacts the source kept."""
    _ = translator()
    pick = st.selectbox(
        _("Run with artifacts"),
        [r for r in v.data.run_ids if r in v.data.artifacts],
        format_func=bounded,
        key="automl_artifact_run",
    )
    found, cols = v.data.artifacts.get(pick, {}), st.columns(2)
    try:
        if "confusion_matrix" in found:
            figure = charts.confusion(arts.confusion_matrix(found["confusion_matrix"]), _=_)
            cols[0].plotly_chart(figure, key="automl_cm")
        if "accuracy_table" in found:
            curves = arts.roc_curves(found["accuracy_table"])
            cols[1].plotly_chart(charts.roc(curves, arts.roc_auc(curves), _=_), key="automl_roc")
    except automl.AutoMLError as exc:
        st.error(plain(str(exc), MESSAGE_LIMIT))


def export_tab(v: View) -> None:
    """Downloads: the table as CSV, the tidy data as JSON, a re-openable metrics file (their keys and
    numbers as the code writes them, whatever the language; only the labels are translated)."""
    _ = translator()
    stem = "automl-" + v.summary.best_run.rsplit("_", 1)[0][-12:]
    st.download_button(
        _("Table as CSV (one row per run)"),
        automl.wide(v.data, v.shown).to_csv(index=False),
        file_name=f"{stem}-table.csv",
        mime="text/csv",
        on_click="ignore",
        key="automl_dl_csv",
    )
    st.download_button(
        _("Tidy data as JSON (run_id, iteration, metric, value)"),
        v.data.tidy.to_json(orient="records"),
        file_name=f"{stem}-tidy.json",
        mime="application/json",
        on_click="ignore",
        key="automl_dl_tidy",
    )
    st.download_button(
        _("Re-openable metrics file (the cached format, with metadata)"),
        json.dumps(cache.to_document(v.data)),
        file_name=f"{stem}-metrics.json",
        mime="application/json",
        on_click="ignore",
        key="automl_dl_doc",
    )
    if not v.data.params.empty:
        st.download_button(
            _("Run parameters as CSV (run_id, iteration, kind, name, value)"),
            run_params.listing(v.data).to_csv(index=False),
            file_name=f"{stem}-params.csv",
            mime="text/csv",
            on_click="ignore",
            key="automl_dl_params",
        )
    st.caption(
        _(
            "The same from a terminal: `python -m core.automl table PATH --csv`, `python -m core.automl "
            "params PATH --csv`."
        )
    )


ARTIFACTS_TAB = N_("Confusion matrix & ROC")  # offered only where the data has artifacts
PARAMS_TAB = N_("Parameters")  # offered only where the data has run parameters
TABS: dict[str, Callable[[View], None]] = {
    N_("Table"): table_tab,
    N_("Ranking"): ranking_tab,
    N_("Compare"): compare_tab,
    N_("Correlation"): correlation_tab,
    N_("Search progress"): progress_tab,
    N_("Algorithms"): algorithms_tab,
    PARAMS_TAB: params_tab,
    ARTIFACTS_TAB: artifacts_tab,
    N_("Best model"): model_tab,
    N_("Two jobs"): comparison_tab,
    N_("Export"): export_tab,
}


def tab_names(data: automl.AutoMLData) -> list[str]:
    """The tabs ``data`` has something for, in order (the artifacts' tab only where there are artifacts, the
    parameters' only where there are parameters)."""
    return [
        name
        for name in TABS
        if (name != ARTIFACTS_TAB or data.artifacts) and (name != PARAMS_TAB or not data.params.empty)
    ]


def keep_choices(*, drawn: tuple[str, ...] = ()) -> None:
    """Keep the choices made in closed tabs: a widget not drawn in a run would lose its value (``drawn``:
    the tabs' widgets the page has already drawn in this run, which keep theirs)."""
    for key in KEPT:
        if key in st.session_state and key not in drawn:
            st.session_state[key] = st.session_state[key]


def open_tab(v: View) -> None:
    """The tabs ``v.data`` has something for, their open one in the URL (``?automl_view=``): only it is
    computed and sent to the browser; the closed tabs' choices are kept."""
    keep_choices(drawn=() if v.query is None else ("automl_filter",))  # keep the closed tabs' choices
    names = tab_names(v.data)
    tab_boxes = url.tabs(names, key="automl_view", _=translator())  # shown translated, kept in English
    shown = next((name for name, box in zip(names, tab_boxes, strict=True) if box.open), names[0])
    with tab_boxes[names.index(shown)]:
        TABS[shown](v)
