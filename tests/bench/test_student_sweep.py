"""A student's sweep on the Benchmarks page obeys the π page's limits: every (backend, n) pair the π page
would refuse is dropped (``slow_max_n`` as well as ``student_max_n``), the page says which, in English and in
Spanish, and the sweep goes through the job runner with the student's time budget."""

import pytest

from tests.lessons.test_spanish import english_left, readable_text
from tests.support.apptest import app, press, until

SLOW_1E3 = {"pilab": {"locked": True, "slow_max_n": 1e3, "job_budget_s": 20}}


def sweep(at, label: str):
    at.multiselect(key="bench_backends").set_value(["python", "numpy", "numpy_chunked"])
    at.select_slider(key="bench_range").set_value((10**3, 10**4))
    at.slider(key="bench_repeat").set_value(1)
    press(at, label)
    job = at.session_state.get("bench_job")
    until(at, lambda a: "bench_job" not in a.session_state)
    assert not at.exception, at.exception
    return job


@pytest.mark.slow
def test_a_students_sweep_drops_python_and_numpy_above_slow_max_n_and_says_so():
    at = app("pages/benchmarks.py", secrets=SLOW_1E3)
    job = sweep(at, "Run sweep")
    assert job is not None and job.owner.startswith("student ") and job.budget_s == 20
    pairs = {(t.backend, t.n) for t in at.session_state.bench_timings}
    assert {n for b, n in pairs if b in ("python", "numpy")} == {10**3}
    assert {n for b, n in pairs if b == "numpy_chunked"} == {10**3, 2 * 10**3, 5 * 10**3, 10**4}
    notes = [i.value for i in at.info]
    for name in ("python", "numpy"):
        line = f"**{name}**: this server lets students run it on up to n = 1e3; its larger sizes are dropped."
        assert line in notes
    assert not any("numpy_chunked**" in n for n in notes)
    assert "This server lets students sweep within 20 s." in notes


@pytest.mark.slow
def test_the_students_sweep_notes_read_in_spanish():
    at = app("pages/benchmarks.py", secrets=SLOW_1E3, query={"lang": "es"})
    sweep(at, "Ejecutar barrido")
    notes = [i.value for i in at.info]
    assert (
        "**python**: este servidor deja a los estudiantes ejecutarlo hasta n = 1e3; se quitan sus tamaños "
        "mayores." in notes
    )
    assert "Este servidor deja a los estudiantes hacer barridos de hasta 20 s." in notes
    left = english_left(readable_text(at))
    assert not left, f"English left on the student's Spanish Benchmarks page: {left}"


def test_the_operators_sweep_is_not_cut():
    at = app("pages/benchmarks.py", secrets={"pilab": {"slow_max_n": 1e3}})  # loopback: the operator
    at.multiselect(key="bench_backends").set_value(["numpy"])
    at.select_slider(key="bench_range").set_value((10**3, 2 * 10**3))
    at.slider(key="bench_repeat").set_value(1)
    press(at, "Run sweep")
    until(at, lambda a: "bench_job" not in a.session_state)
    assert {t.n for t in at.session_state.bench_timings} == {10**3, 2 * 10**3}
    assert not at.info or not any("students" in i.value for i in at.info)
