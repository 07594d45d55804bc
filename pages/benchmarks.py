"""Benchmarks: backends × sample sizes within a time budget → time, samples/s, speed-up, crossovers; and the
scaling lab (one parallel backend on 1…k workers: strong and weak scaling, Amdahl's and Gustafson's laws)."""

import functools

import streamlit as st

from core.bench.harness import run_sweep
from core.bench.tables import parallel_crossovers, sweep_table
from core.pi import backends
from core.runtime.i18n import N_
from ui import ensure_app_navigation
from ui.bench import charts, lab, panels
from ui.i18n import translator
from ui.pi.settings import N_OPTIONS, fmt_n
from ui.runtime import access
from ui.runtime.jobs import show_job, start

ensure_app_navigation()
_ = translator()
available = backends.available()
DEFAULT = [
    b for b in ("numpy", "numba", "numpy_chunked", "numba_parallel", "multiprocessing") if b in available
]

VIEWS = {"sweep": N_("Sweep over N"), "scaling": N_("Scaling lab")}

st.title("⏱️ " + _("Benchmarks"))
view = st.radio(
    _("View"),
    list(VIEWS),
    format_func=lambda v: _(VIEWS[v]),
    horizontal=True,
    key="bench_view",
    bind="query-params",
    label_visibility="collapsed",
)
if view == "scaling":
    lab.draw(available, _=_)
    st.stop()
st.markdown(
    _(
        "Time each backend over a range of N, like `%timeit`: calibrated loops, the best of several repeats, "
        "compile and start-up apart. Small N favour serial code (no tasks to ship); large N favour parallel "
        "code. The ★ marks the N from which a parallel backend beats the fastest serial one you picked."
    )
)

with st.form("sweep"):
    left, right = st.columns([3, 2])
    chosen = left.multiselect(_("Backends"), available, default=DEFAULT, key="bench_backends")
    low, high = left.select_slider(
        _("Sample sizes"), options=N_OPTIONS, value=(10**3, 10**7), format_func=fmt_n, key="bench_range"
    )
    budget = right.slider(_("Time budget (s)"), 5, 300, 30, step=5, key="bench_budget")
    repeat = right.slider(_("Repeats per point"), 1, 7, 3, key="bench_repeat")
    submitted = st.form_submit_button(_("Run sweep"), type="primary", icon="▶️")

if submitted and chosen:
    ns = [n for n in N_OPTIONS if low <= n <= high]
    sweep, notes = access.sweep_limits(list(chosen), ns, budget, _=_)
    st.session_state.bench_notes = notes  # kept until the next Run: a short sweep reruns the page
    if sweep.backends:
        kept_ns = [n for n in ns if n <= max(sweep.max_n.values())]
        work = functools.partial(
            run_sweep,
            backends=sweep.backends,
            ns=kept_ns,
            budget_s=float(sweep.budget_s),
            repeat=repeat,
            max_n=sweep.max_n,
        )
        start("bench_job", "sweep", work, _=_)
elif submitted and not chosen:
    st.warning(_("Pick at least one backend."))

for note in st.session_state.get("bench_notes", []):
    st.info(note)
kept = show_job("bench_job", what="timings", unit="timings")
if kept:
    st.session_state.bench_timings = kept

timings = st.session_state.get("bench_timings")
if not timings:
    st.info(_("Pick backends and sizes, then press **Run sweep**."))
    st.stop()

names = list(dict.fromkeys(t.backend for t in timings))
baseline = st.selectbox(_("Speed-up against"), names, key="bench_baseline")
table = sweep_table(timings, baseline)
cross, serial = parallel_crossovers(timings)

time_tab, rate_tab, speed_tab, data_tab = st.tabs(
    [_("Time"), _("Samples/s"), _("Speed-up"), _("Data and checks")]
)
with time_tab:
    st.plotly_chart(
        charts.sweep_lines(
            table,
            "best_s",
            title=_("Seconds per run against N"),
            y_title=_("seconds (best)"),
            marks=cross,
            _=_,
        ),
        width="stretch",
    )
with rate_tab:
    st.plotly_chart(
        charts.sweep_lines(
            table,
            "samples_per_s",
            title=_("Samples per second against N"),
            y_title=_("samples / s"),
            marks=cross,
            _=_,
        ),
        width="stretch",
    )
with speed_tab:
    st.plotly_chart(
        charts.sweep_lines(
            table,
            "speedup",
            title=_("Speed-up over {baseline}", baseline=baseline),
            y_title=f"× {baseline}",
            marks=cross,
            _=_,
        ),
        width="stretch",
    )
panels.crossovers(cross, serial, _=_)
panels.dask_and_ray(names, _=_)
with data_tab:
    panels.data_tab(table, timings, _=_)
