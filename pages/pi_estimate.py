"""pi_estimate: being built."""

import streamlit as st

st.title("pi_estimate")
st.info("This page is being built.")
