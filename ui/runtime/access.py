"""The visitor's role on this server and the operator unlock in the sidebar.

Pages ask ``is_operator()`` before they draw a control that reaches beyond the browser (a file on the
server, an MLflow or Azure ML service, a Dask scheduler address): for a student such a control is not drawn
at all, so no URL or session trick can bring it back.
"""

from __future__ import annotations

import functools
import logging

import streamlit as st

from core.runtime.access import Settings, loopback_only
from core.runtime.checks import said
from core.runtime.i18n import Translate, english
from core.runtime.passcode import server_gate
from core.runtime.policy import Policy, Sweep
from ui.i18n import translator
from ui.pi.settings import fmt_n
from ui.runtime import visitors

logger = logging.getLogger(__name__)
_UNLOCKED = "pilab_operator_unlocked"  # set only by a right passcode; no widget has this key


def secrets(table: str) -> dict:
    """One table of ``st.secrets`` as a plain dict (``{}`` when there is no secrets.toml or no such table:
    the environment alone)."""
    try:
        return dict(st.secrets.get(table, {}))
    except Exception:  # no secrets.toml: the environment alone
        return {}


def settings() -> Settings:
    """``[pilab]`` in secrets.toml, else ``PILAB_*`` variables, else defaults. While a value is bad, the
    limits stay at their defaults and only who the operator is comes from the table (the operator's page and
    the terminal log name the setting; a student reads only that the server is misconfigured)."""
    table = secrets("pilab")
    try:
        return Settings.from_mapping(table)
    except ValueError:
        return Settings.misconfigured(table)


def settings_problem(*, _: Translate = english) -> str | None:
    """What is wrong with ``[pilab]`` (the setting and what it accepts) in ``_``'s language, for the
    operator; logged once (in English)."""
    try:
        Settings.from_mapping(secrets("pilab"))
    except ValueError as exc:
        _log_problem(str(exc))
        return said(exc, _)
    return None


@functools.cache
def _log_problem(problem: str) -> None:
    """Tell the terminal once a process about a bad setting (every page run asks)."""
    logger.error("Pi Lab's settings: %s. Students see only that the server is misconfigured.", problem)


def _auth_configured() -> bool:
    return bool(secrets("auth"))


def _signed_in_operator(allowed: tuple[str, ...]) -> bool:
    """Signed in with Streamlit's login as one of ``allowed`` (nobody when the list is empty: any student
    can have an account with the provider)."""
    try:
        if not st.user.is_logged_in:
            return False
    except AttributeError:  # no [auth]: st.user has no login state
        return False
    return str(st.user.get("email") or "").lower() in allowed


_PROXY_HEADERS = ("X-Forwarded-For", "X-Real-Ip", "Forwarded")


def local_server() -> bool:
    """Listening on loopback only, reached from this machine and not through a proxy: the person at this
    machine is the one user."""
    if settings().locked or not loopback_only(st.get_option("server.address")):
        return False
    headers = st.context.headers or {}
    if any(headers.get(h) for h in _PROXY_HEADERS):  # a reverse proxy or tunnel forwards other people
        return False
    address = st.context.ip_address  # None from localhost; AppTest has no connection (not a str)
    return not isinstance(address, str) or loopback_only(address)


def is_operator() -> bool:
    if local_server():
        return True
    if _auth_configured() and _signed_in_operator(settings().operators):
        return True
    return bool(st.session_state.get(_UNLOCKED))


def visitor_key() -> bytes:
    """The secret that signs this server's visitor cookies."""
    return visitors.secret(settings().visitor_secret)


def visitor() -> str:
    """Who this session is, for the Jobs panel and per-visitor limits: the role and the browser's visitor
    id (the same in every tab of one browser), with the client address where one is known."""
    return ("operator " if is_operator() else "student ") + visitors.current(visitor_key()).key


def client_address() -> str | None:
    """The client's address where one is known, for the limit on one address's share of the queue."""
    return visitors.client_address()


def policy() -> Policy:
    """What this visitor may run: the one place every page asks (``core.runtime.policy``)."""
    return Policy(settings=settings(), operator=is_operator())


def run_refusal(backend: str, n: int, *, _: Translate = english) -> str | None:
    """Why this visitor may not run ``backend`` on ``n`` samples, in ``_``'s language (the operator may run
    anything)."""
    return policy().run_refusal(backend, n, _=_)


def sweep_limits(
    backends: list[str], ns: list[int], budget_s: float, *, _: Translate = english
) -> tuple[Sweep, list[str]]:
    """A sweep of ``backends`` over the sizes ``ns`` within ``budget_s`` as this visitor may run it (every
    pair the π page would refuse dropped, a student's budget at most ``job_budget_s``), and notes in ``_``'s
    language saying what that cut."""
    sweep = policy().sweep(backends, ns, budget_s)
    notes = []
    for backend, dropped in sweep.dropped.items():
        if backend in sweep.max_n:
            notes.append(
                _(
                    "**{name}**: this server lets students run it on up to n = {n}; its larger sizes are "
                    "dropped.",
                    name=backend,
                    n=fmt_n(sweep.max_n[backend]),
                )
            )
        else:
            smallest = fmt_n(min(dropped))
            notes.append(
                _(
                    "**{name}**: dropped, students may not run it at n = {n} on this server.",
                    name=backend,
                    n=smallest,
                )
            )
    if sweep.budget_s < budget_s:
        notes.append(
            _("This server lets students sweep within {seconds} s.", seconds=_.number(sweep.budget_s))
        )
    return sweep, notes


def _gate_keys() -> tuple[str, ...]:
    keys = [f"session:{visitor().split()[-1]}"]
    address = st.context.ip_address
    if isinstance(address, str):
        keys.append(f"address:{address}")
    return tuple(keys)


def _unlock_form() -> None:
    """A student's way to become the operator: Streamlit's login where [auth] is set, else the passcode."""
    _ = translator()
    if _auth_configured():
        if st.button(_("Sign in as the operator"), key="pilab_login"):
            st.login()
        return
    with st.form("pilab_unlock", clear_on_submit=True):
        given = st.text_input(_("Operator passcode"), type="password", key="pilab_passcode")
        pressed = st.form_submit_button(_("Unlock"))
    if pressed:
        ok, why = server_gate().attempt(given or "", settings().operator_passcode, *_gate_keys(), _=_)
        if ok:
            st.session_state[_UNLOCKED] = True
            st.rerun()
        st.error(why)


def sidebar() -> None:
    """The role line in the sidebar: the operator's lock, or a student's unlock (the operator's Jobs panel,
    ``ui.runtime.jobs.jobs_panel``, follows it)."""
    _ = translator()
    with st.sidebar:
        visitors.remember(visitor_key())
        problem = settings_problem(_=_)
        if problem and is_operator():
            st.error(
                _(
                    "{problem}. Until it is fixed, students' limits are the defaults and students read only "
                    "that the server is misconfigured.",
                    problem=problem,
                ),
                icon="⚠️",
            )
        elif problem:
            st.error(_("This server is misconfigured; its operator has been told."), icon="⚠️")
        if not is_operator():
            with st.expander("🔒 " + _("Student view")):
                st.caption(_("Live sources, server files and cluster addresses are for the operator."))
                _unlock_form()
            return
        if local_server():
            st.caption("🔓 " + _("Operator (this server listens on this machine only)"))
        else:
            st.caption("🔓 " + _("Operator"))
            if st.session_state.get(_UNLOCKED) and st.button(_("Lock"), key="pilab_lock"):
                del st.session_state[_UNLOCKED]
                st.rerun()
