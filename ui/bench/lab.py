"""The Benchmarks page's scaling lab: its settings form with Run (within a student's limits), its background
job, and what it measured (the laws fitted, the count check, the fixed costs, figures, table, download)."""

from __future__ import annotations

import functools
import json
import math

import pandas as pd
import streamlit as st

from core.bench.scaling import KINDS, Plan, Point, Scaling, analyse, cores_for, run_lab
from core.pi import BACKENDS
from core.runtime.checks import said
from core.runtime.i18n import N_, Translate, english
from ui.bench import charts
from ui.i18n import readable
from ui.pi.settings import N_OPTIONS, fmt_n, slider_max_workers
from ui.pi.timeline import gantt
from ui.runtime import access
from ui.runtime.jobs import show_job, start

JOB = "scaling_job"
COLUMNS = [
    N_("kind"),
    N_("workers"),
    N_("ran_on"),
    N_("n"),
    N_("time_s"),
    N_("fixed_s"),
    N_("work_s"),
    N_("startup_s"),
    N_("speedup"),
    N_("efficiency"),
    N_("beyond_cores"),
]
WHY = N_(
    "**Why doubling the workers does not halve the time.** A run has a part only one worker can do (start "
    "the tasks, hand out the ranges, gather and add the counts) and a part the workers share (the draws). "
    "Call the first part's share of one worker's time *s*, the serial fraction. On *p* workers the time is "
    "*s + (1 − s)/p* of one worker's, so the speed-up is at most *1/s* however many workers you add: "
    "**Amdahl's law**, fitted here to the strong-scaling points (N fixed). If instead each worker gets the "
    "same N (weak scaling), the shared part grows with the workers and the scaled speed-up is "
    "*s + (1 − s)·p*: "
    "**Gustafson's law**, fitted to the weak-scaling points. Both laws are straight lines once rewritten "
    "(1/S − 1/p = s·(1 − 1/p) and p − S = s·(p − 1)), so s is a least-squares slope and its uncertainty "
    "comes from the scatter of the points. Workers beyond the cores share them: p there is the cores."
)


def parallel_backends(available: list[str]) -> list[str]:
    """The backends of ``available`` that spread a run over workers."""
    return [name for name in available if BACKENDS[name].parallel]


def settings_form(available: list[str], *, _: Translate = english) -> tuple[Plan, float] | None:
    """The lab's form; on Run, what to measure and the time budget asked (None before a Run). Cluster
    addresses are the operator's only."""
    with st.form("scaling"):
        left, right = st.columns([3, 2])
        backend = left.selectbox(_("Parallel backend"), parallel_backends(available), key="scaling_backend")
        n = left.select_slider(
            _("N of every strong-scaling run"), N_OPTIONS, value=10**8, format_func=fmt_n, key="scaling_n"
        )
        per_worker = left.select_slider(
            _("N a worker in weak scaling"), N_OPTIONS, value=10**7, format_func=fmt_n, key="scaling_per"
        )
        most = slider_max_workers()
        top = right.slider(_("Workers: 1 up to"), 1, most, min(4, most), key="scaling_workers")
        repeat = right.slider(_("Repeats per point"), 1, 7, 3, key="scaling_repeat")
        budget = right.slider(_("Time budget (s)"), 5, 300, 60, step=5, key="scaling_budget")
        scheduler = ray_address = ""
        if access.is_operator():  # an address the server connects to: the operator's choice only
            with st.expander(_("Dask cluster")):
                scheduler = st.text_input(_("Scheduler address"), key="scaling_scheduler")
            with st.expander(_("Ray cluster")):
                ray_address = st.text_input(_("Ray address"), key="scaling_ray_address")
        submitted = st.form_submit_button(_("Run the scaling lab"), type="primary", icon="▶️")
    if not submitted or backend is None:
        return None
    where = {"scheduler": scheduler.strip() or None, "ray_address": ray_address.strip() or None}
    workers = tuple(range(1, top + 1))
    cores = cores_for(backend, **where)  # a cluster's cores are its own: unknown here
    plan = Plan(
        backend=backend,
        n=int(n),
        n_per_worker=int(per_worker),
        workers=workers,
        repeat=repeat,
        cores=cores,
        **where,
    )
    return plan, float(budget)


def start_lab(plan: Plan, budget_s: float, *, _: Translate = english) -> None:
    """Start the lab as a background job, after the checks a run meets (a student's limits included)."""
    top = max(plan.workers)
    refused = [
        why for n in (plan.n, plan.n_per_worker * top) if (why := access.run_refusal(plan.backend, n, _=_))
    ]
    try:
        plan.check(_=_)
    except ValueError as exc:
        refused.append(said(exc, _))
    for why in refused:
        st.warning(_("Refused before running: {reason}", reason=why))
    if refused or JOB in st.session_state:
        return
    sweep, notes = access.sweep_limits([plan.backend], [plan.n], budget_s, _=_)  # a student's time budget
    for note in notes:
        st.info(note)
    budget_s = sweep.budget_s
    st.session_state.scaling_cores = plan.cores
    start(JOB, "scaling", functools.partial(run_lab, plan=plan, budget_s=budget_s), _=_)


