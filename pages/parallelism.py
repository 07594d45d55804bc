"""Parallelism lessons: the course's Process, Pool, race, joblib, seed, Numba and Dask lessons, run live."""

import os

import streamlit as st

from core.lessons import lessons
from ui import ensure_app_navigation, url
from ui.lessons.tab import lesson_tab

ensure_app_navigation()
st.title("🧵 Parallelism lessons")
st.markdown(
    "The lecture's lessons on processes, pools, shared memory, joblib, random seeds, Numba and Dask, "
    f"measured live on this machine ({os.cpu_count()} cores). Pick a lesson, press **Run**, read the "
    "numbers, then the why. Every lesson also runs from a terminal: `python -m core.lessons NAME`."
)

every = list(lessons().values())
# The open tab is in the URL (?lesson=Race+and+Lock), so a teacher can bookmark a lesson; only it runs.
tabs = url.tabs([lesson.label for lesson in every], key="lesson")
for i, (tab, lesson) in enumerate(zip(tabs, every, strict=True), 1):
    if tab.open:
        with tab:
            lesson_tab(i, lesson)
