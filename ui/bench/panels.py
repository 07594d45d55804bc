"""The Benchmarks page's results below its figures: the crossovers found, why Dask and Ray differ, and the
data with its agreement check and downloads."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from core.bench import Timing
from core.bench.tables import agreement
from ui.pi.settings import fmt_n

DATA_COLUMNS = [
    "backend",
    "n",
    "workers",
    "mean_s",
    "std_s",
    "best_s",
    "compile_s",
    "samples_per_s",
    "speedup",
]


def crossovers(cross: dict[str, int | None], serial: list[str]) -> None:
    """From which N each parallel backend beats the fastest serial one (nothing when none was picked)."""
    if not cross:
        return
    found = [
        f"**{b}** from N = {fmt_n(n)}" if n else f"**{b}**: not within this range" for b, n in cross.items()
    ]
    st.markdown("Parallel beats the fastest serial backend (" + ", ".join(serial or ["none picked"]) + "): ")
    st.markdown("; ".join(found) + ".")


def dask_and_ray(names: list[str]) -> None:
    """Why Dask and Ray cost what they cost, where the sweep has either."""
    if not {"dask", "ray"} & set(names):
        return
    with st.expander("Why Dask and Ray differ"):
        st.markdown(
            "Both count the same ranges of the same stream, so they agree to the point; what differs is what "
            "a run costs whatever N. **Dask** sends every task through its central scheduler (here a "
            "`LocalCluster` whose workers are threads of the server): a submit, a scheduling decision, the "
            "work, the result reported back — several ms a task over TCP, even on one machine. **Ray** has "
            "no central scheduler on a task's way: this process leases a worker process from its raylet and "
            "hands the task to it directly, and a small result comes straight back, so a task costs about a "
            "millisecond. But Ray's workers are separate processes, and its instance (a GCS, a raylet, "
            "Python workers) takes seconds to start, once per server (`startup_s`). So Ray starts to win at "
            "a smaller N than Dask; past that, both run the same compiled loop, and on a real cluster both "
            "add what one machine cannot: more cores."
        )


def data_tab(table: pd.DataFrame, timings: list[Timing]) -> None:
    """The sweep's table, whether the counter-based backends agree, and the downloads."""
    fmt = st.column_config.NumberColumn
    st.dataframe(
        table[DATA_COLUMNS],
        hide_index=True,
        width="stretch",
        column_config={c: fmt(format="%.3g") for c in DATA_COLUMNS[3:]} | {"n": fmt(format="%.0e")},
    )
    checks = agreement(timings)
    if not checks.empty:
        ok = bool(checks["agree"].all())
        (st.success if ok else st.error)(
            "The counter-based backends counted exactly the same points at every N."
            if ok
            else "The counter-based backends disagree: see the rows marked False."
        )
        st.dataframe(checks, hide_index=True, width="stretch")
    left, right = st.columns(2)
    left.download_button("Download CSV", table.to_csv(index=False), "pi-lab-sweep.csv", "text/csv", icon="⬇️")
    right.download_button(
        "Download JSON",
        json.dumps([t.to_dict() for t in timings], indent=1),
        "pi-lab-sweep.json",
        "application/json",
        icon="⬇️",
    )
