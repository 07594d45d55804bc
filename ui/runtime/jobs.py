"""The shared job runner, the progress panel that shows a background job (progress, samples/s, Cancel), and
the operator's panel of every job."""

from __future__ import annotations

import time

import streamlit as st

from core.pi import executors
from core.runtime.jobs import Busy, Job, JobRunner
from ui.runtime import access, timing

FIRST_LOOK_S = 0.25  # a run that ends this soon after the click is drawn in the click's own script run
POLL_S = 0.25  # the live panel looks this often, and each look waits up to LONG_POLL_S for the end
LONG_POLL_S = 0.2


@st.cache_resource
def job_runner() -> JobRunner:
    """One runner for every session of this server: runs take turns, since each fast one uses every core."""
    return JobRunner(slots=1, max_waiting=16)


def start(key: str, label: str, work) -> None:
    """Submit ``work(job)`` to the shared runner and keep the job under ``key``; a full queue is a warning.
    A student's job counts against the per-visitor limit and stops at the time budget the operator set."""
    limits = {}
    if not access.is_operator():
        settings = access.settings()
        limits = {"budget_s": settings.job_budget_s, "per_owner": settings.runs_per_visitor}
    try:
        job = job_runner().submit(label, work, owner=access.visitor(), **limits)
    except Busy as exc:
        st.warning(f"The server is busy: {exc}.")
        return
    st.session_state[key] = job
    st.session_state.pop(_outcome(key), None)  # the last job's outcome: replaced by this one's
    job.wait(FIRST_LOOK_S)  # a short run's results then come with this very script run


def take_finished(key: str) -> Job | None:
    """The job under ``key`` if it has ended (removed from the session), else None."""
    job = st.session_state.get(key)
    if job is not None and job.over:
        del st.session_state[key]
        timing.job_ran(job.label, job.started_at, job.ended_at)
        return job
    return None


def show_outcome(key: str, finished: Job | None, what: str) -> None:
    """Say how the last job under ``key`` ended, if it was cancelled or failed, and what it kept. Said again
    on every run of the page until the next job starts: a rerun right after the end (the live panel's last
    tick, a widget) would otherwise wipe it."""
    if finished is not None:
        st.session_state[_outcome(key)] = finished
    job: Job | None = st.session_state.get(_outcome(key))
    if job is None:
        return
    kept = len(job.partial)
    if job.state == "cancelled":
        st.warning(f"Cancelled. {kept} {what} finished before the stop and are kept below.")
    elif job.state == "failed":
        st.error(f"{job.error}" + (f" ({kept} {what} finished first and are kept.)" if kept else ""))


def _outcome(key: str) -> str:
    return f"{key}-outcome"


def progress_panel(key: str, unit: str = "samples") -> None:
    """The running job under ``key``, live: progress bar, rate, queue place and Cancel. Each look waits a
    moment for the job's end, so results are drawn as soon as it comes, not at the next tick."""

    @st.fragment(run_every=POLL_S)
    def panel() -> None:
        job: Job | None = st.session_state.get(key)
        if job is None or job.wait(LONG_POLL_S):
            st.rerun(scope="app")
        if job.state == "queued":
            ahead = job_runner().waiting_ahead(job)
            st.info(
                f"Waiting for another run on this server to finish ({ahead} more queued ahead of this one)."
            )
        elif job.done == 0 and executors.warming():
            st.progress(0.0, text=f"{job.stage}: warming up the pools, the Dask cluster and Numba …")
        else:
            rate = f" · {job.rate:,.3g} {unit}/s" if job.rate else ""
            text = f"{job.stage}: {job.done:,} of {job.total:,} {unit}{rate}"
            st.progress(job.fraction, text=text)
        if job.should_stop():
            st.caption("Stopping at the next chunk…")
        elif st.button("Cancel", key=f"{key}-cancel", icon="⏹️", on_click=job.cancel):
            st.rerun(
                scope="fragment"
            )  # the callback cancelled it: a look-and-wait above cannot lose the click

    panel()


def show_job(key: str, *, what: str, unit: str = "samples") -> list:
    """A page's background job under ``key``, after its Run button: take it if it has ended, say how it
    ended (``show_outcome``), and draw its live panel (``watch``) while it runs. Returns what a job that has
    just ended kept (its partial results, for the page to keep), else an empty list."""
    finished = take_finished(key)
    show_outcome(key, finished, what)
    if key in st.session_state:
        progress_panel(key, unit=unit)
    return list(finished.partial) if finished is not None else []


def jobs_panel() -> None:
    """The operator's Jobs panel: every queued and running job of the server (who, what, since when), with
    a Cancel each."""
    jobs = job_runner().jobs()
    with st.expander(f"Jobs ({len(jobs)})"):
        if not jobs:
            st.caption("No run is queued or running.")
        for job in jobs:
            since = time.strftime("%H:%M:%S", time.localtime(job.submitted_at))
            st.markdown(f"**{job.owner or '?'}** · {job.label} · {job.state} since {since}")
            if job.stage:
                st.caption(f"{job.stage}: {job.done:,} of {job.total:,}")
            if not job.should_stop() and st.button(
                "Cancel", key=f"pilab_cancel_{job.id}", on_click=job.cancel
            ):
                st.rerun()
