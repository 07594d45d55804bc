"""What recording the task timeline costs: for each parallel backend at n = 1e9, the run with its timeline
against the run without, as a ratio.

Two measures, in one run each: the recording's own cost (what a range pays for its span: two clock reads and
the worker's name in the worker, the larger result it sends back, the span kept and made relative in the
server; for ``numba_parallel`` the timed kernel against the plain one on an empty chunk) times the run's
ranges, over the run's time without a timeline; and the median over paired runs of the time with a timeline
over the time without (a check, within the wall clock's noise). The first decides the target (< 1 %).

Run: ``python -m benchmarks.timeline [--n 1e9] [--workers W] [--repeat 3] [--backends a,b] [--write]``;
with ``--write`` its table goes into BENCHMARKS.md between ``<!-- timeline:start -->`` and
``<!-- timeline:end -->`` (a later ``make bench`` keeps it); without, it is printed.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchmarks import sections
from core.pi import BACKENDS, estimate, executors, kernels, stream, tasks
from core.pi.timeline import Recorder

TARGET = 0.01  # recording costs under 1 % of a run's time
BACKENDS_TIMED = tuple(b for b, backend in BACKENDS.items() if backend.parallel)


def best_of(call: Callable[[], object], loops: int = 2000, repeat: int = 5) -> float:
    """The best mean seconds of one ``call`` over ``repeat`` timings of ``loops`` calls each."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(loops):
            call()
        best = min(best, (time.perf_counter() - t0) / loops)
    return best


def cost_per_range(backend: str, workers: int) -> float:
    """Seconds a range pays for its span on ``backend``: the worker's side (a pool's task timed and its
    tuple pickled both ways against the bare count's int; Numba's timed kernel against the plain one), and the
    server's (the span added to a ``Recorder`` and made relative)."""
    key = stream.key_for_seed(1)
    if backend == "numba_parallel":
        spans = np.zeros((workers, 4), np.int64)
        timed = best_of(lambda: kernels.count_inside_timed(np.uint64(key), (0, workers), spans), loops=500)
        plain = best_of(lambda: kernels.count_inside_parallel(np.uint64(key), 0, workers), loops=500)
        worker_side = max(timed - plain, 0.0) / workers  # a chunk is `workers` spans
    else:
        timed = best_of(lambda: pickle.loads(pickle.dumps(tasks.timed(tasks.count_range, key, 0, 1))))
        plain = best_of(lambda: pickle.loads(pickle.dumps(tasks.count_range(key, 0, 1))))
        worker_side = max(timed - plain, 0.0)
    recorder = Recorder(limit=10**6)
    t0 = time.perf_counter()
    for i in range(10_000):
        recorder.add(range_index=i, start_ns=i, end_ns=i + 1, worker="1", samples=1)
    recorder.spans()
    return worker_side + (time.perf_counter() - t0) / 10_000


def measure(backend: str, n: int, *, workers: int, repeat: int) -> dict:
    """One backend's row: its ranges, run time without a timeline, the paired ratio and the cost share."""
    estimate(backend, min(n, 10**7), seed=1, workers=workers)  # pools up and kernels compiled
    with_s, without_s, ranges = [], [], 0
    for _ in range(repeat):
        plain = estimate(backend, n, seed=1, workers=workers, timeline=False)
        timed = estimate(backend, n, seed=1, workers=workers)
        assert timed.inside == plain.inside, f"{backend}: the timeline changed the count"
        without_s.append(plain.elapsed_s)
        with_s.append(timed.elapsed_s)
        ranges = len(timed.spans)
    run_s = statistics.median(without_s)
    per_range = cost_per_range(backend, timed.workers)
    return {
        "backend": backend,
        "n": n,
        "workers": timed.workers,
        "ranges": ranges,
        "run_s": run_s,
        "ratio": statistics.median(w / wo for w, wo in zip(with_s, without_s, strict=True)),
        "per_range_us": per_range * 1e6,
        "share": per_range * ranges / run_s,
    }


def section(rows: list[dict], *, repeat: int) -> str:
    """The markdown section: one row a backend."""
    lines = [
        "## What the task timeline costs (`python -m benchmarks.timeline`)",
        "",
        f"On {sections.machine()}, {repeat} paired run(s) a backend (without, then with the timeline). "
        "*cost × ranges* is the recording's own cost per range (clock reads and worker name in the worker, "
        "the larger result pickled, the span kept in the server) times the run's ranges, over the run's "
        "time without a timeline: it decides the target (under 1 %). *with / without* is the median ratio of "
        "the paired wall times, a check within the wall clock's noise. Spans are stamped with "
        "`time.time_ns` (one clock for every process of the machine).",
        "",
        "| backend | n | workers | ranges | run s (without) | with / without | cost a range (µs) "
        "| cost × ranges | under 1 % |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| `{r['backend']}` | {r['n']:.0e} | {r['workers']} | {r['ranges']:,} | {r['run_s']:.3f} "
            f"| {r['ratio']:.3f} | {r['per_range_us']:.1f} | {100 * r['share']:.4f} % "
            f"| {'yes' if r['share'] < TARGET else '**no**'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=float, default=1e9, help="samples a run (default 1e9)")
    parser.add_argument("--workers", type=int, default=None, help="workers (default: the machine's cores)")
    parser.add_argument("--repeat", type=int, default=3, help="paired runs a backend (default 3)")
    parser.add_argument(
        "--backends",
        default=",".join(BACKENDS_TIMED),
        help="comma-separated, of: " + ", ".join(BACKENDS_TIMED),
    )
    parser.add_argument("--write", action="store_true", help="put the table into BENCHMARKS.md")
    parser.add_argument("--out", default=str(sections.BENCHMARKS_MD), help="the markdown --write writes")
    args = parser.parse_args()
    workers = args.workers or executors.default_workers()
    chosen = [
        b for b in args.backends.split(",") if b in BACKENDS_TIMED and not BACKENDS[b].why_unavailable()
    ]
    try:
        rows = [measure(b, int(args.n), workers=workers, repeat=args.repeat) for b in chosen]
    finally:
        executors.shutdown()
    text = section(rows, repeat=args.repeat)
    if args.write:
        sections.write("timeline", text, Path(args.out))
    print(text)


if __name__ == "__main__":
    main()
