"""A live watch in headless Chromium: the served app watches a real local MLflow store while this test logs
children into the parent one by one; rows appear without a reload, the filter typed stays, and the watch
ends when the parent is marked finished. Screenshots go to .pytest_cache/screens/."""

from pathlib import Path

import pytest

from tests.support.browser import no_exception, open_page, screenshot, serve_app, wait_for_app
from tests.support.mlflow_parent import RunningParent

pytestmark = pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated")
SCREENS = Path(".pytest_cache") / "screens"


def wait_for_card(page, label: str, value: str) -> None:
    """Wait (no reload) until the card ``label`` shows ``value``."""
    page.wait_for_function(
        """([label, value]) => [...document.querySelectorAll('[data-testid=stMetric]')].some(m =>
            m.innerText.split('\\n')[0].trim() === label &&
            m.querySelector('[data-testid=stMetricValue]')?.innerText.trim() === value)""",
        arg=[label, value],
        timeout=60_000,
    )


def test_children_arrive_live_in_the_browser(browser, tmp_path):
    SCREENS.mkdir(parents=True, exist_ok=True)
    automl_run = RunningParent(tmp_path)
    automl_run.add_child()
    env = {
        "PILAB_DATA_DIR": str(tmp_path),
        "PILAB_AUTOML_CACHE": str(tmp_path / "cache"),
        "PILAB_WATCH_EVERY": "1",
    }
    with serve_app(env=env) as (url, _):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            open_page(page, f"{url}/automl?source=mlflow")
            page.get_by_label("Tracking URI").fill(automl_run.uri)
            page.get_by_label("Tracking URI").press("Enter")
            wait_for_app(page)
            page.get_by_role("button", name="List experiments").click()
            wait_for_app(page)
            experiment = page.get_by_test_id("stSelectbox").filter(has_text="Experiment")
            if "bank-automl-live" not in experiment.inner_text():
                experiment.click()
                page.get_by_role("option", name="bank-automl-live").click()
                wait_for_app(page)
            page.get_by_role("button", name="Watch live").click()
            page.mouse.move(0, 0)  # no tooltip over the screenshots
            wait_for_card(page, "Runs", "1")
            page.get_by_text("Live: parent running").wait_for()

            page.evaluate("window.__pilab_marker = 'same page'")  # a reload would wipe it
            box = page.get_by_label("Filter runs (run id or algorithm contains)")
            box.fill("o")
            box.press("Enter")
            page.get_by_text("0 of 1 runs").wait_for()  # the server has the filter (LightGBM has no "o")
            for n in (2, 3, 4):
                automl_run.add_child()
                wait_for_card(page, "Runs", str(n))
            assert box.input_value() == "o"  # the filter typed survives every redraw
            page.get_by_text("3 of 4 runs").wait_for()  # LightGBM has no "o": filtered out of the table
            assert page.evaluate("window.__pilab_marker") == "same page"  # rows arrived without a reload
            assert no_exception(page)
            screenshot(page, SCREENS / "automl-watch-live.png")

            automl_run.finish()
            ended = page.get_by_text("Live watch ended: the job completed")
            ended.first.wait_for(timeout=60_000)  # as the page reruns, the live panel's old line is there too
            wait_for_app(page)  # the page reruns as the watch ends: until then the old filter box is there
            assert ended.count() == 1  # at rest, said once
            assert box.input_value() == "o" and no_exception(page)
            screenshot(page, SCREENS / "automl-watch-ended.png")
        finally:
            context.close()
