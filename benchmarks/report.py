"""BENCHMARKS.md from one run's results: the numbers come as tables from ``core.bench.tables``, each section
is a short function of them, and ``markdown`` puts the sections in order."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

import pandas as pd

from core.bench import Timing
from core.bench.harness import backend_of
from core.bench.tables import by_label, first_calls, parallel_crossovers
from core.pi import BACKENDS

REFERENCE = "reference"  # the label of the yardstick loop (benchmarks/reference.py)
TARGET_N = 10**8  # the targets are set at this n
RATE = "{:.3g}".format  # samples per second, in every table
GPU_TARGET = "≥ 5e11 samples/s at n = 1e11 on an H100"
WAIT_NOTES = {  # why a parallel backend has a floor, whatever n
    "multiprocessing": "A persistent Pool answers in a round trip",
    "joblib": "joblib's result generator checks for finished tasks every 10 ms",
    "dask": "Dask pays scheduler round trips of several ms per task",
    "ray": "Ray hands each task straight to a leased worker process (no central scheduler on the way), and "
    "its result comes back to this process through Ray's core worker",
}


@dataclass(kw_only=True, frozen=True)
class Results:
    """One run of ``run_benchmarks.py``: the sweep (by label), the reference loop at every n, and the rest."""

    machine: dict
    ns: list[int]
    timings: list[Timing]
    reference: list[Timing]
    workers: int
    serial_one: str
    memory: list[dict]
    load: dict | None

    @cached_property
    def rates(self) -> pd.DataFrame:
        """Samples per second, label × n (the sweep's labels, then the reference loop)."""
        return by_label([*self.timings, *self.reference]).reindex(columns=self.ns)

    @property
    def big(self) -> int:
        """The n of the ratios and targets: the largest measured, at most ``TARGET_N``."""
        return min(TARGET_N, max(t.n for t in self.reference))


# ---------------------------------------------------------------- numbers


def ratios(rates: pd.DataFrame, big: int) -> pd.DataFrame:
    """Each sweep label's rate at ``big`` against python's (at its largest n), the lecture's numba and the
    reference loop (NaN where one of them was not measured)."""
    at_big = rates[big].drop(REFERENCE).dropna()
    py_n = largest_n(rates, "python")
    return pd.DataFrame(
        {
            "samples/s": at_big,
            "× python": at_big / rates.at["python", py_n] if py_n else math.nan,
            "× lecture numba": at_big / rates.at["numba", big] if "numba" in rates.index else math.nan,
            "× reference": at_big / rates.at[REFERENCE, big],
        }
    )


def largest_n(rates: pd.DataFrame, label: str) -> int | None:
    """The largest n at which ``label`` was measured (None if it was not)."""
    return rates.loc[label].last_valid_index() if label in rates.index else None


def fastest_cpu(rates: pd.DataFrame, big: int) -> str:
    """The sweep label with the most samples/s at ``big`` among those that do not run on a GPU."""
    cpu = [k for k in rates.index if k != REFERENCE and backend_of(k).family != "gpu"]
    return rates.loc[cpu, big].idxmax()


def rate_at(rates: pd.DataFrame, label: str, n: int) -> float:
    """``label``'s samples/s at ``n``, NaN where it was not measured."""
    return rates.at[label, n] if label in rates.index and n in rates.columns else math.nan


# ---------------------------------------------------------------- markdown


def table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    """A markdown table: the first column left-aligned, the others right-aligned (numbers)."""
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "| --- | " + " | ".join("---:" for _ in header[1:]) + " |"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def cells(frame: pd.DataFrame, formats: dict[str, Callable[[float], str]]) -> list[list[str]]:
    """One row per label: the label in backticks, then each column in its format (blank where NaN)."""
    return [
        [f"`{label}`", *("" if pd.isna(row[c]) else formats[c](row[c]) for c in formats)]
        for label, row in frame.iterrows()
    ]


def verdict(value: float, target: float) -> str:
    return "meets" if value >= target else "MISSES"


# ---------------------------------------------------------------- sections


def header(now: datetime) -> list[str]:
    return [
        "# Benchmarks",
        "",
        f"Written by `python -m benchmarks.run_benchmarks` (`make bench`) on {now:%Y-%m-%d %H:%M} UTC. All "
        "figures come from one run on one machine; ratios compare backends measured in that run.",
        "",
    ]


def machine_section(info: dict) -> list[str]:
    return [
        "## Machine",
        "",
        f"- CPU: {info['cpu']}, {info['cores']} cores; memory {info['memory']}",
        f"- Python {info['python']}; {info['libraries']}",
        "",
    ]


def rates_section(r: Results) -> list[str]:
    repeat = r.timings[0].repeat
    return [
        f"## Samples per second (best of {repeat} timings, each of calibrated loops; compile and start-up "
        "excluded)",
        "",
        f"Parallel backends use {r.workers} workers. `{r.serial_one}` is the counter-based loop on one "
        f"thread (the fastest serial kernel); `{REFERENCE}` is the plain Numba `prange` SplitMix64 loop of "
        f"`benchmarks/reference.py`, on {r.workers} threads.",
        "",
        *table(["backend", *(f"{n:.0e}" for n in r.ns)], cells(r.rates, dict.fromkeys(r.ns, RATE))),
        "",
    ]


def ratios_section(r: Results) -> list[str]:
    formats = {
        "samples/s": RATE,
        "× python": "{:.0f}".format,
        "× lecture numba": "{:.1f}".format,
        "× reference": "{:.2f}".format,
    }
    py_n = largest_n(r.rates, "python")
    return [
        f"## Ratios at n = {r.big:.0e}",
        "",
        *table(["backend", *formats], cells(ratios(r.rates, r.big), formats)),
        "",
        *([f"(× python compares with python's rate at n = {py_n:.0e}, its largest.)", ""] if py_n else []),
    ]


def targets_section(r: Results) -> list[str]:
    fastest = fastest_cpu(r.rates, r.big)
    vs_ref = r.rates.at[fastest, r.big] / r.rates.at[REFERENCE, r.big]
    chunked = rate_at(r.rates, "numpy_chunked", 10**7) / rate_at(r.rates, "numpy", 10**7)
    chunked_line = (
        f"{chunked:.1f}× ({verdict(chunked, 3)} the ≥ 3× target), in constant memory."
        if not math.isnan(chunked)
        else "not measured in this run."
    )
    return [
        "## Targets",
        "",
        f"- Fastest CPU backend at n = {r.big:.0e}: `{fastest}`, {vs_ref:.2f}× the reference loop "
        f"({verdict(vs_ref, 0.8)} the ≥ 0.8× target).",
        f"- `numpy_chunked` vs the lecture's `numpy` at n = 1e7: {chunked_line}",
        "",
    ]


def crossover_section(r: Results) -> list[str]:
    cross, _ = parallel_crossovers(r.timings)
    floors = first_calls(r.timings)["best_s"] * 1e3
    serial_per_ms = rate_at(r.rates, r.serial_one, r.big) / 1e3
    rows = [
        [f"`{k}`", f"{n:.0e}" if n else f"not within {largest_n(r.rates, k):.0e}"] for k, n in cross.items()
    ]
    notes = "; ".join(WAIT_NOTES[k] for k in cross if k in WAIT_NOTES)
    workers, times = ("two", "twice") if r.workers == 2 else (str(r.workers), f"{r.workers} times")
    return [
        "## Where parallel starts to win",
        "",
        f"The smallest n from which each parallel backend ({r.workers} workers) beats the fastest serial "
        "backend at that n and every larger n measured:",
        "",
        *table(["backend", "from n"], rows),
        "",
        "What a parallel run costs whatever n (its time at the smallest n): "
        + ", ".join(f"`{k}` {floors[k]:.2g} ms" for k in cross)
        + (f". {notes}." if notes else ".")
        + f" The serial loop draws {serial_per_ms:.2g} samples a millisecond, so {workers} workers win only "
        f"once n is well past {times} their cost times that.",
        "",
    ]


def one_time_section(r: Results) -> list[str]:
    formats = {"compile_s": "{:.3f}".format, "startup_s": "{:.2f}".format}
    return [
        "## One-time costs (first call in a fresh process of the sweep)",
        "",
        *table(
            ["backend", "JIT compile or cache load, s", "pool / cluster start-up, s"],
            cells(first_calls(r.timings), formats),
        ),
        "",
        "The first Numba function called in a process also pays Numba's own start-up (~0.5 s) in its "
        "compile figure; later functions load from the on-disk cache in milliseconds.",
        "",
    ]


def memory_section(memory: list[dict]) -> list[str]:
    if not memory:
        return []
    rows = [
        [
            f"`{m['backend']}`",
            f"{m['n']:.0e}",
            f"{m['driver_peak_mib']:.0f}",
            f"{m['worker_peak_mib']:.0f}" if m["worker_peak_mib"] else "—",
        ]
        for m in memory
    ]
    return [
        "## Peak memory (each run in a fresh child process; MiB)",
        "",
        *table(["backend", "n", "driver peak RSS", "largest worker peak RSS"], rows),
        "",
        "The lecture's `numpy` and `numba_numpy` allocate O(n) (about 33 bytes a sample at once), so they "
        "are shown at 1e7 and 1e8 and refuse n > 2e8; every other backend runs 1e9 in constant memory.",
        "",
    ]


def load_section(load: dict | None) -> list[str]:
    if not load:
        return []
    return [
        "## Load: five sessions at once",
        "",
        f"{load['sessions']} headless-Chromium sessions against one fresh server press Run at once "
        f"(n = {load['n']:.0e} on `{load['backends']}` each; runs take turns, one at a time):",
        "",
        f"- right answers: {load['right']} of {load['sessions']} (each backend's π̂ is the exact count's)",
        f"- all finished after {load['all_done_s']:.1f} s "
        f"(each: {', '.join(map(str, load['finished_s']))} s)",
        f"- health endpoint: median {load['health_median_s'] * 1000:.0f} ms, worst "
        f"{load['health_max_s'] * 1000:.0f} ms over {load['health_probes']} probes",
        f"- processes under the server at most {load['max_processes']} "
        f"(limit: {load['process_limit']} = 6 × cores)",
        *(
            [
                f"- CPU while they ran: the browsers {cpu['browsers']:.1f} s, the server and its pools "
                f"{cpu['server']:.1f} s (the browsers share these two cores here; in a class they do not)"
            ]
            if (cpu := load.get("cpu_s"))
            else []
        ),
        "",
    ]


def gpu_section(r: Results) -> list[str]:
    """Each GPU backend of the registry: measured here, or why not and how to measure it on a GPU."""
    lines = ["## GPU", ""]
    for b in (b for b in BACKENDS.values() if b.family == "gpu"):
        rival = fastest_cpu(r.rates, r.big)
        command = f"`python -m core.bench --backends {b.name},{rival} --n 1e9,1e11 --repeat 3`"
        why = b.why_unavailable()
        top = largest_n(r.rates, b.name)
        if why:
            said = f"The `{b.name}` backend was not measured: {why}. On a machine with a GPU, {command}"
        elif top:
            said = (
                f"The `{b.name}` backend ran in the sweep above: {r.rates.at[b.name, top]:.3g} samples/s at "
                f"n = {top:.0e}. At n = 1e11, {command}"
            )
        else:
            said = f"The `{b.name}` backend runs here but was not timed in this run; {command}"
        lines += [f"{said} gives its figures (the target is {GPU_TARGET}).", ""]
    return lines


def markdown(r: Results, now: datetime | None = None) -> str:
    """BENCHMARKS.md for ``r``, section by section."""
    sections = [
        header(now or datetime.now(UTC)),
        machine_section(r.machine),
        rates_section(r),
        ratios_section(r),
        targets_section(r),
        crossover_section(r),
        one_time_section(r),
        memory_section(r.memory),
        load_section(r.load),
        gpu_section(r),
    ]
    return "\n".join(line for section in sections for line in section)
