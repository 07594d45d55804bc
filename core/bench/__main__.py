"""``python -m core.bench``: time backends over sample sizes (mean ± std, best, compile, samples/s)."""

from __future__ import annotations

import csv
import json
import sys

from core.bench import split_label, sweep
from core.pi import Cancelled, check_request, parse_n
from core.runtime.cli import Parser, fail, run


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m core.bench", description=__doc__)
    parser.add_argument(
        "--backends",
        default="numpy_chunked,numba_parallel",
        help="comma-separated names; name@W pins W workers",
    )
    parser.add_argument("--n", default="1e3,1e6", help="comma-separated sample sizes, e.g. 1e3,1e6,1e8")
    parser.add_argument("--repeat", type=int, default=5, help="timings per backend and n (default 5)")
    parser.add_argument("--workers", type=int, help="workers for the parallel backends")
    parser.add_argument("--time-limit", type=float, default=10.0, help="stop a backend past this many s")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON document")
    out.add_argument("--csv", action="store_true", help="print CSV")
    args = parser.parse_args(argv)

    try:
        names = [b.strip() for b in args.backends.split(",") if b.strip()]
        ns = [parse_n(v) for v in args.n.split(",") if v.strip()]
        if not names or not ns:
            raise ValueError("give at least one backend and one n")
        if not 1 <= args.repeat <= 100:
            raise ValueError(f"repeat must be from 1 to 100, not {args.repeat}")
        for label in names:
            name, pinned = split_label(label)
            check_request(name, min(ns), workers=args.workers if pinned is None else pinned)
        results = sweep(names, ns, repeat=args.repeat, workers=args.workers, time_limit_s=args.time_limit)
    except (ValueError, OSError) as exc:  # OSError: an unreachable scheduler, a deadline
        fail(str(exc), parser.prog)
    except (Cancelled, KeyboardInterrupt):
        print(f"{parser.prog}: cancelled", file=sys.stderr)
        return 130
    rows = [t.to_dict() for t in results]
    if args.json:
        print(json.dumps(rows, indent=2))
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    else:
        print(
            f"{'backend':16s} {'n':>8s} {'mean ± std per run':>22s} {'best':>10s} {'compile':>8s} "
            f"{'samples/s':>10s}"
        )
        for t in results:
            spread = f"{_fmt(t.mean_s)} ± {_fmt(t.std_s)}"
            print(
                f"{t.backend:16s} {t.n:8.0e} {spread:>22s} {_fmt(t.best_s):>10s} {t.compile_s:7.3f}s "
                f"{t.samples_per_s:10.3g}  ({t.repeat} runs × {t.loops} loops)"
            )
    return 0


def _fmt(seconds: float) -> str:
    for unit, scale in (("s", 1), ("ms", 1e3), ("µs", 1e6)):
        if seconds * scale >= 1 or unit == "µs":
            return f"{seconds * scale:.3g} {unit}"
    return f"{seconds:.3g} s"


if __name__ == "__main__":
    run(main)
