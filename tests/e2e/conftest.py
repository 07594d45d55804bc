"""Fixtures for end-to-end tests: the real app under `streamlit run`, driven by Debian's headless Chromium
(the helpers live in ``tests.support.browser``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import CHROMIUM, VIEWPORT, launch_chromium, serve_app


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The app, served once for the whole test session."""
    with serve_app() as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright (never Playwright's own download)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (run scripts/browser.sh as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch_chromium(pw)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page at a projector-like size."""
    context = browser.new_context(viewport=VIEWPORT)
    p = context.new_page()
    p.set_default_timeout(30_000)
    yield p
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's page, as the browser showed it: .pytest_cache/screens/FAILED-<test>.png."""
    report = yield
    page = item.funcargs.get("page") if report.when == "call" and report.failed else None
    if page is not None:
        shots = Path(".pytest_cache") / "screens"
        shots.mkdir(parents=True, exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-_" else "_" for c in item.name)[:100]
        try:
            page.screenshot(path=str(shots / f"FAILED-{name}.png"), full_page=True)
        except Exception as exc:  # a closed or crashed page: the report still stands
            report.sections.append(("screenshot", f"none: {exc}"))
    return report
