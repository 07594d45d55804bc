"""The π page's results: a card per backend, the clusters a run used, and the result tabs (points,
convergence, timings, code, history), each drawn only when open. The points and the running estimate are
cached per (seed, n), so a rerun does not recount them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.pi import BACKENDS, Estimate, dask_client, ray_engine, stats, stream
from core.pi.points import MAX_POINTS, sample_points
from core.pi.report import kernel_source
from core.pi.request import Request
from ui import url
from ui.pi import charts

CURVE_MAX_N = 10**9  # the running estimate re-counts the draws: bounded to keep the page quick
cached_points = st.cache_data(sample_points, max_entries=8)


@st.cache_data(max_entries=8)
def cached_curve(seed: int, n: int) -> pd.DataFrame:
    return stats.running_estimate(stream.key_for_seed(seed), n)


@st.cache_data(max_entries=8)
def points_figure(seed: int, n: int):
    """The points figure of a run: built once per (seed, n), not on every rerun."""
    return charts.points(cached_points(seed, n), n)


def cards(results: list[Estimate], table: pd.DataFrame) -> None:
    """One card per backend: π̂ and its error, run and compile time, samples/s and speed-up; its notes."""
    columns = st.columns(4)
    for i, (e, speedup) in enumerate(zip(results, table["speedup"], strict=True)):
        with columns[i % 4].container(border=True):
            st.markdown(f"**{e.backend}**" + (f" · {e.workers} workers" if e.workers > 1 else ""))
            st.metric("π̂", f"{e.pi:.6f}", f"{e.error:+.2e} ({e.z:+.2f} σ)", delta_color="off")
            st.markdown(
                f"run **{e.elapsed_s:.4g} s** · compile {e.compile_s:.3g} s  \n"
                f"**{e.samples_per_s:,.3g}** samples/s · **{speedup:,.1f}×** the slowest"
            )
    for e in results:
        for note in e.notes:
            st.info(f"**{e.backend}**: {note}", icon="ℹ️")


def clusters(table: pd.DataFrame, request: Request | None, *, operator: bool) -> None:
    """The Dask cluster and the Ray instance the run used, if it used them: the operator sees their
    addresses and workers, a student only their size."""
    cluster = dask_client.dask_cluster(request.scheduler) if "dask" in table["backend"].values else None
    if cluster and operator:
        with st.expander(f"Dask cluster used: {len(cluster['workers'])} workers at {cluster['scheduler']}"):
            st.markdown(f"[Open the Dask dashboard]({cluster['dashboard']}) (task stream, workers, progress)")
            rows = [f"| {w['worker']} | {w['name']} | {w['threads']} |" for w in cluster["workers"]]
            st.markdown("\n".join(["| worker | name | threads |", "| --- | --- | --- |", *rows]))
    elif cluster:  # a student sees the cluster's size, not its internal addresses
        st.caption(f"Dask cluster used: {len(cluster['workers'])} workers.")
    ray_used = ray_engine.cluster() if "ray" in table["backend"].values else None
    if ray_used:
        size = f"{ray_used['cpus']} CPUs on {len(ray_used['nodes'])} node(s)"
        where = f" at {ray_used['address']} ({', '.join(ray_used['nodes'])})" if operator else ""
        st.caption(f"Ray used: {size}{where}.")


def points_tab(results: list[Estimate], table: pd.DataFrame) -> None:
    first = results[0]
    sample = cached_points(first.seed, first.n)
    st.plotly_chart(points_figure(first.seed, first.n), width="stretch", key="pi_chart_points")
    st.caption(
        f"Drawn: the first {len(sample):,} of the {first.n:,} points (at most {MAX_POINTS:,}, whatever N, in "
        "one picture made on the server). They are exactly the first points the counter-based backends count "
        "for this seed; the lecture's four draw theirs from `random` and `np.random` instead."
    )


def convergence_tab(results: list[Estimate], table: pd.DataFrame) -> None:
    first = results[0]
    curve_n = min(first.n, CURVE_MAX_N)
    curve = cached_curve(first.seed, curve_n)
    history = pd.DataFrame(st.session_state.get("pi_history", []))
    history["abs_error"] = history["error"].abs()
    left, right = st.columns(2)
    left.plotly_chart(charts.running_estimate(curve), width="stretch", key="pi_chart_running")
    right.plotly_chart(charts.error_vs_n(curve, history), width="stretch", key="pi_chart_error")
    note = "" if curve_n == first.n else f" (its first {curve_n:.0e} draws)"
    st.caption(
        f"The line follows the counter-based stream for seed {first.seed}{note}; the dots are every run of "
        "this session. Quadruple N and the error halves; the band holds 95 % of runs."
    )


def timings_tab(results: list[Estimate], table: pd.DataFrame) -> None:
    left, right = st.columns(2)
    left.plotly_chart(charts.timings(table), width="stretch", key="pi_chart_timings")
    right.plotly_chart(charts.throughput(table), width="stretch", key="pi_chart_throughput")
    shown = table[["backend", "workers", "elapsed_s", "compile_s", "startup_s", "samples_per_s", "speedup"]]
    fmt = st.column_config.NumberColumn(format="%.4g")
    st.dataframe(shown, hide_index=True, width="stretch", column_config=dict.fromkeys(shown.columns[2:], fmt))
    st.caption(
        "Run time excludes the JIT compile (first call in this server; Numba caches kernels on disk) and the "
        "start-up of pools and clusters (once per server). **Benchmarks** shows where parallel starts to win."
    )


def code_tab(results: list[Estimate], table: pd.DataFrame) -> None:
    for e in results:
        with st.expander(f"{e.backend}: {BACKENDS[e.backend].summary}"):
            st.code(kernel_source(e.backend), language="cpp" if e.backend == "cupy" else "python")


def history_tab(results: list[Estimate], table: pd.DataFrame) -> None:
    runs = pd.DataFrame(st.session_state.get("pi_history", [])).drop(columns=["notes"], errors="ignore")
    st.dataframe(runs, hide_index=True, width="stretch")
    st.download_button(
        "Download the session's runs (CSV)",
        runs.to_csv(index=False),
        "pi-lab-runs.csv",
        "text/csv",
        icon="⬇️",
    )


TABS = {
    "Points": points_tab,
    "Convergence": convergence_tab,
    "Timings": timings_tab,
    "Code": code_tab,
    "History": history_tab,
}


def result_tabs(results: list[Estimate], table: pd.DataFrame) -> None:
    """The result tabs. Only the open tab is computed and sent (its name is in the URL as ``?pi_view=``);
    the others cost nothing."""
    for tab, draw in zip(url.tabs(list(TABS), key="pi_view"), TABS.values(), strict=True):
        if tab.open:
            with tab:
                draw(results, table)
