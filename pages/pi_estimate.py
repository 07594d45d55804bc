"""Estimate π: pick N, backends, seed and workers; run in the background; see points, convergence, timings."""

import functools

import pandas as pd
import streamlit as st

from core.pi import BACKENDS, backends, dask_client, executors, ray_engine, stats, stream
from core.pi.points import MAX_POINTS, sample_points
from core.pi.report import kernel_source, results_table
from core.pi.runs import Request, run_backends
from ui import ensure_app_navigation, url
from ui.pi import charts
from ui.pi.settings import N_OPTIONS, fmt_n, initial_values, write_url_state
from ui.runtime import access
from ui.runtime.jobs import show_outcome, start, take_finished, watch

ensure_app_navigation()
CURVE_MAX_N = 10**9  # the running estimate re-counts the draws: bounded to keep the page quick
cached_points = st.cache_data(sample_points, max_entries=8)


@st.cache_data(max_entries=8)
def cached_curve(seed: int, n: int) -> pd.DataFrame:
    return stats.running_estimate(stream.key_for_seed(seed), n)


@st.cache_data(max_entries=8)
def points_figure(seed: int, n: int):
    """The points figure of a run: built once per (seed, n), not on every rerun."""
    return charts.points(cached_points(seed, n), n)


available = backends.available()
max_workers = 2 * executors.default_workers()
operator = access.is_operator()

st.title("🎯 Estimate π")
st.markdown(
    "Throw **N** points into the unit square; the share inside the quarter circle is π/4. Pick backends and "
    "press **Run**: every backend counts its points, and the same seed gives the same count every time."
)

initial = initial_values(available, max_workers)
with st.form("pi-run"):
    left, right = st.columns([3, 2])
    n = left.select_slider(
        "Samples N (log scale)", N_OPTIONS, value=initial["pi_n"], format_func=fmt_n, key="pi_n"
    )
    chosen = left.multiselect("Backends", available, default=initial["pi_backends"], key="pi_backends")
    seed = right.number_input("Seed", 0, stream.SEED_MAX, initial["pi_seed"], step=1, key="pi_seed")
    workers = right.slider(
        "Workers (parallel backends)", 1, max_workers, initial["pi_workers"], key="pi_workers"
    )
    scheduler = ray_address = ""
    if operator:  # an address the server connects to: the operator's choice, never a student's
        with st.expander("Dask cluster"):
            scheduler = st.text_input(
                "Scheduler address",
                key="pi_scheduler",
                placeholder="empty: a local cluster on this machine",
                help="tcp://host:8786 of a running `dask scheduler`; PILAB_DASK_SCHEDULER sets the default",
            )
        with st.expander("Ray cluster"):
            ray_address = st.text_input(
                "Ray address",
                key="pi_ray_address",
                placeholder="empty: a local Ray instance on this machine",
                help="host:6379 of a cluster this machine is a node of, or ray://host:10001; "
                "PILAB_RAY_ADDRESS sets the default",
            )
    submitted = st.form_submit_button("Run", type="primary", icon="▶️")
unavailable = {name: b.why_unavailable() for name, b in BACKENDS.items() if b.why_unavailable()}
if unavailable:
    st.caption("Not available here: " + "; ".join(f"**{k}** ({v})" for k, v in unavailable.items()))

if submitted:
    write_url_state()
    limited = {b: why for b in chosen if (why := access.run_refusal(b, int(n)))}
    refused = [f"**{name}** refused before running: {reason}" for name, reason in limited.items()]
    allowed = tuple(b for b in chosen if b not in limited)
    request = Request(
        allowed, int(n), int(seed), int(workers), scheduler.strip() or None, ray_address.strip() or None
    )
    refused += [f"**{name}** refused before running: {reason}" for name, reason in request.refusals().items()]
    st.session_state.pi_refused = refused if chosen else ["Pick at least one backend."]
    if chosen and request.runnable() and "pi_job" not in st.session_state:
        st.session_state.pi_request = request
        start("pi_job", "π", functools.partial(run_backends, request))

for message in st.session_state.get("pi_refused", []):  # kept until the next Run: a short run reruns the page
    st.warning(message)
finished = take_finished("pi_job")
show_outcome("pi_job", finished, "backend runs")
if finished is not None and finished.partial:
    st.session_state.pi_results = list(finished.partial)
    st.session_state.setdefault("pi_history", []).extend(e.to_dict() for e in finished.partial)
if "pi_job" in st.session_state:
    watch("pi_job")

results = st.session_state.get("pi_results")
if not results:
    st.info("Choose N and backends, then press **Run**.")
    st.plotly_chart(charts.target(int(n)), width="stretch", key="pi_chart_points")
    st.stop()

table = results_table(results)
first = results[0]
st.subheader(f"{first.n:,} samples, seed {first.seed}")
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
cluster = (
    dask_client.dask_cluster(st.session_state.pi_request.scheduler)
    if "dask" in table["backend"].values
    else None
)
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


def points_tab() -> None:
    sample = cached_points(first.seed, first.n)
    st.plotly_chart(points_figure(first.seed, first.n), width="stretch", key="pi_chart_points")
    st.caption(
        f"Drawn: the first {len(sample):,} of the {first.n:,} points (at most {MAX_POINTS:,}, whatever N, in "
        "one picture made on the server). They are exactly the first points the counter-based backends count "
        "for this seed; the lecture's four draw theirs from `random` and `np.random` instead."
    )


def convergence_tab() -> None:
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


def timings_tab() -> None:
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


def code_tab() -> None:
    for e in results:
        with st.expander(f"{e.backend}: {BACKENDS[e.backend].summary}"):
            st.code(kernel_source(e.backend), language="cpp" if e.backend == "cupy" else "python")


def history_tab() -> None:
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
# Only the open tab is computed and sent (its name is in the URL as ?pi_view=); the others cost nothing.
for tab, draw in zip(url.tabs(list(TABS), key="pi_view"), TABS.values(), strict=True):
    if tab.open:
        with tab:
            draw()
