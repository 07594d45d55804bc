"""Nothing a link, a file or a workspace supplies is rendered, in headless Chromium: links that carry a
Markdown link or image (the π page's "Ignored in the link", the AutoML explorer's link metric), an upload
whose name and run and metric names hold tags and Markdown, and a 20,000-character value. No ``<a>`` or
``<img>`` of theirs is in the page (Plotly's SVG included), and no request leaves for their address."""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

import pytest

from tests.support.browser import no_exception, open_page, wait_for_app
from tests.support.hostile import ADDRESS, ANCHOR, BOLD, LONG, SIGN_IN, TRACKER

HOST = ADDRESS.split(":")[0]
LEAKS = f"""() => [...document.querySelectorAll('a, img, image, link, iframe, source')]
    .map(e => ['href', 'xlink:href', 'src', 'srcset'].map(a => e.getAttribute(a) || '').join(' '))
    .filter(t => t.includes('{HOST}')).length"""
NAME = f"{BOLD} {ANCHOR} {SIGN_IN} {TRACKER}.json"  # an upload's name is the browser's to choose
RUNS = {
    f"{ANCHOR}_1": {BOLD: [0.4], TRACKER: [1.0], SIGN_IN: [0.3]},
    f"{BOLD}_2": {BOLD: [0.6], TRACKER: [2.0], SIGN_IN: [0.2]},
    "AutoML_plain_3": {BOLD: [0.5], TRACKER: [3.0], SIGN_IN: [0.1]},
}


@pytest.fixture
def requests(page) -> list[str]:
    """Every URL the page asks for, from now on."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    return seen


def assert_nothing_rendered(page, requests: list[str]) -> None:
    assert no_exception(page)
    assert page.evaluate(LEAKS) == 0, "a link or an image of a visitor's value is in the page"
    assert [u for u in requests if urlsplit(u).hostname == HOST] == []  # the page's own URL names it


def toast_text(page) -> str:
    toast = page.get_by_test_id("stToast")
    toast.first.wait_for()
    return toast.first.inner_text()


def test_the_pi_pages_link_warning_renders_no_link_or_image(app_url, page, requests):
    open_page(page, f"{app_url}/pi_estimate?backends={quote(SIGN_IN)},numpy&n={quote(TRACKER)}")
    said = toast_text(page)
    assert SIGN_IN in said and TRACKER in said  # shown as written
    assert_nothing_rendered(page, requests)

    open_page(page, f"{app_url}/pi_estimate?backends={LONG}")
    said = toast_text(page)
    assert "L" * 70 in said and "…" in said and len(said) < 300


def test_the_explorers_link_metric_and_hostile_upload_render_nothing(app_url, page, requests, tmp_path):
    for value in (TRACKER, SIGN_IN):
        open_page(page, f"{app_url}/automl?metric={quote(value)}")
        warning = page.get_by_test_id("stAlertContentWarning").filter(has_text="is in no run")
        warning.wait_for()
        assert value in warning.inner_text()
        assert_nothing_rendered(page, requests)

    page.get_by_test_id("stRadio").get_by_text("Upload a file").click()
    wait_for_app(page)
    upload = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    upload.set_input_files({"name": NAME, "mimeType": "application/json", "buffer": b"[1]"})
    error = page.get_by_test_id("stAlertContentError")
    error.wait_for()
    assert "the top level is a list" in error.inner_text() and "<b>x<" in error.inner_text()
    assert_nothing_rendered(page, requests)

    upload.set_input_files(
        {"name": NAME, "mimeType": "application/json", "buffer": json.dumps(RUNS).encode()}
    )
    page.get_by_test_id("stMetric").first.wait_for()
    wait_for_app(page)
    for tab in ("Ranking", "Compare", "Algorithms"):
        page.get_by_role("tab", name=tab, exact=True).click()
        page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
        wait_for_app(page)
        svg_text = " ".join(page.locator('[data-testid="stPlotlyChart"] svg text').all_text_contents())
        assert BOLD in svg_text or TRACKER[:10] in svg_text, "the names are in the figure, as text"
        assert page.locator('[data-testid="stPlotlyChart"] svg a').count() == 0
        assert_nothing_rendered(page, requests)
