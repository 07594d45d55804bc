"""Streamlit and Plotly pieces shared by the pages (drawing only; every computation lives in ``core``).

Streamlit is imported where it is used, not here: the pool workers that ``python -m ui.runtime.serve`` spawns
import this package again (as the main module's), and need none of it."""

_entry_ran = False


def entry_ran() -> None:
    """Called by app.py on every run, before it runs the page it navigates to. The first call in a server
    started with ``streamlit run app.py`` prepares it as ``python -m ui.runtime.serve`` does before its health
    check (``ui.runtime.serve.prepare``: warm-up, the pages' imports, app.py's routing)."""
    global _entry_ran
    if not _entry_ran:
        from ui.runtime import serve

        serve.prepare()  # once per process: a no-op when ui.runtime.serve has prepared it
    _entry_ran = True


def ensure_app_navigation() -> None:
    """Call first in every page: app.py's navigation, then the language switch and the visitor's role in the
    sidebar.

    Until app.py has run once in a server, Streamlit routes a bookmarked page through its old ``pages/``
    discovery and runs the page alone, without app.py's layout and navigation (streamlit#9624): switch the
    server to app.py's ``st.navigation`` for good and run again. The language switch, the role line (and the
    operator's Jobs panel) are drawn here, by the page, so they are there on every run (AppTest reruns a page
    without app.py)."""
    import streamlit as st

    from ui import i18n
    from ui.runtime import access, jobs

    if not _entry_ran:
        from ui.runtime import serve

        serve.use_app_navigation()
        st.rerun()
    i18n.switch(access.settings().language)
    access.sidebar()
    if access.is_operator():
        with st.sidebar:
            jobs.jobs_panel()
