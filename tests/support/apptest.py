"""Driving the app under Streamlit's AppTest (no browser): open a page as the operator or as a student,
press a button by its label, rerun until a condition holds, press Run on the π page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
STUDENT = {"pilab": {"locked": True}}  # secrets that lock even a loopback server: a student's view


def app(page: str | None = None, secrets: dict | None = None, query: dict | None = None) -> AppTest:
    """The app (as ``streamlit run`` starts it), then ``page``; the operator's unless ``secrets`` lock it."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets.update(secrets or {})
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def until(at: AppTest, done, timeout: float = 120) -> AppTest:
    """Rerun the script (as the page's poller does) until ``done(at)``."""

    def rerun_done() -> bool:
        at.run()
        return done(at)

    if not done(at):
        wait_until(rerun_done, timeout=timeout, what="the page's condition after its reruns", every=0.3)
    return at


def press(at: AppTest, label: str) -> AppTest:
    """Click the one button labelled ``label`` (a form's submit button too), as a visitor does, and rerun."""
    found = [b for b in at.button if b.label == label]
    assert len(found) == 1, f"{len(found)} buttons labelled {label!r}"
    found[0].click().run()
    return at


def run_pi(at: AppTest, n: int, backends: list[str], seed: int = 7) -> AppTest:
    at.select_slider(key="pi_n").set_value(n)
    at.multiselect(key="pi_backends").set_value(backends)
    at.number_input(key="pi_seed").set_value(seed)
    return press(at, "Run")


def texts(at: AppTest) -> str:
    """Everything the page sent, as text (every element's message, sidebar included), to search for what
    must not be there."""
    found = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            found.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    return "\n".join(found)


def run_lesson(at: AppTest, name: str, timeout: float = 180) -> AppTest:
    """Press Run on lesson ``name``'s tab and rerun until its background job has ended (as the tab's live
    panel does)."""
    at.button(key=f"run:{name}").click().run()
    return until(at, lambda a: f"lesson-job:{name}" not in a.session_state, timeout=timeout)
