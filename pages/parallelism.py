"""Parallelism lessons: the course's Process, Pool, race, joblib, seed, Numba, Dask, threads, coroutines and
compiler lessons, run live."""

import os

import streamlit as st

from core.lessons import lessons
from ui import ensure_app_navigation, url
from ui.i18n import translator
from ui.lessons.tab import lesson_tab

ensure_app_navigation()
_ = translator()
st.title("🧵 " + _("Parallelism lessons"))
st.markdown(
    _(
        "The lecture's lessons on processes, pools, shared memory, joblib, random seeds, Numba, Dask, "
        "threads and the GIL, coroutines and what the compiler emits, measured "
        "live on this machine ({cores} cores). Pick a lesson, press **Run**, read the numbers, then "
        "the why. Every lesson also runs from a terminal: `python -m core.lessons NAME`.",
        cores=_.number(os.cpu_count() or 1),
    )
)

every = list(lessons().values())
# The open tab is in the URL (?lesson=Race+and+Lock, in every language), so a teacher can bookmark a lesson;
# only it runs.
labels = [lesson.label for lesson in every]
tabs = url.tabs(labels, key="lesson", _=_)
for i, (tab, lesson) in enumerate(zip(tabs, every, strict=True), 1):
    if tab.open:
        with tab:
            lesson_tab(i, lesson, _=_)
