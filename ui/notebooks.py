"""The "Download as notebook" buttons: a lesson's run and a π run as a ``.ipynb`` in the reader's language,
built only when the button is pressed."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.lessons import Lesson, Result
from core.lessons.notebook import lesson_notebook, standalone
from core.pi.engine import Estimate
from core.pi.notebook import pi_notebook
from core.runtime.i18n import Translate

IPYNB = "application/x-ipynb+json"


def lesson_download(lesson: Lesson, params: dict[str, Any], result: Result, *, _: Translate) -> None:
    """The button under a lesson's result (none for a lesson that runs Pi Lab's own code: ``dask_pi``)."""
    if not standalone(lesson):
        return
    checked = lesson.check(params)
    st.download_button(
        _("Download as notebook"),
        lambda: lesson_notebook(lesson, checked, result, _=_),
        f"pilab-{lesson.name}-{_.lang}.ipynb",
        IPYNB,
        icon="📓",
        key=f"notebook:{lesson.name}",
        on_click="ignore",
    )


def pi_download(estimates: list[Estimate], *, _: Translate) -> None:
    """The button under a π run's results."""
    st.download_button(
        _("Download as notebook"),
        lambda: pi_notebook(estimates, _=_),
        f"pilab-pi-{_.lang}.ipynb",
        IPYNB,
        icon="📓",
        key="notebook:pi",
        on_click="ignore",
    )
