"""The parallelism page under AppTest: nothing runs on load; Run measures a lesson, shows and keeps it."""

import dataclasses
import functools
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.lessons import lessons
from core.lessons.dask_pi import DaskPiResult
from tests.support.apptest import run_lesson

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def page(lesson: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/parallelism.py").run()
    if lesson:
        at.query_params["lesson"] = lesson  # the tab, as a link to it (?lesson=...) opens it
        at.run()
    return at


def texts(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_page_lists_every_lesson_and_runs_nothing_on_load():
    at = page()
    assert not at.exception
    assert at.title[0].value == "🧵 Parallelism lessons"
    assert [t.label for t in at.tabs] == [lesson.label for lesson in lessons().values()]
    assert [s.value for s in at.subheader] == ["1. Processes sleeping in parallel"]  # only the open tab
    assert [b.key for b in at.button] == ["run:processes"]
    assert not at.metric and not at.success and not any(k.startswith("lesson:") for k in at.session_state)
    assert "Press Run to measure it here." in [c.value for c in at.caption]
    assert "`start()` only launches a process" in texts(at)  # the why
    assert "def sleep_in_parallel(" in at.code[0].value  # the code, from inspect.getsource


@pytest.mark.slow
def test_processes_lesson_runs_with_its_settings_and_keeps_its_result():
    at = page()
    at.number_input(key="processes:seconds").set_value(2.0)  # long beside a busy machine's spawn stagger
    at.number_input(key="processes:processes").set_value(2)
    run_lesson(at, "processes")
    assert not at.exception and not at.error
    result = at.session_state["lesson:processes"]
    assert result.processes == 2 and result.seconds == 2.0
    assert result.parallel_s >= 2.0 and result.one_by_one_s >= 2 * 2.0  # a sleep never takes less
    # started together the second nap overlaps the first: at least half of its 2 s, read from the naps' own
    # clocks (the run's wall time also holds spawning two interpreters, which a busy machine stretches)
    together = [n for n in result.naps if n["run"] == "together"]
    overlap = min(n["end_s"] for n in together) - max(n["start_s"] for n in together)
    assert overlap >= 0.5 * 2.0, result.naps
    assert [m.label for m in at.metric] == ["started together", "one at a time", "sleep in all"]
    assert at.metric[0].value == f"{result.parallel_s:.2f} s" and at.metric[2].value == "4 s"
    assert at.success[0].value == result.headline()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {trace["name"] for trace in spec["data"]} == {"together", "one at a time"}
    assert len(at.dataframe[0].value) == 4  # two naps each way
    at.run()  # any rerun (a widget touched, another tab) keeps the numbers
    assert at.session_state["lesson:processes"] is result
    assert at.metric[0].value == f"{result.parallel_s:.2f} s"


@pytest.mark.slow
def test_race_tab_shows_lost_updates_and_the_exact_locked_count():
    at = page("Race and Lock")
    assert [s.value for s in at.subheader] == ["4. A shared Value: race and Lock"]
    at.number_input(key="race:trials").set_value(3)  # one trial losing is the lesson; all three need not
    run_lesson(at, "race")
    assert not at.exception and not at.error
    metrics = {m.label: m for m in at.metric}
    assert metrics["expected"].value == "90,000"
    worst = int(metrics["worst without a lock"].value.replace(",", ""))
    assert worst < 90_000 and metrics["worst without a lock"].delta == f"{worst - 90_000:,} lost"
    assert metrics["with the lock"].value == "90,000" and metrics["with the lock"].delta == "exact"
    assert list(at.dataframe[0].value["with the lock"]) == [90_000] * 3
    assert min(at.dataframe[0].value["without a lock"]) == worst


@pytest.mark.slow
def test_numba_tab_shows_the_typing_errors_as_the_lesson():
    at = page("Numba and pandas")
    run_lesson(at, "numba_pandas")
    assert not at.exception and not at.error
    assert at.metric[0].value == "2 of 2"
    messages = [c.value for c in at.code]
    assert any("Unknown attribute 'DataFrame' of type Module(<module 'pandas'>)" in m for m in messages)
    assert any("Cannot determine Numba type of <class 'dict'>" in m for m in messages)


def test_dask_tab_links_the_dashboard(monkeypatch):
    from core.lessons import dask_pi

    result = DaskPiResult(  # the numbers a run gives (the lesson itself is tested in test_lessons.py)
        n=10**6,
        seed=7,
        workers=2,
        pi=3.1416,
        error=3.1416 - 3.141592653589793,
        inside=785_400,
        serial_inside=785_400,
        elapsed_s=0.2,
        startup_s=4.0,
        serial_s=0.01,
        dashboard="http://127.0.0.1:8787/status",
        dashboard_note="the dashboard needs bokeh >= 3.1, which is not installed here",
    )

    @functools.wraps(dask_pi.dask_pi)  # the lesson's parameters, so the page draws and checks them as ever
    def measured(**params) -> DaskPiResult:
        return result

    monkeypatch.setattr(dask_pi, "LESSON", dataclasses.replace(dask_pi.LESSON, function=measured))
    at = page("Dask")
    run_lesson(at, "dask_pi")
    assert not at.exception
    assert at.get("link_button")[0].proto.url == "http://127.0.0.1:8787/status"
    assert "Note: the dashboard needs bokeh" in "\n".join(c.value for c in at.caption)
    assert {m.label: m.value for m in at.metric}["same points as serial NumPy"] == "yes"


def test_a_failing_lesson_is_an_error_message_not_a_traceback(monkeypatch):
    from core.lessons import race

    def broken(processes: int = 3, increments: int = 30_000, trials: int = 3):
        raise OSError("no more processes")

    monkeypatch.setattr(race, "LESSON", dataclasses.replace(race.LESSON, function=broken, isolated=False))
    at = page("Race and Lock")
    run_lesson(at, "race")
    assert not at.exception
    assert at.error[0].value == "A shared Value: race and Lock failed: OSError: no more processes"
