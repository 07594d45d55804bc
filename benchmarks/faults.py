"""Killed workers under load: each parallel backend, a worker killed at each moment the fault tests use
(at the start, mid-run, idle, between runs), repeated while other processes keep every core busy.

For each case: how many repetitions gave the exact count in the run that lost a worker and in the run after
it, how many said a worker was lost, and the slowest repetition (a hang would show here, as the scenario's
deadline). Run: ``python -m benchmarks.faults [--repeat 20] [--backends a,b] [--json PATH]``; its table
goes into BENCHMARKS.md between ``<!-- faults:start -->`` and ``<!-- faults:end -->`` (a later ``make bench``
keeps it), rows of backends not run this time kept from before.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

from benchmarks import sections
from core.runtime import processes
from tests.support.dask_cluster import ProcessCluster
from tests.support.faults import LOST_NOTE, MOMENTS, kill_a_worker

BACKENDS = ("multiprocessing", "joblib", "dask")


def cpu_hogs() -> list[subprocess.Popen]:
    """One busy loop per core, at normal priority: the machine a class shares."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)]


def repeat_case(backend: str, moment: str, repeat: int, cluster) -> dict:
    """One backend and moment, ``repeat`` times: how many were right and noted, the median and worst s."""
    right = noted = 0
    seconds = []
    for i in range(repeat):
        t0 = time.monotonic()
        outcome = kill_a_worker(backend, moment, seed=100 + i, cluster=cluster)
        seconds.append(time.monotonic() - t0)
        right += outcome.right
        noted += any(LOST_NOTE[backend] in note for note in outcome.notes)
    return {
        "backend": backend,
        "moment": moment,
        "repeat": repeat,
        "right": right,
        "noted": noted,
        "median_s": sorted(seconds)[len(seconds) // 2],
        "worst_s": max(seconds),
    }


def run(repeat: int, backends: tuple[str, ...] = BACKENDS) -> list[dict]:
    rows = []
    hogs = cpu_hogs()
    try:
        for backend in backends:
            cluster = ProcessCluster(workers=2, nanny=True) if backend == "dask" else None
            try:
                for moment in MOMENTS:
                    rows.append(repeat_case(backend, moment, repeat, cluster))
                    print(json.dumps(rows[-1]), flush=True)
            finally:
                if cluster is not None:
                    cluster.__exit__()
    finally:
        processes.stop([psutil.Process(h.pid) for h in hogs])
    return rows


def section(rows: list[dict]) -> str:
    """The markdown section: one row a backend and moment."""
    lines = [
        "## Killed workers (`python -m benchmarks.faults`)",
        "",
        f"Each case {rows[0]['repeat']} times while {os.cpu_count()} busy loops kept every core busy "
        f"({sections.machine()}): a worker killed at the moment named; the run's count and the next run's "
        "checked against Numba's; whether the notes said a worker was lost. A hang would show as the "
        "scenario's deadline. Dask runs on a cluster of `dask worker` processes with nannies.",
        "",
        "| backend | killed | exact counts | noted | median s | worst s |",
        "| --- | --- | --- | --- | --- | --- |",
        *(
            f"| `{r['backend']}` | {r['moment']} | {r['right']} of {r['repeat']} | "
            f"{r['noted']} of {r['repeat']} | {r['median_s']:.1f} | {r['worst_s']:.1f} |"
            for r in rows
        ),
        "",
        "Dask's nanny replaces a worker killed while idle before a run meets the loss: no note is due then.",
    ]
    return "\n".join(lines)


def write_section(rows: list[dict], path: Path = sections.BENCHMARKS_MD) -> None:
    """Put the section into ``path``; rows of backends and moments not run this time are kept."""
    done = {(r["backend"], r["moment"]) for r in rows}
    old = [
        r for r in _rows_of(sections.read("faults", path) or "") if (r["backend"], r["moment"]) not in done
    ]
    rows = sorted(old + rows, key=lambda r: (BACKENDS.index(r["backend"]), MOMENTS.index(r["moment"])))
    sections.write("faults", section(rows), path)


def _rows_of(block: str) -> list[dict]:
    rows = []
    for line in block.splitlines():
        cells = [c.strip(" `") for c in line.strip("|").split("|")]
        if len(cells) == 6 and cells[0] in BACKENDS:
            right, repeat = cells[2].split(" of ")
            rows.append(
                {
                    "backend": cells[0],
                    "moment": cells[1],
                    "repeat": int(repeat),
                    "right": int(right),
                    "noted": int(cells[3].split(" of ")[0]),
                    "median_s": float(cells[4]),
                    "worst_s": float(cells[5]),
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--backends", default=",".join(BACKENDS), help="comma-separated, of: " + ", ".join(BACKENDS)
    )
    parser.add_argument("--json", help="also write the rows to this file")
    parser.add_argument("--out", default=str(sections.BENCHMARKS_MD), help="the markdown to put the table in")
    args = parser.parse_args()
    rows = run(args.repeat, tuple(b for b in args.backends.split(",") if b in BACKENDS))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    write_section(rows, Path(args.out))


if __name__ == "__main__":
    main()
