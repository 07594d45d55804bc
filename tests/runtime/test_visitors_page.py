"""One student is one student, under AppTest: the tabs of one browser (one signed cookie) are one visitor
and hold one run between them, each other tab told so in one line with that run's Cancel; two visitors hold
two; a cookie with a wrong signature is a new visitor; a browser without the cookie is given it."""

import time

import pytest

from core.runtime.cancel import Cancelled
from core.runtime.visitors import COOKIE, new_id, signed
from tests.lessons.test_spanish import english_left
from tests.runtime.test_i18n import shown
from tests.support.apptest import app, press, run_pi, until
from ui.runtime import visitors

SECRET = "the class server's secret"
CLASS = {"pilab": {"locked": True, "visitor_secret": SECRET}}
ALREADY = "You already have a run running (π): wait for it to end, or cancel it."


def waiting(request, job, **_):
    """A π run that lasts until it is cancelled (and costs no CPU meanwhile)."""
    job.begin_stage("numpy_chunked", 2)
    while not job.should_stop():
        job.progress(1, 2)
        time.sleep(0.02)
    raise Cancelled("stopped")


@pytest.fixture
def browser(monkeypatch):
    """``browser(id)``: the next sessions come from a browser whose cookie holds ``id`` signed with
    ``key`` (the server's secret by default), as tabs of that browser would."""
    monkeypatch.setattr("core.pi.request.run_backends", waiting)

    def use(visitor_id: str, key: bytes = SECRET.encode()) -> None:
        monkeypatch.setattr(visitors, "cookies", lambda: {COOKIE: signed(visitor_id, key)})

    return use


def test_five_tabs_of_one_visitor_hold_one_run_and_two_visitors_two(browser):
    me, other = new_id(), new_id()
    browser(me)
    tabs = [app("pages/pi_estimate.py", secrets=CLASS) for _ in range(5)]
    for tab in tabs:
        run_pi(tab, 10**6, ["numpy_chunked"])
    try:
        runner = _runner()
        mine = runner.owned_by(f"student {me}")
        assert len(mine) == 1 and "pi_job" in tabs[0].session_state
        for tab in tabs[1:]:
            assert "pi_job" not in tab.session_state
            assert [w.value for w in tab.warning] == [ALREADY]  # one line …
            assert [b.key for b in tab.button if b.label == "Cancel"] == [f"pilab_cancel_mine_{mine[0].id}"]
        run_pi(tabs[0], 10**6, ["numpy_chunked"])  # a second Run in the same tab: said too, never silent
        assert ALREADY in [w.value for w in tabs[0].warning]
        browser(other)
        second = run_pi(app("pages/pi_estimate.py", secrets=CLASS), 10**6, ["numpy_chunked"])
        assert "pi_job" in second.session_state and not second.warning
        assert len(runner.owned_by(f"student {me}")) == len(runner.owned_by(f"student {other}")) == 1
        tabs[3].button(key=f"pilab_cancel_mine_{mine[0].id}").click().run()  # … with its Cancel
        until(tabs[0], lambda a: "pi_job" not in a.session_state, timeout=30)
        assert mine[0].state == "cancelled"
    finally:
        for job in _runner().jobs():
            job.cancel()


def _runner():
    from ui.runtime.jobs import job_runner

    return job_runner()


def test_a_cookie_with_a_wrong_signature_is_a_new_visitor(browser):
    me = new_id()
    browser(me)
    assert app("pages/pi_estimate.py", secrets=CLASS).session_state.pilab_visitor == me
    browser(me, key=b"a guess at the secret")  # the same id, signed by anyone but the server
    forged = app("pages/pi_estimate.py", secrets=CLASS)
    assert forged.session_state.pilab_visitor != me
    assert _cookie_script(forged)  # and it is given a cookie of its own


def test_a_browser_without_the_cookie_is_given_one_and_one_with_it_is_left_alone(browser):
    fresh = app(secrets=CLASS)
    (script,) = _cookie_script(fresh)
    visitor_id = fresh.session_state.pilab_visitor
    assert f"{COOKIE}={signed(visitor_id, SECRET.encode())};" in script and "SameSite=Strict" in script
    browser(visitor_id)
    again = app(secrets=CLASS)
    assert again.session_state.pilab_visitor == visitor_id and not _cookie_script(again)


def _cookie_script(at) -> list[str]:
    return [h.proto.body for h in at.get("html") if "document.cookie" in h.proto.body]


def test_the_second_run_line_reads_in_spanish(browser):
    browser(new_id())
    first, tab = (app("pages/pi_estimate.py", secrets=CLASS, query={"lang": "es"}) for _ in range(2))
    for at in (first, tab):
        at.multiselect(key="pi_backends").set_value(["numpy_chunked"])
        press(at, "Ejecutar")
    try:
        text = shown(tab)
        assert "Ya tienes una ejecución en curso (π): espera a que termine o cancélala." in text
        assert "You already have" not in text and "Cancelar" in text
        left = english_left(shown(tab, code=False))
        assert not left, f"English left on the Spanish π page: {left}"
    finally:
        first.session_state.pi_job.cancel()
