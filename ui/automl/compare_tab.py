"""The "Two jobs" tab: the source on the page (AutoML run A) against a second one (run B: the sample, a
cached pull, an upload, or for the operator a file in the AutoML directory): per algorithm, leaderboards,
the primary metric's values in both, and what changed. The second run is in the URL (``?second=``) where it
can be."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from core import automl
from core.automl.analysis.compare import compare
from core.automl.sources import cache
from ui.automl import compare_charts as charts
from ui.automl.sources import sample
from ui.automl.view import MAX_ROWS, View
from ui.runtime.access import is_operator, settings
from ui.safe_text import MESSAGE_LIMIT, bounded, plain

UPLOAD = "upload"
CACHED = "cached:"
PATH = "path:"


def choices() -> list[str]:
    """The second AutoML runs this visitor may pick: the sample, each cached pull, an upload; the operator
    also the files of the AutoML directory."""
    found = ["sample", *[CACHED + p.name for p in cache.list_cached()[:200]], UPLOAD]
    folder = settings().automl_dir
    if is_operator() and folder and Path(folder).is_dir():
        found += [PATH + p.name for p in sorted(Path(folder).iterdir())[:200] if p.is_file()]
    return found


def label(choice: str) -> str:
    if choice == "sample":
        return "Bundled sample"
    if choice == UPLOAD:
        return "Upload a file"
    kind, _, name = choice.partition(":")
    return f"{'Cached pull' if kind == 'cached' else 'AutoML directory'}: {bounded(name)}"


def second_run(choice: str) -> automl.AutoMLData | None:
    """AutoML run B, parsed once per file and kept in the session (None until an upload arrives)."""
    if choice == "sample":
        return sample()
    if choice == UPLOAD:
        up = st.file_uploader("Job B: a metrics file", key="automl_second_upload")
        if up is None:
            return None
        return _once(("upload", up.file_id), lambda: automl.UploadSource(up.name, up.getvalue()).load())
    kind, _, name = choice.partition(":")
    if kind == "cached":
        path = cache.cache_dir() / name
        operator = is_operator()
        read = partial(cache.load_pull, path, operator=operator)
        return _once(("cached", str(path), _stamp(path), operator), read)
    path = automl.confined_path(settings().automl_dir or "", name)
    return _once(("path", str(path), _stamp(path)), lambda: automl.FileSource(path).load())


def _stamp(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        raise automl.AutoMLError(f"{path.name}: no longer there; pick another") from None


def _once(signature: tuple, parse) -> automl.AutoMLData:
    held = st.session_state.get("automl_second_loaded")
    if held is None or held[0] != signature:
        held = (signature, parse())
        st.session_state.automl_second_loaded = held
    return held[1]


def comparison_tab(v: View) -> None:
    """AutoML run A (the page's source) against run B by the primary metric."""
    options = choices()
    if st.session_state.get("automl_second") not in options:
        st.session_state.automl_second = "sample"
    choice = st.selectbox(
        "Job B (job A is the source above)", options, format_func=label, key="automl_second"
    )
    try:
        other = second_run(choice)
        if other is None:
            st.info("Upload job B's metrics file to compare.")
            return
        result = compare(v.data, other, v.primary)
    except automl.AutoMLError as exc:
        st.error(plain(str(exc), MESSAGE_LIMIT), icon="⚠️")
        return
    better = "lower" if result.direction == "min" else "higher"
    cards = st.columns(3)
    for box, row, name in zip(cards, result.best.itertuples(index=False), result.labels, strict=False):
        box.metric(
            f"Job {row.job}: best {plain(result.metric)}",
            f"{row.value:.4f}",
            border=True,
            help=f"{plain(name)}: {plain(row.run_id)}",
        )
    cards[2].metric(
        "B − A",
        f"{result.difference:+.4f}",
        border=True,
        help=f"positive: job B did better ({better} is better)",
    )
    st.caption(
        f"A: {plain(result.labels[0])} · B: {plain(result.labels[1])}. The same from a terminal: "
        "`python -m core.automl compare A B`."
    )
    st.plotly_chart(
        charts.per_algorithm_bars(result.per_algorithm, result.metric, result.labels),
        key="automl_chart_jobs_alg",
    )
    st.dataframe(_signed(result.per_algorithm), hide_index=True, width="stretch")
    best = dict(zip(result.best["job"], result.best["value"], strict=True))
    values = pd.concat(  # a bounded, unbiased sample of each side's runs (the values come best first)
        [g.sample(min(len(g), MAX_ROWS), random_state=0) for _, g in result.values.groupby("job")]
    )
    st.plotly_chart(charts.distributions(values, result.metric, best), key="automl_chart_jobs_dist")
    st.subheader("Leaderboards, rank by rank")
    board = result.leaderboard.style.format({"value_a": "{:.4f}", "value_b": "{:.4f}"}, na_rep="—")
    st.dataframe(board, hide_index=True, width="stretch", height=320)
    st.subheader("What changed")
    changes = result.changes.sort_values("changed", ascending=False, kind="stable")
    changes = changes.assign(changed=changes["changed"].map({True: "yes", False: ""}))
    st.dataframe(changes.astype(str).replace("None", "—"), hide_index=True, width="stretch")


def _signed(table: pd.DataFrame):
    return table.style.format(
        {"best_a": "{:.4f}", "best_b": "{:.4f}", "difference": "{:+.4f}"}, na_rep="—"
    ).map(
        lambda x: "" if x != x or x == 0 else ("color: #1a7f37" if x > 0 else "color: #c62828"),
        subset=["difference"],
    )
