"""Driving the AutoML explorer under AppTest: open it (with a URL and secrets), read its cards, open a tab."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.support.apptest import APP

PAGE = "pages/automl.py"


def explorer(query: dict | None = None, secrets: dict | None = None) -> AppTest:
    """The app, then the explorer, with ``query`` in the URL and ``secrets``; no exception on the way."""
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.secrets.update(secrets or {})
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def cards(at: AppTest) -> dict[str, str]:
    """The summary cards, label → value."""
    return {m.label: m.value for m in at.metric}


def open_tab(at: AppTest, tab: str) -> AppTest:
    """Open a tab as a click does (only the open tab is drawn): through the tabs' key in session state,
    Streamlit's documented way to switch tabs bound to the URL (AppTest has no click for a tab)."""
    at.session_state["automl_view"] = tab
    at.run()
    assert not at.exception, at.exception
    return at
