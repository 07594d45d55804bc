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
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import psutil

from core import processes
from tests.support.faults import LOST_NOTE, MOMENTS, kill_a_worker

BACKENDS = ("multiprocessing", "joblib", "dask")
ROOT = Path(__file__).resolve().parents[1]


def cpu_hogs() -> list[subprocess.Popen]:
    """One busy loop per core, at normal priority: the machine a class shares."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)]


def run(repeat: int, backends: tuple[str, ...] = BACKENDS) -> list[dict]:
    rows = []
    hogs = cpu_hogs()
    try:
        for backend in backends:
            for moment in MOMENTS:
                right = noted = 0
                seconds = []
                for i in range(repeat):
                    t0 = time.monotonic()
                    outcome = kill_a_worker(backend, moment, seed=100 + i)
                    seconds.append(time.monotonic() - t0)
                    right += outcome.right
                    noted += any(LOST_NOTE[backend] in note for note in outcome.notes)
                rows.append(
                    {
                        "backend": backend,
                        "moment": moment,
                        "repeat": repeat,
                        "right": right,
                        "noted": noted,
                        "median_s": sorted(seconds)[len(seconds) // 2],
                        "worst_s": max(seconds),
                    }
                )
                print(json.dumps(rows[-1]), flush=True)
    finally:
        processes.stop([psutil.Process(h.pid) for h in hogs])
    return rows


START, END = "<!-- faults:start -->", "<!-- faults:end -->"


def section(rows: list[dict], machine: str) -> str:
    """The markdown section: one row a backend and moment."""
    repeat = rows[0]["repeat"]
    lines = [
        START,
        "## Killed workers (`python -m benchmarks.faults`)",
        "",
        f"Each case {repeat} times while {os.cpu_count()} busy loops kept every core busy ({machine}): a "
        "worker killed at the moment named; the run's count and the next run's checked against Numba's; "
        "whether the notes said a worker was lost. A hang would show as the scenario's deadline.",
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
        END,
    ]
    return "\n".join(lines) + "\n"


def write_section(rows: list[dict], path: Path) -> None:
    """Put the section into ``path``, replacing the old one; rows of backends not in ``rows`` are kept."""
    text = path.read_text() if path.exists() else ""
    old = re.search(re.escape(START) + r".*?" + re.escape(END) + r"\n", text, re.S)
    if old:
        done = {(r["backend"], r["moment"]) for r in rows}
        rows = [r for r in _rows_of(old.group(0)) if (r["backend"], r["moment"]) not in done] + rows
        text = text[: old.start()] + text[old.end() :]
    rows.sort(key=lambda r: (BACKENDS.index(r["backend"]), MOMENTS.index(r["moment"])))
    path.write_text(text.rstrip("\n") + "\n\n" + section(rows, platform.processor() or "this machine"))


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
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"), help="the markdown to put the table in")
    args = parser.parse_args()
    rows = run(args.repeat, tuple(b for b in args.backends.split(",") if b in BACKENDS))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    write_section(rows, Path(args.out))


if __name__ == "__main__":
    main()
