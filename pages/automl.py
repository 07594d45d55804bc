"""automl: being built."""

import streamlit as st

st.title("automl")
st.info("This page is being built.")
