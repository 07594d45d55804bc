"""The shared job runner, the progress panel that shows a background job (progress, samples/s, Cancel), and
the operator's panel of every job."""

from __future__ import annotations

import math
import time

import streamlit as st

from core.pi import executors
from core.runtime.i18n import N_, Translate
from core.runtime.jobs import Busy, Job, JobRunner
from ui.i18n import translator
from ui.runtime import access, timing

FIRST_LOOK_S = 0.25  # a run that ends this soon after the click is drawn in the click's own script run
POLL_S = 0.25  # the live panel looks this often, and each look waits up to LONG_POLL_S for the end
LONG_POLL_S = 0.2
STATES = {  # a job's state as the Jobs panel says it
    "queued": N_("queued"),
    "running": N_("running"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
    "failed": N_("failed"),
}


@st.cache_resource
def job_runner() -> JobRunner:
    """One runner for every session of this server: runs take turns, since each fast one uses every core."""
    return JobRunner(slots=1, max_waiting=16)


def start(key: str, label: str, work, *, _: Translate | None = None) -> Job | None:
    """Submit ``work(job)`` to the shared runner and keep the job under ``key`` (returned; None when it was
    not started). A full queue is a warning (in ``_``'s language, by default the visitor's); a second run
    while this visitor's run is queued or running says so in one line and offers that run's Cancel. A
    student's job meets the limits of ``ui.runtime.access.policy``: runs per visitor, the share of the queue
    one address may hold, and the time budget."""
    _ = _ or translator()
    runner = job_runner()
    owner = access.visitor()
    limits = access.policy().job_limits(runner.max_waiting + runner.slots)
    here: Job | None = st.session_state.get(key)
    mine = [here] if here is not None and not here.over else runner.owned_by(owner)
    if mine and (mine[0] is here or len(mine) >= limits.get("per_owner", math.inf)):
        already_running(mine[0], _=_)
        return None
    try:
        job = runner.submit(label, work, owner=owner, address=access.client_address(), **limits)
    except Busy as exc:
        st.warning(_("The server is busy: {reason}.", reason=exc.text(_)))
        return None
    st.session_state[key] = job
    st.session_state.pop(_outcome(key), None)  # the last job's outcome: replaced by this one's
    job.wait(FIRST_LOOK_S)  # a short run's results then come with this very script run
    return job


def already_running(job: Job, *, _: Translate) -> None:
    """One line: this visitor's run ``job`` is still queued or running (in this tab or another), with its
    Cancel."""
    text, cancel = st.columns([5, 1], vertical_alignment="center")
    text.warning(
        _(
            "You already have a run {state} ({label}): wait for it to end, or cancel it.",
            state=_(STATES[job.state]),
            label=job.label,
        )
    )
    cancel.button(_("Cancel"), key=f"pilab_cancel_mine_{job.id}", icon="⏹️", on_click=job.cancel)


def take_finished(key: str) -> Job | None:
    """The job under ``key`` if it has ended (removed from the session), else None."""
    job = st.session_state.get(key)
    if job is not None and job.over:
        del st.session_state[key]
        timing.job_ran(job.label, job.started_at, job.ended_at)
        return job
    return None


def show_outcome(key: str, finished: Job | None, what: str, *, _: Translate | None = None) -> None:
    """Say how the last job under ``key`` ended, if it was cancelled or failed, and what it kept (``what``:
    already in ``_``'s language). Said again on every run of the page until the next job starts: a rerun
    right after the end (the live panel's last tick, a widget) would otherwise wipe it."""
    _ = _ or translator()
    if finished is not None:
        st.session_state[_outcome(key)] = finished
    job: Job | None = st.session_state.get(_outcome(key))
    if job is None:
        return
    kept = len(job.partial)
    if job.state == "cancelled":
        st.warning(
            _(
                "Cancelled. {n} {what} finished before the stop and are kept below.",
                n=_.number(kept),
                what=what,
            )
        )
    elif job.state == "failed":
        first = _(" ({n} {what} finished first and are kept.)", n=_.number(kept), what=what) if kept else ""
        st.error(f"{job.error_text(_)}{first}")


def _outcome(key: str) -> str:
    return f"{key}-outcome"


def progress_panel(key: str, unit: str | None = None, *, _: Translate | None = None) -> None:
    """The running job under ``key``, live: progress bar, rate, queue place and Cancel (``unit``, samples by
    default, already in ``_``'s language). Each look waits a moment for the job's end, so results are drawn
    as soon as it comes, not at the next tick."""
    _ = _ or translator()
    unit = unit or _("samples")

    @st.fragment(run_every=POLL_S)
    def panel() -> None:
        job: Job | None = st.session_state.get(key)
        if job is None or job.wait(LONG_POLL_S):
            st.rerun(scope="app")
        if job.state == "queued":
            ahead = job_runner().waiting_ahead(job)
            st.info(
                _(
                    "Waiting for another run on this server to finish ({n} more queued ahead of this one).",
                    n=_.number(ahead),
                )
            )
        elif job.done == 0 and executors.warming():
            text = _("{stage}: warming up the pools, the Dask cluster and Numba …", stage=job.stage)
            st.progress(0.0, text=text)
        else:
            rate = _(" · {rate} {unit}/s", rate=_.significant(job.rate), unit=unit) if job.rate else ""
            done, total = _.number(job.done), _.number(job.total)
            text = _("{stage}: {done} of {total} {unit}", stage=job.stage, done=done, total=total, unit=unit)
            st.progress(job.fraction, text=text + rate)
        if job.should_stop():
            st.caption(_("Stopping at the next chunk…"))
        elif st.button(_("Cancel"), key=f"{key}-cancel", icon="⏹️", on_click=job.cancel):
            st.rerun(
                scope="fragment"
            )  # the callback cancelled it: a look-and-wait above cannot lose the click

    panel()


def show_job(key: str, *, what: str, unit: str | None = None, _: Translate | None = None) -> list:
    """A page's background job under ``key``, after its Run button: take it if it has ended, say how it
    ended (``show_outcome``), and draw its live panel (``watch``) while it runs (``what`` and ``unit`` in
    ``_``'s language, by default the visitor's). Returns what a job that has just ended kept (its partial
    results, for the page to keep), else an empty list."""
    _ = _ or translator()
    finished = take_finished(key)
    show_outcome(key, finished, what, _=_)
    if key in st.session_state:
        progress_panel(key, unit=unit, _=_)
    return list(finished.partial) if finished is not None else []


def jobs_panel(*, _: Translate | None = None) -> None:
    """The operator's Jobs panel: every queued and running job of the server (who, what, since when), with
    a Cancel each, in ``_``'s language (by default the visitor's)."""
    _ = _ or translator()
    jobs = job_runner().jobs()
    with st.expander(_("Jobs ({n})", n=_.number(len(jobs)))):
        if not jobs:
            st.caption(_("No run is queued or running."))
        for job in jobs:
            since = time.strftime("%H:%M:%S", time.localtime(job.submitted_at))
            state = _(STATES[job.state])
            st.markdown(
                _(
                    "**{owner}** · {label} · {state} since {since}",
                    owner=job.owner or "?",
                    label=job.label,
                    state=state,
                    since=since,
                )
            )
            if job.stage:
                done, total = _.number(job.done), _.number(job.total)
                st.caption(_("{stage}: {done} of {total}", stage=job.stage, done=done, total=total))
            if not job.should_stop() and st.button(
                _("Cancel"), key=f"pilab_cancel_{job.id}", on_click=job.cancel
            ):
                st.rerun()
