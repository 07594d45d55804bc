"""A student's lesson obeys the same limits as every run: past ``student_max_n`` (or with more workers than
cores) it is refused before it starts; within them it runs on the shared job runner, queued, with the time
budget, a line in the operator's Jobs panel and a Cancel that stops it."""

import dataclasses
import functools
import time

import pytest

from core.lessons import processes
from core.runtime import cancel
from tests.lessons.test_spanish import english_left, readable_text
from tests.support.apptest import app, texts, until

LIMITED = {"pilab": {"locked": True, "student_max_n": 1e4}}


def test_a_student_lesson_past_student_max_n_is_refused_before_it_starts():
    at = app("pages/parallelism.py", secrets=LIMITED, query={"lesson": "Dask"})
    at.button(key="run:dask_pi").click().run()
    assert not at.exception, at.exception
    warning = "students may run this lesson with n up to 10,000 on this server, not 20,000,000"
    assert [w.value for w in at.warning] == [warning]
    assert "lesson-job:dask_pi" not in at.session_state and "lesson:dask_pi" not in at.session_state
    at.number_input(key="dask_pi:n").set_value(10**4)
    at.number_input(key="dask_pi:workers").set_value(1)
    at.button(key="run:dask_pi").click().run()
    assert not at.warning  # within the limits: it starts
    until(at, lambda a: "lesson-job:dask_pi" not in a.session_state, timeout=180)
    assert at.session_state["lesson:dask_pi"].n == 10**4


def test_the_refusal_reads_in_spanish():
    at = app("pages/parallelism.py", secrets=LIMITED, query={"lesson": "Dask", "lang": "es"})
    at.button(key="run:dask_pi").click().run()
    (warning,) = [w.value for w in at.warning]
    assert "10.000" in warning and "20.000.000" in warning and warning.startswith("en este servidor")
    left = english_left(readable_text(at))
    assert not left, f"English left on the student's Spanish lessons page: {left}"


@pytest.fixture
def endless(monkeypatch):
    """The processes lesson, made to run until it is cancelled (in this process, costing no CPU)."""

    @functools.wraps(processes.sleep_in_parallel)
    def sleeping(**params):
        while not cancel.requested():
            time.sleep(0.02)
        raise cancel.Cancelled("stopped")

    lesson = dataclasses.replace(processes.LESSON, function=sleeping, isolated=False)
    monkeypatch.setattr(processes, "LESSON", lesson)


@pytest.mark.slow
def test_a_students_lesson_is_a_job_in_the_jobs_panel_and_its_cancel_stops_it(endless):
    student = app("pages/parallelism.py", secrets={"pilab": {"locked": True, "job_budget_s": 30}})
    student.button(key="run:processes").click().run()
    job = student.session_state["lesson-job:processes"]
    assert job.owner.startswith("student ") and job.budget_s == 30 and job.label == "lesson processes"
    assert not student.exception and [b.key for b in student.button if b.label == "Cancel"]
    operator = app()
    assert f"**{job.owner}** · lesson processes · running since" in texts(operator)
    student.button(key="lesson-job:processes-cancel").click().run()
    until(student, lambda a: "lesson-job:processes" not in a.session_state, timeout=30)
    assert job.state == "cancelled"
    assert [w.value for w in student.warning] == [
        "Cancelled: Processes sleeping in parallel stopped before its end."
    ]
    assert "lesson:processes" not in student.session_state


@pytest.mark.slow
def test_a_second_lesson_while_one_runs_is_one_line_with_its_cancel(endless):
    student = app("pages/parallelism.py", secrets={"pilab": {"locked": True}})
    student.button(key="run:processes").click().run()
    job = student.session_state["lesson-job:processes"]
    try:
        student.query_params["lesson"] = "Race and Lock"
        student.run()
        student.button(key="run:race").click().run()
        line = "You already have a run running (lesson processes): wait for it to end, or cancel it."
        assert [w.value for w in student.warning] == [line]
        assert "lesson-job:race" not in student.session_state
        student.button(key=f"pilab_cancel_mine_{job.id}").click().run()
        assert job.should_stop()  # the line's Cancel stops the visitor's run
    finally:
        job.cancel()
    until(student, lambda a: job.over, timeout=30)
