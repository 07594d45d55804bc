"""The π page's results: a card per backend, the clusters a run used, and the result tabs (points,
convergence, timings, timeline, code, history), each drawn only when open. The points and the running
estimate are cached per (seed, n), so a rerun does not recount them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.pi import BACKENDS, Estimate, dask_client, ray_engine, stats, stream
from core.pi.points import MAX_POINTS, sample_points
from core.pi.report import kernel_source
from core.pi.request import Request
from core.runtime.i18n import N_, Translate, english, scientific, signed, translator
from ui import url
from ui.i18n import readable
from ui.pi import charts
from ui.pi.timeline import timeline_tab

CURVE_MAX_N = 10**9  # the running estimate re-counts the draws: bounded to keep the page quick
cached_points = st.cache_data(sample_points, max_entries=8)


@st.cache_data(max_entries=8)
def cached_curve(seed: int, n: int) -> pd.DataFrame:
    return stats.running_estimate(stream.key_for_seed(seed), n)


@st.cache_data(max_entries=8)
def points_figure(seed: int, n: int, lang: str = "en"):
    """The points figure of a run, in ``lang``: built once per (seed, n, lang), not on every rerun."""
    return charts.points(cached_points(seed, n), n, _=translator(lang))


def cards(results: list[Estimate], table: pd.DataFrame, *, _: Translate = english) -> None:
    """One card per backend: π̂ and its error, run and compile time, samples/s and speed-up; its notes."""
    columns = st.columns(4)
    for i, (e, speedup) in enumerate(zip(results, table["speedup"], strict=True)):
        with columns[i % 4].container(border=True):
            workers = _(" · {n} workers", n=_.number(e.workers)) if e.workers > 1 else ""
            st.markdown(f"**{e.backend}**{workers}")
            error = f"{scientific(e.error, _)} ({signed(e.z, _)} σ)"
            st.metric("π̂", _.number(e.pi, decimals=6), error, delta_color="off")
            st.markdown(
                _(
                    "run **{run} s** · compile {compile} s  \n"
                    "**{rate}** samples/s · **{speedup}×** the slowest",
                    run=_.significant(e.elapsed_s, digits=4),
                    compile=_.significant(e.compile_s),
                    rate=_.significant(e.samples_per_s),
                    speedup=_.number(speedup, decimals=1),
                )
            )
    for e in results:
        for note in e.notes:
            st.info(f"**{e.backend}**: {_(note)}", icon="ℹ️")


def clusters(table: pd.DataFrame, request: Request | None, *, operator: bool, _: Translate = english) -> None:
    """The Dask cluster and the Ray instance the run used, if it used them: the operator sees their
    addresses and workers, a student only their size."""
    cluster = dask_client.dask_cluster(request.scheduler) if "dask" in table["backend"].values else None
    workers = _.number(len(cluster["workers"])) if cluster else ""
    if cluster and operator:
        with st.expander(
            _("Dask cluster used: {n} workers at {address}", n=workers, address=cluster["scheduler"])
        ):
            st.markdown(
                _(
                    "[Open the Dask dashboard]({url}) (task stream, workers, progress)",
                    url=cluster["dashboard"],
                )
            )
            rows = [f"| {w['worker']} | {w['name']} | {_.number(w['threads'])} |" for w in cluster["workers"]]
            worker, name, threads = _("worker"), _("name"), _("threads")
            header = f"| {worker} | {name} | {threads} |"
            st.markdown("\n".join([header, "| --- | --- | --- |", *rows]))
    elif cluster:  # a student sees the cluster's size, not its internal addresses
        st.caption(_("Dask cluster used: {n} workers.", n=workers))
    ray_used = ray_engine.cluster() if "ray" in table["backend"].values else None
    if ray_used:
        size = _(
            "{cpus} CPUs on {nodes} node(s)",
            cpus=_.number(ray_used["cpus"]),
            nodes=_.number(len(ray_used["nodes"])),
        )
        where = (
            _(" at {address} ({nodes})", address=ray_used["address"], nodes=", ".join(ray_used["nodes"]))
            if operator
            else ""
        )
        st.caption(_("Ray used: {size}{where}.", size=size, where=where))


def points_tab(results: list[Estimate], table: pd.DataFrame, *, _: Translate = english) -> None:
    first = results[0]
    sample = cached_points(first.seed, first.n)
    st.plotly_chart(points_figure(first.seed, first.n, _.lang), width="stretch", key="pi_chart_points")
    st.caption(
        _(
            "Drawn: the first {shown} of the {n} points (at most {most}, whatever N, in one picture made on "
            "the server). They are exactly the first points the counter-based backends count for this seed; "
            "the lecture's four draw theirs from `random` and `np.random` instead.",
            shown=_.number(len(sample)),
            n=_.number(first.n),
            most=_.number(MAX_POINTS),
        )
    )


def convergence_tab(results: list[Estimate], table: pd.DataFrame, *, _: Translate = english) -> None:
    first = results[0]
    curve_n = min(first.n, CURVE_MAX_N)
    curve = cached_curve(first.seed, curve_n)
    history = pd.DataFrame(st.session_state.get("pi_history", []))
    history["abs_error"] = history["error"].abs()
    left, right = st.columns(2)
    left.plotly_chart(charts.running_estimate(curve, _=_), width="stretch", key="pi_chart_running")
    right.plotly_chart(charts.error_vs_n(curve, history, _=_), width="stretch", key="pi_chart_error")
    note = "" if curve_n == first.n else _(" (its first {n} draws)", n=f"{curve_n:.0e}")
    st.caption(
        _(
            "The line follows the counter-based stream for seed {seed}{note}; the dots are every run of this "
            "session. Quadruple N and the error halves; the band holds 95 % of runs.",
            seed=first.seed,
            note=note,
        )
    )


TIMING_COLUMNS = [
    N_("backend"),
    N_("workers"),
    N_("elapsed_s"),
    N_("compile_s"),
    N_("startup_s"),
    N_("samples_per_s"),
    N_("speedup"),
]


# The History table's other columns (an ``Estimate``'s fields), marked so that ``readable`` translates them.
HISTORY_COLUMNS = [N_("n"), N_("inside"), N_("pi"), N_("error"), N_("sigma"), N_("z"), N_("seed")]


def timings_tab(results: list[Estimate], table: pd.DataFrame, *, _: Translate = english) -> None:
    left, right = st.columns(2)
    left.plotly_chart(charts.timings(table, _=_), width="stretch", key="pi_chart_timings")
    right.plotly_chart(charts.throughput(table, _=_), width="stretch", key="pi_chart_throughput")
    shown = table[TIMING_COLUMNS].copy()
    for column in TIMING_COLUMNS[2:]:  # four significant digits, as the reader's language writes them
        shown[column] = [_.significant(v, digits=4) for v in shown[column]]
    st.dataframe(readable(shown, _), hide_index=True, width="stretch")
    st.caption(
        _(
            "Run time excludes the JIT compile (first call in this server; Numba caches kernels on disk) "
            "and the start-up of pools and clusters (once per server). **Benchmarks** shows where parallel "
            "starts to win."
        )
    )


def code_tab(results: list[Estimate], table: pd.DataFrame, *, _: Translate = english) -> None:
    for e in results:
        with st.expander(f"{e.backend}: {_(BACKENDS[e.backend].summary)}"):
            st.code(kernel_source(e.backend), language="cpp" if e.backend == "cupy" else "python")


def history_tab(results: list[Estimate], table: pd.DataFrame, *, _: Translate = english) -> None:
    runs = pd.DataFrame(st.session_state.get("pi_history", [])).drop(columns=["notes"], errors="ignore")
    st.dataframe(readable(runs, _), hide_index=True, width="stretch")
    st.download_button(
        _("Download the session's runs (CSV)"),
        runs.to_csv(index=False),
        "pi-lab-runs.csv",
        "text/csv",
        icon="⬇️",
    )


TABS = {
    N_("Points"): points_tab,
    N_("Convergence"): convergence_tab,
    N_("Timings"): timings_tab,
    N_("Timeline"): timeline_tab,
    N_("Code"): code_tab,
    N_("History"): history_tab,
}


def result_tabs(results: list[Estimate], table: pd.DataFrame, *, _: Translate = english) -> None:
    """The result tabs. Only the open tab is computed and sent (its name is in the URL as ``?pi_view=``);
    the others cost nothing."""
    for tab, draw in zip(url.tabs(list(TABS), key="pi_view", _=_), TABS.values(), strict=True):
        if tab.open:
            with tab:
                draw(results, table, _=_)
