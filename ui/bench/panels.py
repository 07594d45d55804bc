"""The Benchmarks page's results below its figures: the crossovers found, why Dask and Ray differ, and the
data with its agreement check and downloads."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from core.bench import Timing
from core.bench.tables import agreement
from core.runtime.i18n import FALLBACK, N_, Translate, english
from ui.i18n import readable
from ui.pi.settings import fmt_n

DATA_COLUMNS = [
    N_("backend"),
    N_("n"),
    N_("workers"),
    N_("mean_s"),
    N_("std_s"),
    N_("best_s"),
    N_("compile_s"),
    N_("samples_per_s"),
    N_("speedup"),
]
AGREE = N_("agree")


DASK_AND_RAY = N_(
    "Both count the same ranges of the same stream, so they agree to the point; what differs is what a "
    "run costs whatever N. **Dask** sends every task through its central scheduler (here a "
    "`LocalCluster` whose workers are threads of the server): a submit, a scheduling decision, the "
    "work, the result reported back — several ms a task over TCP, even on one machine. **Ray** has no "
    "central scheduler on a task's way: this process leases a worker process from its raylet and hands "
    "the task to it directly, and a small result comes straight back, so a task costs about a "
    "millisecond. But Ray's workers are separate processes, and its instance (a GCS, a raylet, Python "
    "workers) takes seconds to start, once per server (`startup_s`). So Ray starts to win at a smaller "
    "N than Dask; past that, both run the same compiled loop, and on a real cluster both add what one "
    "machine cannot: more cores."
)


def crossovers(cross: dict[str, int | None], serial: list[str], *, _: Translate = english) -> None:
    """From which N each parallel backend beats the fastest serial one (nothing when none was picked)."""
    if not cross:
        return
    found = [
        _("**{backend}** from N = {n}", backend=b, n=fmt_n(n))
        if n
        else _("**{backend}**: not within this range", backend=b)
        for b, n in cross.items()
    ]
    picked = ", ".join(serial) if serial else _("none picked")
    st.markdown(_("Parallel beats the fastest serial backend ({serial}): ", serial=picked))
    st.markdown("; ".join(found) + ".")


def dask_and_ray(names: list[str], *, _: Translate = english) -> None:
    """Why Dask and Ray cost what they cost, where the sweep has either."""
    if not {"dask", "ray"} & set(names):
        return
    with st.expander(_("Why Dask and Ray differ")):
        st.markdown(_(DASK_AND_RAY))


def significant(value: float, _: Translate = english) -> str:
    """``value`` with three significant digits (``%.3g``), written with ``_``'s decimal mark."""
    return "" if pd.isna(value) else _.significant(value)


def shown_table(table: pd.DataFrame, _: Translate = english) -> pd.DataFrame:
    """The sweep's table as the page shows it in a language other than the code's: headers translated,
    n as 1e6, timings and rates with three significant digits, the language's decimal mark."""
    shown = table[DATA_COLUMNS].copy()
    shown["n"] = [fmt_n(n) for n in shown["n"]]
    for column in DATA_COLUMNS[3:]:
        shown[column] = [significant(v, _) for v in shown[column]]
    return readable(shown, _)


def data_tab(table: pd.DataFrame, timings: list[Timing], *, _: Translate = english) -> None:
    """The sweep's table, whether the counter-based backends agree, and the downloads (their numbers
    Python's in every language)."""
    if _.lang == FALLBACK:
        fmt = st.column_config.NumberColumn
        st.dataframe(
            table[DATA_COLUMNS],
            hide_index=True,
            width="stretch",
            column_config={c: fmt(format="%.3g") for c in DATA_COLUMNS[3:]} | {"n": fmt(format="%.0e")},
        )
    else:
        st.dataframe(shown_table(table, _), hide_index=True, width="stretch")
    checks = agreement(timings)
    if not checks.empty:
        ok = bool(checks[AGREE].all())
        (st.success if ok else st.error)(
            _("The counter-based backends counted exactly the same points at every N.")
            if ok
            else _("The counter-based backends disagree: see the rows marked False.")
        )
        st.dataframe(checks if _.lang == FALLBACK else readable(checks, _), hide_index=True, width="stretch")
    left, right = st.columns(2)
    left.download_button(
        _("Download CSV"), table.to_csv(index=False), "pi-lab-sweep.csv", "text/csv", icon="⬇️"
    )
    right.download_button(
        _("Download JSON"),
        json.dumps([t.to_dict() for t in timings], indent=1),
        "pi-lab-sweep.json",
        "application/json",
        icon="⬇️",
    )
