"""Estimate π: pick N, backends, seed and workers; run in the background; see points, convergence, timings."""

import functools

import streamlit as st

from core.pi import BACKENDS, backends, stream
from core.pi.report import results_table
from core.pi.request import Request, run_backends
from ui import ensure_app_navigation
from ui.i18n import translator
from ui.notebooks import pi_download
from ui.pi import charts, panels
from ui.pi.settings import N_OPTIONS, fmt_n, initial_values, slider_max_workers, write_url_state
from ui.runtime import access
from ui.runtime.jobs import show_job, start

ensure_app_navigation()
_ = translator()
available = backends.available()
operator = access.is_operator()

st.title("🎯 " + _("Estimate π"))
st.markdown(
    _(
        "Throw **N** points into the unit square; the share inside the quarter circle is π/4. Pick "
        "backends and press **Run**: every backend counts its points, and the same seed gives the same count "
        "every time."
    )
)

initial = initial_values(available, slider_max_workers(), _=_)
with st.form("pi-run"):
    left, right = st.columns([3, 2])
    n = left.select_slider(
        _("Samples N (log scale)"), N_OPTIONS, value=initial["pi_n"], format_func=fmt_n, key="pi_n"
    )
    chosen = left.multiselect(_("Backends"), available, default=initial["pi_backends"], key="pi_backends")
    seed = right.number_input(_("Seed"), 0, stream.SEED_MAX, initial["pi_seed"], step=1, key="pi_seed")
    workers = right.slider(
        _("Workers (parallel backends)"), 1, slider_max_workers(), initial["pi_workers"], key="pi_workers"
    )
    scheduler = ray_address = ""
    if operator:  # an address the server connects to: the operator's choice, never a student's
        with st.expander(_("Dask cluster")):
            scheduler = st.text_input(
                _("Scheduler address"),
                key="pi_scheduler",
                placeholder=_("empty: a local cluster on this machine"),
                help=_(
                    "tcp://host:8786 of a running `dask scheduler`; PILAB_DASK_SCHEDULER sets the default"
                ),
            )
        with st.expander(_("Ray cluster")):
            ray_address = st.text_input(
                _("Ray address"),
                key="pi_ray_address",
                placeholder=_("empty: a local Ray instance on this machine"),
                help=_(
                    "host:6379 of a cluster this machine is a node of, or ray://host:10001; "
                    "PILAB_RAY_ADDRESS sets the default"
                ),
            )
    submitted = st.form_submit_button(_("Run"), type="primary", icon="▶️")
unavailable = {name: b.why_unavailable() for name, b in BACKENDS.items() if b.why_unavailable()}
if unavailable:
    reasons = "; ".join(f"**{k}** ({_(v)})" for k, v in unavailable.items())
    st.caption(_("Not available here: {reasons}", reasons=reasons))

if submitted:
    write_url_state()
    limited = {b: why for b in chosen if (why := access.run_refusal(b, int(n), _=_))}
    refused = [_("**{name}** refused before running: {reason}", name=b, reason=r) for b, r in limited.items()]
    request = Request(
        backends=tuple(b for b in chosen if b not in limited),
        n=int(n),
        seed=int(seed),
        workers=int(workers),
        scheduler=scheduler.strip() or None,
        ray_address=ray_address.strip() or None,
    )
    refused += [
        _("**{name}** refused before running: {reason}", name=b, reason=r)
        for b, r in request.refusals(_=_).items()
    ]
    st.session_state.pi_refused = refused if chosen else [_("Pick at least one backend.")]
    if (
        chosen
        and request.runnable()
        and start("pi_job", "π", functools.partial(run_backends, request, _=_), _=_)
    ):
        st.session_state.pi_request = request

for message in st.session_state.get("pi_refused", []):  # kept until the next Run: a short run reruns the page
    st.warning(message)
kept = show_job("pi_job", what=_("backend runs"), _=_)
if kept:
    st.session_state.pi_results = kept
    st.session_state.setdefault("pi_history", []).extend(e.to_dict() for e in kept)

results = st.session_state.get("pi_results")
if not results:
    st.info(_("Choose N and backends, then press **Run**."))
    st.plotly_chart(charts.target(int(n), _=_), width="stretch", key="pi_chart_points")
    st.stop()

table = results_table(results)
st.subheader(_("{n} samples, seed {seed}", n=_.number(results[0].n), seed=results[0].seed))
panels.cards(results, table, _=_)
panels.clusters(table, st.session_state.get("pi_request"), operator=operator, _=_)
panels.result_tabs(results, table, _=_)
pi_download(results, _=_)