def results(points: list[Point], cores: int | None, *, _: Translate = english) -> None:
    """What the lab measured: the laws fitted, the count check, the figures, the table and its download."""
    lab = analyse(points, cores=cores)
    st.subheader(lab.headline(_=_))
    metrics(lab, _=_)
    checked = lab.count_check(_=_)
    if checked:
        st.success(checked)
    for note in lab.notes(_=_):
        st.info(note)
    st.plotly_chart(charts.scaling_speedup(lab, _=_), width="stretch", key="scaling_speedup")
    st.plotly_chart(charts.scaling_efficiency(lab, _=_), width="stretch", key="scaling_efficiency")
    with st.expander(_("Why the curve bends")):
        st.markdown(_(WHY))
    timelines(points, _=_)
    table(lab, _=_)


def timelines(points: list[Point], *, _: Translate = english) -> None:
    """One run's task timeline at a time (a warm run of the chosen point): where the workers were idle."""
    timed = [p for p in points if p.spans]
    if not timed:
        return
    with st.expander(_("Task timeline of each run")):
        shown = st.selectbox(
            _("Lab run to show"),
            range(len(timed)),
            format_func=lambda i: _(
                "{kind}, {workers} worker(s), n = {n}",
                kind=_(KINDS[timed[i].kind]),
                workers=_.number(timed[i].workers),
                n=_.number(timed[i].n),
            ),
            key="scaling_timeline",
        )
        point = timed[shown]
        st.plotly_chart(gantt(point.spans, point.backend, _=_), width="stretch", key="scaling_gantt")


def metrics(lab: Scaling, *, _: Translate = english) -> None:
    """The serial fractions fitted and the fixed cost of a run, as cards."""
    cards = st.columns(3)
    for card, label, fit in (
        (cards[0], N_("Serial fraction (Amdahl)"), lab.amdahl),
        (cards[1], N_("Serial fraction (Gustafson)"), lab.gustafson),
    ):
        value = "–" if fit is None else _.number(fit.serial, decimals=3)
        spread = "" if fit is None or not math.isfinite(fit.error) else "± " + _.number(fit.error, decimals=3)
        card.metric(_(label), value, spread, delta_color="off")
    fixed = max((r["fixed_s"] for r in lab.rows), default=0.0)
    cards[2].metric(_("Fixed cost of a run, at most"), _("{ms} ms", ms=_.number(1e3 * fixed, decimals=2)))
    st.caption(
        _(
            "Fixed cost: the best time of a run of {n} draws a worker on the same workers (scheduling the "
            "ranges, gathering the counts); work: the time left. Start-up: what a run's first call paid to "
            "start its workers.",
            n=_.number(1000),
        )
    )


def table(lab: Scaling, *, _: Translate = english) -> None:
    """The points as a table in ``_``'s language, and the download (English keys, Python numbers)."""
    rows = pd.DataFrame(lab.rows)
    shown = rows[COLUMNS].copy()
    shown["kind"] = [_(KINDS[k]) for k in shown["kind"]]
    shown["n"] = [fmt_n(n) for n in shown["n"]]
    shown["beyond_cores"] = [_("yes") if b else "" for b in shown["beyond_cores"]]
    st.dataframe(readable(shown, _), hide_index=True, width="stretch")
    st.download_button(
        _("Download JSON"),
        json.dumps(lab.to_dict(), indent=1),
        "pi-lab-scaling.json",
        "application/json",
        icon="⬇️",
    )


def draw(available: list[str], *, _: Translate = english) -> None:
    """The scaling lab: its form, its job while it runs, and its last result."""
    st.markdown(
        _(
            "One parallel backend on 1, 2, … workers: **strong scaling** keeps N fixed, **weak scaling** "
            "gives each worker the same N. Workers beyond this machine's cores are allowed, and marked."
        )
    )
    asked = settings_form(available, _=_)
    if asked:
        start_lab(*asked, _=_)
    kept = show_job(JOB, what=_("scaling runs"), _=_)
    if kept:
        st.session_state.scaling_points = kept
    points = st.session_state.get("scaling_points")
    if not points:
        st.info(_("Pick a parallel backend, N and workers, then press **Run the scaling lab**."))
        return
    results(points, st.session_state.get("scaling_cores"), _=_)
