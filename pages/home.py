"""Home: what Pi Lab shows, where to start, and every π backend with whether it runs on this machine."""

import pandas as pd
import streamlit as st

from core.pi.backends import backend_rows
from ui import ensure_app_navigation
from ui.i18n import number, translator

ensure_app_navigation()
_ = translator()

st.title("🥧 Pi Lab")
st.markdown(
    _(
        "Throw **N** random points into the unit square: the share that lands inside the quarter circle is "
        "π/4, so **4 · inside / N → π**. Pi Lab computes that same estimate in pure Python, NumPy and Numba "
        "(the lecture's four versions, as written) and in fast, honest versions that share one counter-based "
        "random stream, so every parallel backend counts *exactly the same points* for one seed, whatever "
        "the number of workers."
    )
)

GUIDE = [
    (
        "pages/pi_estimate.py",
        _("Estimate π"),
        "🎯",
        _(
            "One run on the backends you pick: the points, the error "
            "shrinking like 1/√N, run time apart from compile time, samples/s and speed-up."
        ),
    ),
    (
        "pages/benchmarks.py",
        _("Benchmarks"),
        "⏱️",
        _(
            "Sweep N within a time budget: where compiled code wins, "
            "and from which N parallel code stops losing to serial."
        ),
    ),
    (
        "pages/parallelism.py",
        _("Parallelism lessons"),
        "🧵",
        _(
            "Processes and pools, `map` vs `map_async`, a race "
            "without a lock, joblib on tiny and heavy tasks, forked generators, and what Numba refuses."
        ),
    ),
    (
        "pages/automl.py",
        _("AutoML explorer"),
        "📊",
        _(
            "Every child run of an Azure ML AutoML run, ranked and "
            "compared: from a workspace, MLflow, a cached JSON file, or the bundled sample."
        ),
    ),
]
CARDS_PER_ROW = 2  # a card's title on one line, in every language, on a projector 1400 px wide
for first in range(0, len(GUIDE), CARDS_PER_ROW):
    row = GUIDE[first : first + CARDS_PER_ROW]
    for column, (path, title, icon, what) in zip(st.columns(CARDS_PER_ROW), row, strict=False):
        with column.container(border=True):
            st.page_link(path, label=f"**{title}**", icon=icon)
            st.markdown(what)

st.subheader(_("Backends on this machine"))
KINDS = {"lecture": _("lecture"), "fast": _("fast"), "gpu": _("gpu")}
rows = backend_rows()
table = pd.DataFrame(
    {
        _("backend"): [r["name"] for r in rows],
        _("kind"): [KINDS[r["family"]] for r in rows],
        _("parallel"): [r["parallel"] for r in rows],
        _("available"): ["✅ " + _("yes") if r["available"] else "❌ " + _("no") for r in rows],
        _("largest N"): [f"{r['max_n']:.0e}" for r in rows],
        _("how"): [_(r["summary"]) for r in rows],
        _("why not here"): [_(r["why_unavailable"]) if r["why_unavailable"] else "" for r in rows],
    }
)
st.dataframe(table, hide_index=True, width="stretch")
available = sum(r["available"] for r in rows)
st.caption(
    _(
        "{available} of {total} backends run here. The same table: `python -m core.pi --list`.",
        available=number(available),
        total=number(len(rows)),
    )
)
