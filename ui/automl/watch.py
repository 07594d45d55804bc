"""The AutoML explorer's live watch: start one (operator), its controls (pause, stop), its status line, and
the timer of the fragment that redraws the page's results as children arrive.

The polling runs on the watch's own thread (``core.automl.sources.watch``); the page only reads its latest
snapshot, so a redraw never waits on a service. One watch a source a server: a student who opens the cached
pull a running watch writes sees it grow too, without any control over it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from core import automl
from core.automl.sources import cache
from core.automl.sources import watch as live
from core.runtime.i18n import N_, Translate, english
from core.runtime.message import in_language
from ui.safe_text import MESSAGE_LIMIT, plain

ENV_EVERY = "PILAB_WATCH_EVERY"  # the default seconds between polls (10)
EVERY_CHOICES = (2.0, 5.0, 10.0, 30.0, 60.0)
MAX_REDRAW_S = 5.0
COUNTS = {  # how many children are in each state (live.STATES), for the eye
    live.RUNNING: N_("{n} running"),
    live.COMPLETED: N_("{n} completed"),
    live.FAILED: N_("{n} failed"),
    live.CANCELLED: N_("{n} canceled"),
}
STATES = {  # the parent run's state as the watch names it (live.STATES), for the eye
    live.RUNNING: N_("running"),
    live.COMPLETED: N_("completed"),
    live.FAILED: N_("failed"),
    live.CANCELLED: N_("canceled"),
}


def default_every() -> float:
    """``$PILAB_WATCH_EVERY`` seconds when it is a number in range, else 10."""
    try:
        every = float(os.environ.get(ENV_EVERY, "10"))
    except ValueError:
        return 10.0
    return every if live.MIN_EVERY_S <= every <= live.MAX_EVERY_S else 10.0


def start_button(
    kind: str, key: str, make_source: Callable[[], automl.Source], *, name: str, _: Translate = english
) -> None:
    """Operator only: a "Watch live" button that starts (or rejoins) the watch of ``name`` for ``kind``."""
    if st.button(_("Watch live"), key=key, help=_("poll the job's children until its parent run ends")):
        try:
            source = make_source()
        except automl.AutoMLError as exc:
            st.error(plain(exc.text(_), MESSAGE_LIMIT), icon="⚠️")
            return
        start(kind, source, name)


def start(kind: str, source: automl.Source, name: str) -> live.Watch:
    """Start the watch of ``name`` and make it this session's ``kind`` view."""
    watch = live.start_watch(source, name, default_every())
    st.session_state[f"automl_watch_{kind}"] = name
    st.session_state.pop(f"automl_pulled_{kind}", None)
    st.session_state.automl_watch_pause = False
    return watch


def for_source(source: str, cached: Path | None) -> live.Watch | None:
    """The watch this view follows: the operator's own (MLflow, Azure ML) or the running one that writes the
    chosen cached pull."""
    if source == "cached":
        return live.watching(cached) if cached is not None else None
    name = st.session_state.get(f"automl_watch_{source}")
    return live.find(name) if name else None


def controls(watch: live.Watch, *, operator: bool, _: Translate = english) -> float | None:
    """The pause switch (and for the operator a Stop button); the redraw interval, None when paused or the
    watch has ended."""
    snap = watch.snapshot()
    if not watch.alive():
        return None  # ended or stopped: nothing to pause
    left, right = st.columns([3, 1], vertical_alignment="center")
    paused = left.toggle(
        _("Pause live updates"),
        key="automl_watch_pause",
        help=_("holds this page as it is; the watch stops polling meanwhile")
        if operator
        else _("holds this page as it is"),
    )
    if operator:
        if paused != snap.paused:
            watch.pause(paused=paused)
        if right.button(_("Stop watching"), key="automl_watch_stop", on_click=watch.stop):
            st.rerun()
    if paused:
        return None
    return min(max(watch.every / 2, live.MIN_EVERY_S), MAX_REDRAW_S)


def state_name(state: str, _: Translate = english) -> str:
    """A run's state (``live.STATES``) in ``_``'s language; one the watch does not name, as it is."""
    return _(STATES[state]) if state in STATES else state


def status(snap: live.Snapshot, redraw: float | None, *, _: Translate = english) -> None:
    """Where the watch stands: the children's counts, last updated … · next in …, an error and its retry."""
    now = time.time()
    counts = " · ".join(
        _(COUNTS[state], n=_.number(n)) if state in COUNTS else f"{_.number(n)} {plain(state)}"
        for state, n in snap.counts.items()
    )
    if snap.updated_at is None:
        when = _("waiting for the first poll") if not snap.polls else _("no child runs yet")
    else:
        at = time.strftime("%H:%M:%S", time.localtime(snap.updated_at))
        when = _("last updated {time}", time=at)
    if snap.done:
        if snap.stopped and snap.state not in live.ENDED:
            ended = _("stopped")
        else:
            ended = _("the job {state}", state=plain(state_name(snap.state, _)))
        st.success(
            _("Live watch ended: {ended}. {counts} · {when}.", ended=ended, counts=counts, when=when),
            icon="🏁",
        )
    elif redraw is None:
        st.info(_("Live watch paused: {counts} · {when}.", counts=counts, when=when), icon="⏸️")
    else:
        after = _.number(max(0, round((snap.next_at or now) - now)))
        st.info(
            _(
                "Live: parent {state} · {counts} · {when} · next in {after} s",
                state=plain(state_name(snap.state, _)),
                counts=counts,
                when=when,
                after=after,
            ),
            icon="📡",
        )
    if snap.error and not snap.done:
        after = _.number(max(0, round((snap.next_at or now) - now)))
        st.warning(
            _(
                "The last poll failed ({failures} in a row; next try in {after} s): {error}. "
                "The data shown is the last good pull.",
                failures=_.number(snap.failures),
                after=after,
                error=plain(in_language(snap.error, _), MESSAGE_LIMIT),
            ),
            icon="⚠️",
        )


def data_of(watch: live.Watch, *, operator: bool) -> automl.AutoMLData | None:
    """The watch's latest data as this visitor may see it (a student: the cached pull's shareable form)."""
    data = watch.snapshot().data
    if data is None or operator:
        return data
    return cache.shareable(data, cache.student_label(watch.path))
