"""The parallelism lessons in headless Chromium: from the sidebar and by URL, lessons run, no exception."""

import time
from pathlib import Path

from tests.support.browser import open_page, screenshot, wait_for_app

SCREENS = Path(".pytest_cache") / "screens"


def main_text(page) -> str:
    return page.inner_text('[data-testid="stMain"]')


def test_sidebar_to_lessons_then_the_race_runs(app_url, page):
    open_page(page, app_url)
    t0 = time.monotonic()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Parallelism lessons").click()
    page.get_by_role("heading", name="Parallelism lessons").wait_for()
    page.get_by_role("button", name="Run").wait_for()
    wait_for_app(page)
    interactive_s = time.monotonic() - t0
    assert page.url.endswith("/parallelism")
    assert "Press Run to measure it here." in main_text(page)

    page.get_by_role("tab", name="Race and Lock").click()
    page.get_by_role("heading", name="4. A shared Value: race and Lock").wait_for()
    assert "lesson=Race+and+Lock" in page.url  # the open lesson is in the URL, to bookmark
    page.get_by_role("button", name="Run").click()
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
    wait_for_app(page)
    text = main_text(page)
    assert "should give 90,000" in text and "exact" in text
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    SCREENS.mkdir(parents=True, exist_ok=True)
    screenshot(page, SCREENS / "parallelism-race.png")
    (SCREENS / "parallelism-interactive.txt").write_text(f"{interactive_s:.2f} s from sidebar click\n")
    assert interactive_s < 10


def test_a_bookmarked_lesson_opens_and_runs(app_url, page):
    t0 = time.monotonic()
    open_page(page, f"{app_url}/parallelism?lesson=Seeds+after+fork")
    page.get_by_role("heading", name="6. Forked workers and NumPy's global generator").wait_for()
    loaded_s = time.monotonic() - t0
    page.get_by_role("button", name="Run").click()
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
    wait_for_app(page)
    text = main_text(page)
    assert "from NumPy's global generator 1 distinct stream(s)" in text
    assert "with one seed per worker 2 distinct" in text
    assert page.locator('[data-testid="stException"]').count() == 0
    page.get_by_text("The code").click()
    page.get_by_text("np.random.SeedSequence(seed).spawn(workers)").first.wait_for()
    screenshot(page, SCREENS / "parallelism-fork.png")
    with open(SCREENS / "parallelism-interactive.txt", "a") as f:
        f.write(f"{loaded_s:.2f} s from goto(/parallelism?lesson=...)\n")
    assert loaded_s < 10
