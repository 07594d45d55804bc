"""parallelism: being built."""

import streamlit as st

st.title("parallelism")
st.info("This page is being built.")
