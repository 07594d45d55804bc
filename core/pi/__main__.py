"""``python -m core.pi``: list the backends, or run one estimate and print it (as JSON with ``--json``)."""

from __future__ import annotations

import json
import sys

from core.pi import BACKENDS, Cancelled, estimate, parse_n
from core.pi.backends import backend_rows
from core.runtime.cli import Parser, fail, run


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m core.pi", description=__doc__)
    parser.add_argument("--list", action="store_true", help="list the backends and whether each runs here")
    parser.add_argument("--backend", help=f"one of: {', '.join(BACKENDS)}")
    parser.add_argument("--n", help="samples: an integer or e-notation such as 1e8")
    parser.add_argument("--seed", type=int, help="seed (0 … 2**32-1); random when left out, and printed")
    parser.add_argument("--workers", type=int, help="workers for the parallel backends (default: the cores)")
    parser.add_argument("--chunk", type=int, help="draws per task or progress step")
    parser.add_argument("--scheduler", help="Dask scheduler address (default: PILAB_DASK_SCHEDULER or local)")
    parser.add_argument("--ray-address", help="Ray cluster address (default: PILAB_RAY_ADDRESS or local)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)

    if args.list:
        rows = backend_rows()
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            for r in rows:
                state = "available" if r["available"] else f"unavailable: {r['why_unavailable']}"
                print(f"{r['name']:16s} {r['family']:8s} {state}")
        return 0
    if not args.backend or args.n is None:
        parser.error("give --list, or --backend NAME and --n N")
    try:
        result = estimate(
            args.backend,
            parse_n(args.n),
            seed=args.seed,
            workers=args.workers,
            chunk=args.chunk,
            scheduler=args.scheduler,
            ray_address=args.ray_address,
        )
    except (ValueError, OSError) as exc:  # OSError: an unreachable scheduler or cluster, a deadline
        fail(str(exc), parser.prog)
    except (Cancelled, KeyboardInterrupt):
        print(f"{parser.prog}: cancelled", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print(
            f"{result.backend}: π ≈ {result.pi:.8f} from {result.n:,} samples (seed {result.seed}), "
            f"error {result.error:+.2e} = {result.z:+.2f} σ; {result.elapsed_s:.4f} s run, "
            f"{result.compile_s:.3f} s compile, {result.startup_s:.3f} s start-up, "
            f"{result.samples_per_s:.3g} samples/s on {result.workers} worker(s)"
        )
        for note in result.notes:
            print(f"note: {note}")
    return 0


if __name__ == "__main__":
    run(main)
