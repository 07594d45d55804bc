"""Killed workers under load: each parallel backend, a worker killed at each moment the fault tests use
(at the start, mid-run, idle, between runs), repeated while other processes keep every core busy.

For each case: how many repetitions gave the exact count in the run that lost a worker and in the run after
it, how many said a worker was lost, and the slowest repetition (a hang would show here, as the scenario's
deadline). Run: ``python -m benchmarks.faults [--repeat 20] [--json PATH]``; ``run_benchmarks.py`` puts
its table in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import psutil

from core import processes
from tests.support.faults import LOST_NOTE, MOMENTS, kill_a_worker

BACKENDS = ("multiprocessing", "joblib", "dask")


def cpu_hogs() -> list[subprocess.Popen]:
    """One busy loop per core, at normal priority: the machine a class shares."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)]


def run(repeat: int) -> list[dict]:
    rows = []
    hogs = cpu_hogs()
    try:
        for backend in BACKENDS:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    rows = run(args.repeat)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
