"""A sweep's timings as tables: speed-up against a baseline, rates by label × n, first-call costs, crossovers,
and the agreement of the counts."""

from __future__ import annotations

import pandas as pd

from core.bench.harness import Timing, backend_of, crossovers, split_label


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


def by_label(timings: list[Timing], value: str = "samples_per_s") -> pd.DataFrame:
    """One row per label (in the order timed) and one column per n: ``value`` of each timing, NaN where a
    label was not timed at that n."""
    table = sweep_table(timings)
    if table.empty:
        return table
    labels = list(dict.fromkeys(table["backend"]))
    wide = table.pivot(index="backend", columns="n", values=value)
    return wide.reindex(index=labels, columns=sorted(wide.columns)).rename_axis(index="label", columns="n")


def first_calls(timings: list[Timing]) -> pd.DataFrame:
    """Per label, its timing at its smallest n: what a run costs whatever n (``best_s``) and the one-time
    costs its first call paid (``compile_s``, ``startup_s``)."""
    table = sweep_table(timings)
    if table.empty:
        return table
    first = table.loc[table.groupby("backend", sort=False)["n"].idxmin()]
    return first.set_index("backend").rename_axis("label")[["n", "best_s", "compile_s", "startup_s"]]


def spreads_work(label: str) -> bool:
    """Whether a label runs on several workers or a GPU (a parallel backend pinned to ``@1`` does not)."""
    backend = backend_of(label)
    return (
        backend is not None and (backend.parallel or backend.family == "gpu") and split_label(label)[1] != 1
    )


def parallel_crossovers(timings: list[Timing]) -> tuple[dict[str, int | None], list[str]]:
    """Where each parallel backend of the sweep starts to beat its fastest serial one; and the serial ones.
    Labels outside the registry (``measure_call`` yardsticks) are neither."""
    best: dict[str, dict[int, float]] = {}
    for t in timings:
        best.setdefault(t.backend, {})[t.n] = t.best_s
    parallel = [b for b in best if spreads_work(b)]
    serial = [b for b in best if b not in parallel and backend_of(b) is not None]
    return crossovers(best, serial, parallel), serial


def agreement(timings: list[Timing]) -> pd.DataFrame:
    """Per n: the count of each counter-based backend, and whether they all agree (they must)."""
    rows: dict[int, dict] = {}
    for t in timings:
        backend = backend_of(t.backend)
        if backend is not None and backend.counter_based:
            rows.setdefault(t.n, {"n": t.n})[t.backend] = t.inside
    table = pd.DataFrame(sorted(rows.values(), key=lambda r: r["n"]))
    if not table.empty:
        counts = table.drop(columns="n")
        table["agree"] = counts.nunique(axis=1, dropna=True) <= 1
    return table
