"""A sweep's timings as tables: speed-up against a baseline, crossovers, and the agreement of the counts."""

from __future__ import annotations

import pandas as pd

from core.bench.harness import Timing, crossovers
from core.pi import BACKENDS


def sweep_table(timings: list[Timing], baseline: str | None = None) -> pd.DataFrame:
    """One row per (backend, n): the timing, and ``speedup`` = the baseline's best time / this one's."""
    df = pd.DataFrame([t.to_dict() for t in timings])
    if df.empty:
        return df
    if baseline in set(df["backend"]):
        base = df[df["backend"] == baseline].set_index("n")["best_s"]
        df["speedup"] = df["n"].map(base) / df["best_s"]
    else:
        df["speedup"] = float("nan")
    return df


def parallel_crossovers(timings: list[Timing]) -> tuple[dict[str, int | None], list[str]]:
    """Where each parallel backend of the sweep starts to beat its fastest serial one; and the serial ones."""
    best: dict[str, dict[int, float]] = {}
    for t in timings:
        best.setdefault(t.backend, {})[t.n] = t.best_s
    parallel = [b for b in best if BACKENDS[b].parallel or BACKENDS[b].family == "gpu"]
    serial = [b for b in best if b not in parallel]
    return crossovers(best, serial, parallel), serial


def agreement(timings: list[Timing]) -> pd.DataFrame:
    """Per n: the count of each counter-based backend, and whether they all agree (they must)."""
    rows: dict[int, dict] = {}
    for t in timings:
        if BACKENDS[t.backend].counter_based:
            rows.setdefault(t.n, {"n": t.n})[t.backend] = t.inside
    table = pd.DataFrame(sorted(rows.values(), key=lambda r: r["n"]))
    if not table.empty:
        counts = table.drop(columns="n")
        table["agree"] = counts.nunique(axis=1, dropna=True) <= 1
    return table
