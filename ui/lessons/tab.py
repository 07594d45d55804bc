"""A lesson's tab: its claim, its settings form with Run, the run itself as a background job of the shared
runner (queued, within a student's limits, with its Cancel and a line in the Jobs panel), the result it
measured (kept in the session), the why and the code."""

from __future__ import annotations

import functools

import streamlit as st

from core.lessons import Lesson
from core.lessons.background import run_lesson
from core.runtime.checks import said
from core.runtime.i18n import Translate, english
from ui.lessons.result import show
from ui.notebooks import lesson_download
from ui.runtime import access
from ui.runtime.jobs import progress_panel, start, take_finished


def settings(lesson: Lesson, *, _: Translate = english) -> dict:
    """One number input per parameter of the lesson, inside its form."""
    params = {}
    defaults = lesson.defaults()
    if not defaults:
        return params
    with st.expander(_("Settings")):
        cols = st.columns(len(defaults))
        for col, (name, default) in zip(cols, defaults.items(), strict=True):
            low, high = lesson.bounds[name]
            whole = isinstance(default, int)
            label = _(lesson.label_of(name))
            if name == "workers" and low == 0:
                label += " " + _("(0: one per core)")
            params[name] = col.number_input(
                label,
                min_value=int(low) if whole else float(low),
                max_value=int(high) if whole else float(high),
                value=default,
                step=1 if whole else 0.05,
                key=f"{lesson.name}:{name}",
            )
    return params


def submit(lesson: Lesson, params: dict, *, _: Translate) -> None:
    """Start the lesson with ``params`` on the shared runner, unless this visitor may not run it so."""
    title = _(lesson.title)
    try:
        refusal = access.policy().lesson_refusal(lesson, params, _=_)
    except ValueError as exc:  # a value outside the lesson's bounds
        refusal = said(exc, _)
    st.session_state.pop(f"lesson-outcome:{lesson.name}", None)
    if refusal:
        st.session_state[f"lesson-outcome:{lesson.name}"] = ("warning", refusal)
        return
    work = functools.partial(run_lesson, lesson=lesson, params=params, stage=title)
    start(f"lesson-job:{lesson.name}", f"lesson {lesson.name}", work, _=_)


def follow(lesson: Lesson, *, _: Translate) -> None:
    """The lesson's job: its result kept once it is done, how it ended otherwise (said until the next Run),
    and its live panel while it is queued or running."""
    job_key, outcome_key = f"lesson-job:{lesson.name}", f"lesson-outcome:{lesson.name}"
    title = _(lesson.title)
    finished = take_finished(job_key)
    if finished is not None and finished.state == "done":
        st.session_state[f"lesson:{lesson.name}"] = finished.result
    elif finished is not None and finished.state == "cancelled":
        st.session_state[outcome_key] = (
            "warning",
            _("Cancelled: {lesson} stopped before its end.", lesson=title),
        )
    elif finished is not None:
        st.session_state.pop(f"lesson:{lesson.name}", None)
        error = _("{lesson} failed: {error}", lesson=title, error=finished.error_text(_))
        st.session_state[outcome_key] = ("error", error)
    kind, text = st.session_state.get(outcome_key, (None, None))
    if kind == "warning":
        st.warning(text)
    elif kind == "error":
        st.error(text)
    if job_key in st.session_state:
        progress_panel(job_key, unit=_("lesson runs"), _=_)


def lesson_tab(number: int, lesson: Lesson, *, _: Translate = english) -> None:
    """Lesson ``number``: Run measures it on the shared runner (a failure is said on the page, never a
    traceback)."""
    title = _(lesson.title)
    st.subheader(f"{number}. {title}")
    claim = _(lesson.claim)
    st.markdown(claim[:1].upper() + claim[1:])
    key = f"lesson:{lesson.name}"
    with st.form(f"form:{lesson.name}", border=False):
        params = settings(lesson, _=_)
        run = st.form_submit_button(_("Run"), type="primary", key=f"run:{lesson.name}")
    if run:
        submit(lesson, params, _=_)
    follow(lesson, _=_)
    result = st.session_state.get(key)
    if result is not None:
        show(result, _=_)
        lesson_download(lesson, params, result, _=_)
    elif f"lesson-job:{lesson.name}" not in st.session_state:
        st.caption(_("Press Run to measure it here."))
    st.markdown(_("**Why.** {why}", why=_(lesson.why)))
    with st.expander(_("The code")):
        st.code(lesson.source(), language="python")
