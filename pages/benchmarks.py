"""benchmarks: being built."""

import streamlit as st

st.title("benchmarks")
st.info("This page is being built.")
