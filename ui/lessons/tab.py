"""A lesson's tab: its claim, its settings form with Run, the result it measured (kept in the session), the
why and the code."""

from __future__ import annotations

import streamlit as st

from core.lessons import Lesson
from core.runtime.checks import Refusal, said
from core.runtime.i18n import Translate, english
from ui.lessons.result import show
from ui.notebooks import lesson_download


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


def kind(exc: BaseException) -> str:
    """The error's type as a lesson's failure names it (a ``Refusal`` is the ``ValueError`` it always was)."""
    return "ValueError" if isinstance(exc, Refusal) else type(exc).__name__


def lesson_tab(number: int, lesson: Lesson, *, _: Translate = english) -> None:
    """Lesson ``number``: Run measures it here (a failure is said on the page, never a traceback)."""
    title = _(lesson.title)
    st.subheader(f"{number}. {title}")
    claim = _(lesson.claim)
    st.markdown(claim[:1].upper() + claim[1:])
    key = f"lesson:{lesson.name}"
    with st.form(f"form:{lesson.name}", border=False):
        params = settings(lesson, _=_)
        run = st.form_submit_button(_("Run"), type="primary", key=f"run:{lesson.name}")
    if run:
        with st.spinner(_("Running {lesson}…", lesson=title.lower())):
            try:
                st.session_state[key] = lesson.measure(**params)
            except Exception as exc:  # a lesson that fails says so on the page, never as a traceback
                st.session_state.pop(key, None)
                st.error(
                    _(
                        "{lesson} failed: {error}",
                        lesson=title,
                        error=f"{kind(exc)}: {said(exc, _)}",
                    )
                )
    result = st.session_state.get(key)
    if result is not None:
        show(result, _=_)
        lesson_download(lesson, params, result, _=_)
    else:
        st.caption(_("Press Run to measure it here."))
    st.markdown(_("**Why.** {why}", why=_(lesson.why)))
    with st.expander(_("The code")):
        st.code(lesson.source(), language="python")
