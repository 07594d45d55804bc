"""The home page in headless Chromium: loads, lists every backend, shows no exception."""

import time
from pathlib import Path

from core.pi.backends import backend_rows
from tests.support.browser import open_page, screenshot


def test_home_page_lists_backends(app_url, page):
    t0 = time.monotonic()
    open_page(page, app_url)
    page.wait_for_selector('[data-testid="stDataFrame"]')
    loaded_s = time.monotonic() - t0
    assert page.get_by_role("heading", name="Pi Lab").count() >= 1
    assert page.locator('[data-testid="stException"]').count() == 0
    rows = backend_rows()
    expected = f"{sum(r['available'] for r in rows)} of {len(rows)} backends run here"
    assert expected in page.inner_text('[data-testid="stMain"]')
    assert loaded_s < 30
    out = Path(".pytest_cache") / "screens"
    out.mkdir(parents=True, exist_ok=True)
    screenshot(page, out / "home.png")
