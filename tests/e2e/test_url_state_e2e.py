"""A link's settings and the user's choices survive every rerun, on a fresh ``streamlit run app.py`` server
(issue 25): the π page, the AutoML explorer and the lessons, each ten times in a row.

The clicks come as a quick person makes them, as soon as a button is there, not after the page has settled:
a value written into ``st.session_state`` reaches the browser in one run only, and a click that lands while
that run is still being drawn used to leave the browser with the widget's own default (``ui.widgets``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.pi import estimate
from tests.support.browser import no_exception, serve_app, wait_for_app, wait_for_results

SHOTS = Path(".pytest_cache") / "screens"

pytestmark = pytest.mark.slow
TRIES = 10
FIVE = ["numpy_chunked", "numba_parallel", "multiprocessing", "joblib", "dask"]
PI_LINK = f"/pi_estimate?n=1e6&backends={','.join(FIVE)}&seed=7&workers=2"


def chosen_backends(page) -> list[str]:
    box = page.get_by_test_id("stMultiSelect").filter(has_text="Backends")
    return [line for line in box.inner_text().splitlines() if line.strip() and line != "Backends"]


def card(page, label: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def pi_steps(page, url: str) -> None:
    """Open the bookmarked demo, Run, type another seed, Run again: the five backends stay."""
    page.goto(url + PI_LINK)
    run = page.get_by_role("button", name="Run", exact=True)
    run.click()
    wait_for_results(page, seed=7)
    page.get_by_label("Seed", exact=True).fill("20")
    run.click()
    lost = page.get_by_text("Pick at least one backend.")
    page.get_by_text("samples, seed 20").or_(lost).first.wait_for()
    assert lost.count() == 0, f"the backends were lost: {chosen_backends(page)}"
    wait_for_results(page, seed=20)
    main = page.inner_text('[data-testid="stMain"]')
    assert main.count(f"{estimate('numba_parallel', 10**6, seed=20).pi:.6f}") == len(FIVE), main[:1500]
    assert chosen_backends(page) == FIVE
    assert "1e6" in page.get_by_test_id("stSlider").first.inner_text()
    assert page.get_by_label("Seed", exact=True).input_value() == "20"
    assert re.search(r"seed=20&workers=2$", page.url) and "backends=numpy_chunked" in page.url
    assert no_exception(page)


def attempt(page, steps, url: str, number: int, name: str) -> None:
    """``steps(page, url)``; a failure names the attempt and leaves a screenshot of the page."""
    try:
        steps(page, url)
    except Exception as exc:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"FAILED-{name}-attempt{number}.png"), full_page=True)
        raise AssertionError(f"attempt {number} of {TRIES}: {exc}") from exc


def test_a_bookmarked_demo_keeps_its_backends_run_after_run(browser):
    for number in range(1, TRIES + 1):
        with serve_app(launcher=False) as (url, _):  # a fresh `streamlit run app.py` every time
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.set_default_timeout(60_000)
            try:
                attempt(page, pi_steps, url, number, "pi")
            finally:
                context.close()


@pytest.fixture(scope="module")
def fresh_app_url():
    """A fresh ``streamlit run app.py``: its first session is its first deep link."""
    with serve_app(launcher=False) as (url, _):
        yield url


def automl_steps(page, url: str) -> None:
    """Open a shared view, toggle, change tab, pick another primary metric, toggle again: nothing resets."""
    page.goto(url + "/automl?source=sample&metric=accuracy&metrics=accuracy,log_loss&automl_view=Ranking")
    differ = page.get_by_text("Only metrics that differ")
    differ.click()  # as soon as it is there
    page.get_by_role("tab", name="Compare").click()
    wait_for_app(page)
    assert card(page, "Primary metric") == "accuracy"
    metrics = page.get_by_test_id("stMultiSelect").filter(has_text="Metrics in the table")
    assert "accuracy" in metrics.inner_text() and "log_loss" in metrics.inner_text()
    page.get_by_test_id("stSelectbox").filter(has_text="Primary metric").click()
    page.get_by_role("option", name="log_loss (↓)").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetricValue]')].some(e => e.innerText === '#0')"
    )
    differ.click()
    wait_for_app(page)
    assert card(page, "Primary metric") == "log_loss" and card(page, "Best run") == "#0"
    assert "accuracy" in metrics.inner_text()
    assert page.get_by_role("tab", selected=True).inner_text() == "Compare"
    assert "metric=log_loss" in page.url and "source=sample" in page.url and "automl_view=Compare" in page.url
    assert no_exception(page)


def lesson_steps(page, url: str) -> None:
    """Open a bookmarked lesson, change a setting, Run twice: the lesson and the setting stay."""
    page.goto(url + "/parallelism?lesson=Race+and+Lock")
    page.get_by_text("Settings").click()
    trials = page.get_by_label("trials", exact=True)
    trials.fill("1")
    run = page.get_by_role("button", name="Run", exact=True)
    for _ in range(2):
        run.click()
        page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
        wait_for_app(page)
        assert page.get_by_role("tab", selected=True).inner_text() == "Race and Lock"
        assert trials.input_value() == "1"
        assert "should give 90,000" in page.inner_text('[data-testid="stMain"]')
    assert page.url.endswith("/parallelism?lesson=Race+and+Lock")
    assert no_exception(page)


@pytest.mark.parametrize("steps", [automl_steps, lesson_steps], ids=["automl", "lessons"])
def test_a_shared_view_survives_every_rerun(browser, fresh_app_url, steps):
    for number in range(1, TRIES + 1):  # a new session each time; the first is the server's first visitor
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            attempt(page, steps, fresh_app_url, number, steps.__name__)
        finally:
            context.close()
