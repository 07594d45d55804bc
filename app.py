"""Pi Lab: the entry point. Registers the page files of pages/ with st.navigation and runs one.

Streamlit runs this file as ``__main__``. Processes that the app spawns (Pool, loky and Dask workers) import
the main module again as ``__mp_main__``; the guard keeps them from running the app (seconds per worker).
"""

if __name__ == "__main__":
    import streamlit as st

    from ui import entry_ran
    from ui.runtime import timing

    st.set_page_config(page_title="Pi Lab", page_icon="🥧", layout="wide")

    PAGES = {
        "Pi Lab": [st.Page("pages/home.py", title="Home", icon="🏠", default=True)],
        "π by Monte Carlo": [
            st.Page("pages/pi_estimate.py", title="Estimate π", icon="🎯"),
            st.Page("pages/benchmarks.py", title="Benchmarks", icon="⏱️"),
        ],
        "Lessons": [st.Page("pages/parallelism.py", title="Parallelism lessons", icon="🧵")],
        "AutoML": [st.Page("pages/automl.py", title="AutoML explorer", icon="📊")],
    }

    entry_ran()
    page = st.navigation(PAGES)
    with timing.script_run(page.title):
        page.run()
