"""Parallelism lessons: the course's Process, Pool, race, joblib, seed, Numba and Dask lessons, run live."""

import os

import plotly.express as px
import streamlit as st

from core.lessons import Lesson, Result, lessons
from ui import ensure_app_navigation, url
from ui.runtime import access

ensure_app_navigation()
st.title("🧵 Parallelism lessons")
st.markdown(
    "The lecture's lessons on processes, pools, shared memory, joblib, random seeds, Numba and Dask, "
    f"measured live on this machine ({os.cpu_count()} cores). Pick a lesson, press **Run**, read the "
    "numbers, then the why. Every lesson also runs from a terminal: `python -m core.lessons NAME`."
)


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


def chart(result: Result) -> None:
    """The lesson's chart, if it has one: grouped bars, or a timeline of processes."""
    import pandas as pd

    if result.chart is None:
        return
    spec = result.chart
    data = pd.DataFrame(result.chart_rows())
    if spec.kind == "timeline":
        label, start, end = spec.x, spec.y, spec.colour
        data["seconds"] = data[end] - data[start]
        fig = px.bar(data, y=label, x="seconds", base=start, orientation="h", color="run", labels={label: ""})
        fig.update_yaxes(autorange="reversed")
        fig.update_xaxes(title="seconds since the first start()")
    else:
        heights = data[spec.y]
        text = heights.map(_seconds) if spec.y == "seconds" else heights.map("{:,}".format)
        fig = px.bar(data, x=spec.x, y=spec.y, color=spec.colour, barmode="group", text=text)
    fig.update_traces(textposition="outside", textangle=0, cliponaxis=False)
    fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend_title_text="")
    st.plotly_chart(fig, key=f"chart:{type(result).__name__}")


def _seconds(s: float) -> str:
    return f"{s * 1e6:.0f} µs" if s < 1e-3 else f"{s * 1e3:.0f} ms" if s < 1 else f"{s:.2f} s"


def show(result: Result) -> None:
    """A lesson's numbers: headline, metrics, chart, messages, links and table."""
    st.success(result.headline)
    metrics = result.metrics()
    for col, metric in zip(st.columns(len(metrics)), metrics, strict=True):
        col.metric(*metric)
    chart(result)
    for caption, text in result.messages():
        st.caption(caption)
        st.code(text, language=None)
    for label, link, note in result.links() if access.is_operator() else ():  # internal addresses
        st.link_button(label, link)
        if note:
            st.caption(f"Note: {note}.")
    table = result.table
    if not table.empty:
        st.dataframe(table, hide_index=True)


def lesson_tab(number: int, lesson: Lesson) -> None:
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
    else:
        st.caption("Press Run to measure it here.")
    st.markdown(f"**Why.** {lesson.why}")
    with st.expander("The code"):
        st.code(lesson.source(), language="python")


every = list(lessons().values())
# The open tab is in the URL (?lesson=Race+and+Lock), so a teacher can bookmark a lesson; only it runs.
tabs = url.tabs([lesson.label for lesson in every], key="lesson")
for i, (tab, lesson) in enumerate(zip(tabs, every, strict=True), 1):
    if tab.open:
        with tab:
            lesson_tab(i, lesson)
