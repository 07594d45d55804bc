"""The π page's settings (``?n=1e6&backends=numba,numpy&seed=7&workers=2`` in its URL), so a demo can be
bookmarked; the last settings also survive a visit to another page."""

from __future__ import annotations

import streamlit as st

from core.pi import executors, parse_n, stream
from ui import url

N_OPTIONS = [m * 10**e for e in range(2, 10) for m in (1, 2, 5)] + [10**10]
DEFAULTS = {
    "pi_n": 10**6,
    "pi_backends": ["python", "numpy", "numba", "numba_parallel"],
    "pi_seed": 2024,
    "pi_workers": executors.default_workers(),
}
_SAVED = "pi_saved_settings"


def fmt_n(n: int) -> str:
    """1e6, 2e7 … (what a class reads off a projector)."""
    mantissa, exponent = f"{n:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _from_url(available: list[str], max_workers: int) -> tuple[dict, list[str]]:
    """The settings a link carries, and what it carried that could not be used."""
    link, found, bad = url.params(), {}, []
    if "n" in link:
        try:
            n = parse_n(link["n"])
            found["pi_n"] = min(N_OPTIONS, key=lambda o: abs(o - n))
        except ValueError:
            bad.append(f"n={link['n']}")
    if "backends" in link:
        names = [b for b in link["backends"].split(",") if b]
        found["pi_backends"] = [b for b in names if b in available]
        bad += [f"backend {b}" for b in names if b not in available]
    for key, name, low, high in (
        ("pi_seed", "seed", 0, stream.SEED_MAX),
        ("pi_workers", "workers", 1, max_workers),
    ):
        if name in link:
            value = url.whole(link[name], low, high)
            if value is None:
                bad.append(f"{name}={link[name]}")
            else:
                found[key] = value
    return found, bad


def read_url_state(available: list[str], max_workers: int) -> None:
    """Fill the π widgets' state: the link's settings first, then this session's last ones, then defaults."""
    if not any(key not in st.session_state for key in DEFAULTS):
        return
    from_url, bad = _from_url(available, max_workers)
    saved = st.session_state.get(_SAVED, {})
    for key, default in DEFAULTS.items():
        if key not in st.session_state:
            value = from_url.get(key, saved.get(key, default))
            if key == "pi_backends":
                value = [b for b in value if b in available]
            st.session_state[key] = value
    if bad:
        st.toast("Ignored in the link: " + ", ".join(bad), icon="⚠️")


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
