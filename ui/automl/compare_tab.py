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
from core.automl.analysis.compare import SETTINGS, compare
from core.automl.sources import cache
from core.runtime.i18n import Translate, english, signed
from ui.automl import compare_charts as charts
from ui.automl.sources import sample
from ui.automl.view import MAX_ROWS, View
from ui.i18n import readable, translator
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


def label(choice: str, *, _: Translate = english) -> str:
    """How a choice of run B reads in the picker, in ``_``'s language."""
    if choice == "sample":
        return _("Bundled sample")
    if choice == UPLOAD:
        return _("Upload a file")
    kind, _sep, name = choice.partition(":")
    if kind == "cached":
        return _("Cached pull: {name}", name=bounded(name))
    return _("AutoML directory: {name}", name=bounded(name))


def second_run(choice: str, *, _: Translate = english) -> automl.AutoMLData | None:
    """AutoML run B, parsed once per file and kept in the session (None until an upload arrives)."""
    if choice == "sample":
        return sample()
    if choice == UPLOAD:
        up = st.file_uploader(_("Job B: a metrics file"), key="automl_second_upload")
        if up is None:
            return None
        return _once(("upload", up.file_id), lambda: automl.UploadSource(up.name, up.getvalue()).load())
    kind, _sep, name = choice.partition(":")
    if kind == "cached":
        path = cache.cache_dir() / name
        operator = is_operator()
        read = partial(cache.load_pull, path, operator=operator)
        return _once(("cached", str(path), _stamp(path, _=_), operator), read)
    path = automl.confined_path(settings().automl_dir or "", name)
    return _once(("path", str(path), _stamp(path, _=_)), lambda: automl.FileSource(path).load())


def _stamp(path: Path, *, _: Translate) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        raise automl.AutoMLError(_("{name}: no longer there; pick another", name=path.name)) from None


def _once(signature: tuple, parse) -> automl.AutoMLData:
    held = st.session_state.get("automl_second_loaded")
    if held is None or held[0] != signature:
        held = (signature, parse())
        st.session_state.automl_second_loaded = held
    return held[1]


def comparison_tab(v: View) -> None:
    """AutoML run A (the page's source) against run B by the primary metric."""
    _ = translator()
    options = choices()
    if st.session_state.get("automl_second") not in options:
        st.session_state.automl_second = "sample"
    choice = st.selectbox(
        _("Job B (job A is the source above)"),
        options,
        format_func=lambda c: label(c, _=_),
        key="automl_second",
    )
    try:
        other = second_run(choice, _=_)
        if other is None:
            st.info(_("Upload job B's metrics file to compare."))
            return
        result = compare(v.data, other, v.primary, _=_)
    except automl.AutoMLError as exc:
        st.error(plain(str(exc), MESSAGE_LIMIT), icon="⚠️")
        return
    cards = st.columns(3)
    for box, row, name in zip(cards, result.best.itertuples(index=False), result.labels, strict=False):
        box.metric(
            _("Job {job}: best {metric}", job=row.job, metric=plain(result.metric)),
            _.number(row.value, decimals=4),
            border=True,
            help=f"{plain(name)}: {plain(row.run_id)}",
        )
    if result.direction == "min":
        better = _("positive: job B did better (lower is better)")
    else:
        better = _("positive: job B did better (higher is better)")
    cards[2].metric("B − A", signed(result.difference, _, decimals=4), border=True, help=better)
    st.caption(
        _(
            "A: {a} · B: {b}. The same from a terminal: `python -m core.automl compare A B`.",
            a=plain(result.labels[0]),
            b=plain(result.labels[1]),
        )
    )
    st.plotly_chart(
        charts.per_algorithm_bars(result.per_algorithm, result.metric, result.labels, _=_),
        key="automl_chart_jobs_alg",
    )
    st.dataframe(_signed(result.per_algorithm, _), hide_index=True, width="stretch")
    best = dict(zip(result.best["job"], result.best["value"], strict=True))
    values = pd.concat(  # a bounded, unbiased sample of each side's runs (the values come best first)
        [g.sample(min(len(g), MAX_ROWS), random_state=0) for _job, g in result.values.groupby("job")]
    )
    st.plotly_chart(charts.distributions(values, result.metric, best, _=_), key="automl_chart_jobs_dist")
    st.subheader(_("Leaderboards, rank by rank"))
    board = readable(result.leaderboard, _, decimals=4)
    board = board.mask(board.isna() | (board == ""), "—")  # a rank only one run reaches
    st.dataframe(board, hide_index=True, width="stretch", height=320)
    st.subheader(_("What changed"))
    st.dataframe(changed(result.changes, _), hide_index=True, width="stretch")


def changed(changes: pd.DataFrame, _: Translate) -> pd.DataFrame:
    """The settings of both runs as text, the changed ones first, in ``_``'s language (a run's own setting
    parameters keep their names)."""
    changes = changes.sort_values("changed", ascending=False, kind="stable")
    changes = changes.assign(
        setting=[_(s) if s in SETTINGS else s for s in changes["setting"]],
        changed=changes["changed"].map({True: _("yes"), False: ""}),
    )
    return readable(changes.astype(str).replace("None", "—"), _)


def _signed(table: pd.DataFrame, _: Translate):
    shown = table.rename(columns={c: _(c) for c in table.columns})
    four = lambda x: _.number(x, decimals=4)  # noqa: E731
    return shown.style.format(
        {_("best_a"): four, _("best_b"): four, _("difference"): lambda x: signed(x, _, decimals=4)},
        na_rep="—",
    ).map(
        lambda x: "" if x != x or x == 0 else ("color: #1a7f37" if x > 0 else "color: #c62828"),
        subset=[_("difference")],
    )
