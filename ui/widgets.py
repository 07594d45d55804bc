"""A widget's value given as its default on every run, so the browser can never fall back to another one.

Streamlit sends a value written into ``st.session_state[key]`` to the browser in that one run only. A
browser that has not yet taken it in (a click that lands while that run is still being drawn, as on a
fresh server or a slow machine) keeps the widget's own default instead, and sends that back with its next
rerun: a bookmarked π demo lost its backends so (issue 25). A default given to the widget itself travels
with every run; with a ``key``, changing it changes neither the widget's identity nor its value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st


def held(key: str, options: Sequence, fallback: Any) -> Any:
    """What widget ``key`` shows this run: its own value while that is one of ``options``, else
    ``fallback`` (a value the options no longer hold is dropped, so the widget starts over from it)."""
    if key in st.session_state and st.session_state[key] in options:
        return st.session_state[key]
    st.session_state.pop(key, None)
    return fallback


def held_index(key: str, options: Sequence, fallback: Any) -> int:
    """``held`` as the index that ``st.radio`` and ``st.selectbox`` take (``fallback`` must be an option)."""
    return list(options).index(held(key, options, fallback))
