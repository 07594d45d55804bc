"""Pi Lab: the entry point. Registers the page files of pages/ with st.navigation and runs one."""

import streamlit as st

st.set_page_config(page_title="Pi Lab", page_icon="🥧", layout="wide")

PAGES = {
    "Pi Lab": [st.Page("pages/home.py", title="Home", icon="🏠", default=True)],
}

st.navigation(PAGES).run()
