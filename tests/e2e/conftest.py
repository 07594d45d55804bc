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
