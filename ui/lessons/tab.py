"""A lesson's tab: its claim, its settings form with Run, the result it measured (kept in the session), the
why and the code."""

from __future__ import annotations

import streamlit as st

from core.lessons import Lesson
from ui.i18n import translator
from ui.lessons.result import show
from ui.notebooks import lesson_download


def settings(lesson: Lesson) -> dict:
    """One number input per parameter of the lesson, inside its form."""
    params = {}
    defaults = lesson.defaults()
    if not defaults:
        return params
    with st.expander("Settings"):
        cols = st.columns(len(defaults))
        for col, (name, default) in zip(cols, defaults.items(), strict=True):
            low, high = lesson.bounds[name]
            whole = isinstance(default, int)
            label = name.replace("_", " ") + (" (0: one per core)" if name == "workers" and low == 0 else "")
            params[name] = col.number_input(
                label,
                min_value=int(low) if whole else float(low),
                max_value=int(high) if whole else float(high),
                value=default,
                step=1 if whole else 0.05,
                key=f"{lesson.name}:{name}",
            )
    return params


def lesson_tab(number: int, lesson: Lesson) -> None:
    """Lesson ``number``: Run measures it here (a failure is said on the page, never a traceback)."""
    st.subheader(f"{number}. {lesson.title}")
    st.markdown(lesson.claim[:1].upper() + lesson.claim[1:])
    key = f"lesson:{lesson.name}"
    with st.form(f"form:{lesson.name}", border=False):
        params = settings(lesson)
        run = st.form_submit_button("Run", type="primary", key=f"run:{lesson.name}")
    if run:
        with st.spinner(f"Running {lesson.title.lower()}…"):
            try:
                st.session_state[key] = lesson.measure(**params)
            except Exception as exc:  # a lesson that fails says so on the page, never as a traceback
                st.session_state.pop(key, None)
                st.error(f"{lesson.title} failed: {type(exc).__name__}: {exc}")
    result = st.session_state.get(key)
    if result is not None:
        show(result)
        lesson_download(lesson, params, result, _=translator())
    else:
        st.caption("Press Run to measure it here.")
    st.markdown(f"**Why.** {lesson.why}")
    with st.expander("The code"):
        st.code(lesson.source(), language="python")
