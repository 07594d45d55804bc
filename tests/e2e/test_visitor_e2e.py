"""One student is one student, in Chromium: the first visit gets the signed visitor cookie, a second tab of
the same browser is the same visitor (its Run is told, in one line, that the first tab's run is going, and
that line's Cancel stops it), and another browser is another visitor with a run of its own."""

import pytest

from core.runtime.visitors import COOKIE
from tests.support.browser import no_exception, open_page, serve_app, wait_for_app

LONG_RUN = "/pi_estimate?n=1e9&backends=python&seed=1"  # long enough to still be going in the other tab
ALREADY = "You already have a run"


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """A server listening beyond loopback (as `make serve`): every visitor is a student."""
    secrets = tmp_path_factory.mktemp("visitors") / "secrets.toml"
    secrets.write_text("[pilab]\nslow_max_n = 1e10\njob_budget_s = 120\n")
    with serve_app(args=("--server.address", "0.0.0.0", "--secrets.files", str(secrets))) as (url, _):
        yield url


def run(page) -> None:
    page.get_by_role("button", name="Run", exact=True).click()
    wait_for_app(page)


def test_two_tabs_of_one_browser_are_one_visitor_and_another_browser_another(classroom, browser):
    context, elsewhere = browser.new_context(), browser.new_context()
    try:
        first = context.new_page()
        open_page(first, classroom + LONG_RUN)
        first.wait_for_function(f"document.cookie.includes('{COOKIE}=')")  # the visit's signed id
        (cookie,) = [c for c in context.cookies() if c["name"] == COOKIE]
        assert cookie["value"].count(".") == 1
        run(first)
        first.wait_for_selector('[data-testid="stProgress"]')

        second = context.new_page()  # a second tab of the same browser: the same visitor
        open_page(second, classroom + LONG_RUN)
        run(second)
        second.get_by_text(ALREADY).wait_for()
        assert second.locator('[data-testid="stProgress"]').count() == 0 and no_exception(second)

        other = elsewhere.new_page()  # another browser: another visitor, whose run is queued behind
        open_page(other, classroom + LONG_RUN)
        run(other)
        other.get_by_text("Waiting for another run").wait_for()
        assert ALREADY not in other.inner_text('[data-testid="stMain"]')

        second.get_by_test_id("stMain").get_by_role("button", name="Cancel").click()  # the line's Cancel
        first.get_by_text("Cancelled.").wait_for(timeout=30_000)
        other.get_by_role("button", name="Cancel").click()
        other.get_by_text("Cancelled.").wait_for(timeout=30_000)
    finally:
        context.close()
        elsewhere.close()
