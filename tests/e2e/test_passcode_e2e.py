"""The passcode on a locked loopback server in Chromium: every wrong try from a fresh browser context (a new
visitor, no address: a script behind a proxy on the same host) makes the next one wait longer, a fresh
context within the wait is refused, and the right passcode unlocks once the wait is over."""

import re
import time

import pytest

from tests.support.browser import VIEWPORT, open_page, serve_app

PASSCODE = "tea-and-biscuits-42"
ANSWER = re.compile(r"wrong passcode|too many wrong tries")


@pytest.fixture(scope="module")
def locked_loopback():
    """A server on 127.0.0.1 locked for everyone (as in front of a tunnel), with a passcode."""
    env = {"PILAB_LOCKED": "1", "PILAB_OPERATOR_PASSCODE": PASSCODE}
    with serve_app(env=env, args=("--server.address", "127.0.0.1")) as (url, _):
        yield url


def try_passcode(browser, url: str, given: str) -> str:
    """Open the home page in a fresh browser context, type ``given`` in the unlock form, press Unlock and
    return the sidebar's answer ("" when it unlocked)."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        open_page(page, url)
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("Student view").click()
        sidebar.get_by_label("Operator passcode").fill(given)
        sidebar.get_by_role("button", name="Unlock").click()
        if given == PASSCODE:
            sidebar.get_by_text(re.compile(r"Jobs \(|too many wrong tries")).first.wait_for()
            return "" if sidebar.get_by_text("Jobs (").count() else sidebar.get_by_text(ANSWER).inner_text()
        return sidebar.get_by_text(ANSWER).first.inner_text()
    finally:
        context.close()


def seconds_in(message: str) -> float:
    return float(re.search(r"(\d+(?:[.,]\d+)?) s\b", message).group(1).replace(",", "."))


def test_fresh_browsers_wait_longer_after_each_wrong_try_and_the_passcode_unlocks(browser, locked_loopback):
    url, waits = locked_loopback, []
    for i in range(7):
        said = try_passcode(browser, url, f"guess-{i}")
        assert said.startswith("wrong passcode; the next try is possible in "), said
        waits.append(seconds_in(said))
        if i < 6:
            time.sleep(waits[-1])  # as long as it must, never longer
    assert waits == sorted(waits) and waits[0] == 1 and waits[-1] >= 8, waits  # growing across visitors
    refused = try_passcode(browser, url, PASSCODE)  # yet another visitor, within the last wait
    assert refused.startswith("too many wrong tries on this server: wait "), refused
    time.sleep(seconds_in(refused))
    assert try_passcode(browser, url, PASSCODE) == ""  # after the wait, the operator gets in
