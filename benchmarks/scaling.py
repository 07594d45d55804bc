"""The scaling lab for each parallel backend: strong scaling (fixed N) and weak scaling (N per worker fixed)
on 1…k workers, the serial fraction fitted by Amdahl's law (strong) and Gustafson's (weak), each ± its
standard error. Run: ``python -m benchmarks.scaling [--backends a,b] [--n 1e9] [--n-per-worker 2.5e8]
[--workers 4] [--json PATH] [--write]``; with ``--write`` its table goes into BENCHMARKS.md between
``<!-- scaling:start -->`` and ``<!-- scaling:end -->`` (a later ``make bench`` keeps it).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from benchmarks import sections
from core.bench.fits import Fit
from core.bench.scaling import STRONG, Plan, Scaling, analyse, measure_points
from core.pi import BACKENDS, backends, parse_n
from core.runtime import processes

PARALLEL = tuple(name for name, b in BACKENDS.items() if b.parallel)


def lab(backend: str, *, n: int, n_per_worker: int, workers: int, repeat: int) -> Scaling:
    """One backend's scaling lab on this machine."""
    plan = Plan(
        backend=backend, n=n, n_per_worker=n_per_worker, workers=tuple(range(1, workers + 1)), repeat=repeat
    )
    plan.check()
    return analyse(measure_points(plan), cores=plan.cores)


def _fit(fit: Fit | None) -> str:
    if fit is None:
        return "–"
    error = f"{fit.error:.3f}" if math.isfinite(fit.error) else "?"
    return f"{fit.serial:.3f} ± {error}"


def section(labs: list[Scaling], *, n: int, n_per_worker: int, workers: int) -> str:
    """The labs as a section of BENCHMARKS.md."""
    rows = []
    for one in labs:
        strong = [r for r in one.rows if r["kind"] == STRONG]
        top = max(strong, key=lambda r: r["workers"])
        fixed_ms = 1e3 * max(r["fixed_s"] for r in one.rows)
        rows.append(
            f"| {one.backend} | {_fit(one.amdahl)} | {_fit(one.gustafson)} | {top['speedup']:.2f} "
            f"| {fixed_ms:.2f} | {'yes' if one.same_count else 'NO'} |"
        )
    return "\n".join(
        [
            "## Scaling (`python -m benchmarks.scaling`)",
            "",
            f"On {sections.machine()}: strong scaling at n = {n:.0e} and weak scaling at {n_per_worker:.0e} "
            f"draws a worker, on 1 … {workers} workers (best of the harness's repeats). The serial fraction "
            "s is fitted to the speed-ups with p = min(workers, cores): Amdahl's law to the strong-scaling "
            "points, Gustafson's to the weak-scaling ones (a least-squares slope ± its standard error). "
            f"Fixed cost: a run of {1000:,} draws a worker, the slowest worker count's. Same count: every "
            "worker count counted exactly the same points at the strong-scaling n.",
            "",
            f"| backend | s (Amdahl, strong) | s (Gustafson, weak) | strong speed-up on {workers} "
            "| fixed cost ms | same count |",
            "| --- | --- | --- | --- | --- | --- |",
            *rows,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--backends", help="comma-separated, of: " + ", ".join(PARALLEL) + " (default: all here)"
    )
    parser.add_argument("--n", default="1e9", help="samples of every strong-scaling run")
    parser.add_argument("--n-per-worker", default="2.5e8", help="samples a worker in weak scaling")
    parser.add_argument("--workers", type=int, default=4, help="1 up to this many workers")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", help="also write the labs to this file")
    parser.add_argument("--write", action="store_true", help="put the table in BENCHMARKS.md")
    parser.add_argument("--out", default=str(sections.BENCHMARKS_MD), help="the markdown to put the table in")
    args = parser.parse_args()
    here = [b for b in backends.available() if b in PARALLEL]
    chosen = [b for b in args.backends.split(",") if b in here] if args.backends else here
    n, per_worker = parse_n(args.n), parse_n(args.n_per_worker)
    try:
        labs = []
        for backend in chosen:
            labs.append(lab(backend, n=n, n_per_worker=per_worker, workers=args.workers, repeat=args.repeat))
            print(labs[-1].headline(), flush=True)
    finally:
        processes.on_exit()
    if args.json:
        Path(args.json).write_text(json.dumps([one.to_dict() for one in labs], indent=1))
    if args.write:
        sections.write(
            "scaling", section(labs, n=n, n_per_worker=per_worker, workers=args.workers), Path(args.out)
        )


if __name__ == "__main__":
    main()
