"""The π page's settings (``?n=1e6&backends=numba,numpy&seed=7&workers=2`` in its URL), so a demo can be
bookmarked; the last settings also survive a visit to another page."""

from __future__ import annotations

import streamlit as st

from core.pi import executors, parse_n, stream
from core.runtime.i18n import Translate, english
from ui import url
from ui.safe_text import CUT, plain

SHOWN_IGNORED = 5  # settings of a link named in its warning; more are counted as …
N_OPTIONS = [m * 10**e for e in range(2, 10) for m in (1, 2, 5)] + [10**10]
DEFAULTS = {
    "pi_n": 10**6,
    "pi_backends": ["python", "numpy", "numba", "numba_parallel"],
    "pi_seed": 2024,
    "pi_workers": executors.default_workers(),
}
_SAVED = "pi_saved_settings"


def slider_max_workers() -> int:
    """The top of the Workers slider: two per core."""
    return 2 * executors.default_workers()


def fmt_n(n: int) -> str:
    """1e6, 2e7 … (what a class reads off a projector)."""
    mantissa, exponent = f"{n:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _from_url(available: list[str], max_workers: int, _: Translate) -> tuple[dict, list[str]]:
    """The settings a link carries, and what it carried that could not be used (each shown as text, never
    rendered: a link is anyone's)."""
    link, found, bad = url.params(), {}, []
    if "n" in link:
        try:
            n = parse_n(link["n"])
            found["pi_n"] = min(N_OPTIONS, key=lambda o: abs(o - n))
        except ValueError:
            bad.append(plain(f"n={link['n']}"))
    if "backends" in link:
        names = [b for b in link["backends"].split(",") if b]
        found["pi_backends"] = [b for b in names if b in available]
        bad += [_("backend {name}", name=plain(b)) for b in names if b not in available]
    for key, name, low, high in (
        ("pi_seed", "seed", 0, stream.SEED_MAX),
        ("pi_workers", "workers", 1, max_workers),
    ):
        if name in link:
            value = url.whole(link[name], low, high)
            if value is None:
                bad.append(plain(f"{name}={link[name]}"))
            else:
                found[key] = value
    return found, bad


def initial_values(available: list[str], max_workers: int, *, _: Translate = english) -> dict:
    """Each π widget's value for this run, to pass as its default: what the widget holds once it exists,
    else the link's setting, then this session's last one, then the default.

    Passed as the widget's default on every run, never written into ``st.session_state[key]``: Streamlit
    sends a value written there to the browser in that one run only, and a browser that has not yet taken it
    in (a Run clicked while that run is still being drawn, as on a fresh server) keeps the widget's own
    default instead, then sends that back with the next rerun: a bookmarked demo lost its backends so."""
    if all(key in st.session_state for key in DEFAULTS):
        return {key: st.session_state[key] for key in DEFAULTS}
    from_url, bad = _from_url(available, max_workers, _)
    saved = st.session_state.get(_SAVED, {})
    values = {}
    for key, default in DEFAULTS.items():
        if key in st.session_state:
            values[key] = st.session_state[key]
        else:
            values[key] = from_url.get(key, saved.get(key, default))
    values["pi_backends"] = [b for b in values["pi_backends"] if b in available]
    if bad:
        shown = bad[:SHOWN_IGNORED] + ([CUT] if len(bad) > SHOWN_IGNORED else [])
        st.toast(_("Ignored in the link: {what}", what=", ".join(shown)), icon="⚠️")
    return values


def write_url_state() -> None:
    """Put the current settings in the URL and keep them for the next visit."""
    st.session_state[_SAVED] = {key: st.session_state[key] for key in DEFAULTS}
    url.write(
        {
            "n": fmt_n(st.session_state.pi_n),
            "backends": ",".join(st.session_state.pi_backends),
            "seed": str(st.session_state.pi_seed),
            "workers": str(st.session_state.pi_workers),
        }
    )
