"""Every page under AppTest (no browser): loads clean; the π pages run, cancel and keep their results."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from core.pi import BACKENDS, estimate, executors
from core.pi.points import MAX_POINTS
from tests.support.apptest import APP, PAGES, app, press, run_pi, until
from ui.pi.settings import DEFAULTS


@pytest.mark.parametrize("page", PAGES)
def test_every_page_loads_without_an_exception(page):
    at = app(page)
    assert not at.exception, at.exception
    assert at.title, f"{page} shows no title"


def test_home_lists_every_backend():
    at = app()
    table = at.dataframe[0].value
    assert list(table["backend"]) == list(BACKENDS)


def test_pi_run_shows_each_backend_with_its_exact_count_and_writes_the_url():
    at = run_pi(app("pages/pi_estimate.py"), 10**6, ["numpy_chunked", "dask"], seed=7)
    until(at, lambda a: "pi_job" not in a.session_state)
    assert not at.exception
    exact = estimate("numba_parallel", 10**6, seed=7)
    values = [m.value for m in at.metric]
    assert values == [f"{exact.pi:.6f}"] * 2
    assert [e.backend for e in at.session_state.pi_results] == ["numpy_chunked", "dask"]
    assert dict(at.query_params) == {
        "n": "1e6",
        "backends": "numpy_chunked,dask",
        "seed": "7",
        "workers": str(executors.default_workers()),  # the slider's default: one per core here
    }
    history = at.session_state.pi_history
    assert len(history) == 2 and {h["inside"] for h in history} == {exact.inside}
    charts = at.get("plotly_chart")
    points = json.loads(charts[0].proto.spec)
    counts = {
        t["name"].split()[0]: int(t["name"].split("(")[1].rstrip(")").replace(",", ""))
        for t in points["data"]
        if t["name"].startswith(("inside", "outside"))
    }
    assert counts["inside"] == estimate("numpy_chunked", MAX_POINTS, seed=7).inside
    assert counts["inside"] + counts["outside"] == MAX_POINTS  # never more, whatever N
    assert [image["source"][:22] for image in points["layout"]["images"]] == ["data:image/png;base64,"]
    assert len(charts[0].proto.spec) < 300_000  # one picture, whatever it holds


def test_pi_before_a_run_draws_the_empty_square_for_the_chosen_n():
    at = app("pages/pi_estimate.py", query={"n": "1e7"})
    assert not at.exception and not at.metric
    (chart,) = at.get("plotly_chart")
    square = json.loads(chart.proto.spec)
    assert square["layout"]["title"]["text"] == "Press Run: 10,000,000 points will land in this square"
    assert [t["name"] for t in square["data"]] == ["x² + y² = 1"] and "images" not in square["layout"]


def test_pi_refuses_what_a_backend_cannot_take_before_running():
    at = run_pi(app("pages/pi_estimate.py"), 5 * 10**8, ["numpy", "numba_parallel"], seed=1)
    assert any("numpy" in w.value and "refused" in w.value for w in at.warning)
    until(at, lambda a: "pi_job" not in a.session_state)
    assert [e.backend for e in at.session_state.pi_results] == ["numba_parallel"]


def test_pi_cancel_stops_the_run_and_keeps_the_finished_backends():
    at = run_pi(app("pages/pi_estimate.py"), 10**9, ["numba_parallel", "python"], seed=3)
    until(at, lambda a: a.session_state.pi_job.stage.startswith("python") and a.session_state.pi_job.done > 0)
    at.button(key="pi_job-cancel").click().run()
    until(at, lambda a: "pi_job" not in a.session_state, timeout=5)
    assert any("Cancelled" in w.value for w in at.warning)
    assert [e.backend for e in at.session_state.pi_results] == ["numba_parallel"]
    at.run()  # a rerun after the end (the live panel's last tick, a widget) keeps saying how it ended
    assert any("Cancelled" in w.value for w in at.warning)
    run_pi(at, 10**6, ["numba_parallel"], seed=4)  # until the next run
    until(at, lambda a: "pi_job" not in a.session_state)
    assert not any("Cancelled" in w.value for w in at.warning)


def test_pi_settings_come_from_a_shared_url():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(
        {"n": "2e7", "backends": "numba,numpy_chunked,bogus", "seed": "99", "workers": "1"}
    )
    at.run().switch_page("pages/pi_estimate.py").run()
    assert at.select_slider(key="pi_n").value == 2 * 10**7
    assert at.multiselect(key="pi_backends").value == ["numba", "numpy_chunked"]
    assert at.number_input(key="pi_seed").value == 99 and at.slider(key="pi_workers").value == 1


def test_a_link_with_non_ascii_digits_is_reported_not_a_traceback():
    # "²" and "¹" pass str.isdigit() but not int(): ?seed=%C2%B2&workers=%C2%B9 once raised on the page
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["seed"] = "²"
    at.query_params["workers"] = "¹"
    at.run().switch_page("pages/pi_estimate.py").run()
    assert not at.exception, at.exception
    assert at.number_input(key="pi_seed").value == DEFAULTS["pi_seed"]
    assert at.slider(key="pi_workers").value == DEFAULTS["pi_workers"] == executors.default_workers()
    assert [t.value for t in at.toast] == ["Ignored in the link: seed=², workers=¹"]


@pytest.mark.slow
def test_benchmark_sweep_checks_agreement_and_finds_a_serial_reference():
    at = app("pages/benchmarks.py")
    at.multiselect(key="bench_backends").set_value(["numba", "numpy_chunked", "numba_parallel"])
    at.select_slider(key="bench_range").set_value((10**3, 10**5))
    at.slider(key="bench_repeat").set_value(1)
    press(at, "Run sweep")
    until(at, lambda a: "bench_job" not in a.session_state)
    assert not at.exception
    timings = at.session_state.bench_timings
    assert {(t.backend, t.n) for t in timings} == {
        (b, n)
        for b in ("numba", "numpy_chunked", "numba_parallel")
        for n in (1000, 2000, 5000, 10**4, 2 * 10**4, 5 * 10**4, 10**5)
    }
    assert any("exactly the same points" in s.value for s in at.success)
    assert len(at.get("plotly_chart")) == 3


def test_a_full_queue_is_a_warning_not_a_traceback(monkeypatch):
    from core.runtime.jobs import Busy, JobRunner

    def full(self, label, work, **limits):
        raise Busy("16 runs are already waiting; try again in a moment")

    monkeypatch.setattr(JobRunner, "submit", full)
    at = run_pi(app("pages/pi_estimate.py"), 10**6, ["numba"], seed=1)
    assert not at.exception
    assert any("server is busy" in w.value for w in at.warning)
    assert "pi_job" not in at.session_state
