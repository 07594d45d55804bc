"""The visitor behind a session: one id for every tab of one browser, kept in a signed cookie
(``core.runtime.visitors``), with the client address where Streamlit knows one.

Streamlit reads a browser's cookies when its session starts (``st.context.cookies``) but has no call that
sets one: the first session of a browser draws its new id and writes the signed cookie with a one-line
script, so every tab the browser opens afterwards comes with it and is the same visitor."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

import streamlit as st

from core.runtime.visitors import COOKIE, MAX_AGE_S, Visitor, new_id, signed, verified

_SESSION_KEY = "pilab_visitor"


@st.cache_resource
def drawn_secret() -> bytes:
    """The secret that signs visitor cookies when the operator set none: drawn once when the server starts
    (a restart makes every browser a new visitor)."""
    return secrets.token_bytes(32)


def secret(configured: str | None) -> bytes:
    """The operator's ``visitor_secret`` where set, else the one drawn at start."""
    return configured.encode() if configured else drawn_secret()


def cookies() -> Mapping[str, str]:
    """The cookies the browser sent when this session started."""
    return st.context.cookies or {}


def client_address() -> str | None:
    """The client's address, where Streamlit knows one (None from this machine, and under AppTest)."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else None


def current(key: bytes) -> Visitor:
    """This session's visitor: the id in the browser's cookie when ``key`` signed it, else a new one (kept
    for the session, and written to the browser by ``remember``)."""
    visitor_id = st.session_state.get(_SESSION_KEY)
    if visitor_id is None:
        visitor_id = verified(cookies().get(COOKIE), key) or new_id()
        st.session_state[_SESSION_KEY] = visitor_id
    return Visitor(visitor_id, client_address())


def remember(key: bytes) -> None:
    """Write this session's visitor id to the browser (signed with ``key``) unless the browser sent it."""
    value = signed(current(key).id, key)
    if cookies().get(COOKIE) == value:
        return
    script = f"document.cookie = '{COOKIE}={value}; path=/; max-age={MAX_AGE_S}; SameSite=Strict';"
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True, width="content")
