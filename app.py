"""Pi Lab: the entry point. Registers the page files of pages/ with st.navigation and runs one.

Streamlit runs this file as ``__main__``. Processes that the app spawns (Pool, loky and Dask workers) import
the main module again as ``__mp_main__``; the guard keeps them from running the app (seconds per worker).
"""

if __name__ == "__main__":
    import streamlit as st

    from ui import entry_ran, i18n
    from ui.runtime import access, timing

    st.set_page_config(page_title="Pi Lab", page_icon="🥧", layout="wide")
    _ = i18n.start(access.settings().language)  # the navigation in the visitor's language

    PAGES = {
        "Pi Lab": [st.Page("pages/home.py", title=_("Home"), icon="🏠", default=True)],
        _("π by Monte Carlo"): [
            st.Page("pages/pi_estimate.py", title=_("Estimate π"), icon="🎯"),
            st.Page("pages/benchmarks.py", title=_("Benchmarks"), icon="⏱️"),
        ],
        _("Lessons"): [st.Page("pages/parallelism.py", title=_("Parallelism lessons"), icon="🧵")],
        "AutoML": [st.Page("pages/automl.py", title=_("AutoML explorer"), icon="📊")],
    }

    entry_ran()
    page = st.navigation(PAGES)
    with timing.script_run(page.title):
        page.run()
