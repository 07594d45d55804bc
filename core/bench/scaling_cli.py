"""``python -m core.bench scaling``: the scaling lab from a terminal (strong and weak scaling of one parallel
backend, the laws fitted; ``--json``: English keys and Python numbers in every language)."""

from __future__ import annotations

import json
import sys

from core.bench.harness import Disagreement
from core.bench.scaling import KINDS, Plan, analyse, cores_for, measure_points
from core.pi import Cancelled, parse_n
from core.runtime.cli import Parser, add_lang_argument, fail
from core.runtime.i18n import Translate, translator


def workers_list(text: str) -> tuple[int, ...]:
    """``"4"`` → 1…4; ``"1,2,4"`` → those (1 is always measured: it is the yardstick)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not all(p.isdigit() and int(p) >= 1 for p in parts):
        raise ValueError(f"give --workers as a count such as 4 or a list such as 1,2,4, not {text!r}")
    if len(parts) == 1:
        return tuple(range(1, int(parts[0]) + 1))
    return tuple(int(p) for p in parts)


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m core.bench scaling", description=__doc__)
    parser.add_argument("--backend", default="numba_parallel", help="a parallel backend")
    parser.add_argument("--n", default="1e8", help="samples of every strong-scaling run (default 1e8)")
    parser.add_argument("--n-per-worker", default="2e7", help="samples a worker in weak scaling")
    parser.add_argument("--workers", default="4", help="up to this many workers (4), or a list (1,2,4)")
    parser.add_argument("--repeat", type=int, default=3, help="timings per point (default 3)")
    parser.add_argument(
        "--cores",
        type=int,
        help="the cores the workers share (default: this machine's; a cluster's: unknown)",
    )
    parser.add_argument("--scheduler", help="a Dask scheduler's address (the dask backend)")
    parser.add_argument("--ray-address", help="a Ray cluster's address (the ray backend)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    add_lang_argument(parser)
    args = parser.parse_args(argv)
    _ = translator(args.lang)
    try:
        if not 1 <= args.repeat <= 100:
            raise ValueError(f"repeat must be from 1 to 100, not {args.repeat}")
        where = {"scheduler": args.scheduler, "ray_address": args.ray_address}
        plan = Plan(
            backend=args.backend,
            n=parse_n(args.n),
            n_per_worker=parse_n(args.n_per_worker),
            workers=workers_list(args.workers),
            repeat=args.repeat,
            cores=args.cores or cores_for(args.backend, **where),
            **where,
        )
        plan.check(_=_)
        lab = analyse(measure_points(plan), cores=plan.cores)
    except (ValueError, OSError, Disagreement) as exc:
        fail(str(exc), parser.prog)
    except (Cancelled, KeyboardInterrupt):
        print(f"{parser.prog}: cancelled", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(lab.to_dict(), indent=2))
        return 0
    print(lab.headline(_=_))
    print(table(lab.rows, _=_))
    for message in [lab.count_check(_=_), *lab.notes(_=_)]:
        if message:
            print(message)
    return 0


def table(rows: list[dict], *, _: Translate) -> str:
    """The lab's rows as aligned text in ``_``'s language."""
    header = [
        _("kind"),
        _("workers"),
        "n",
        _("time_s"),
        _("fixed_s"),
        _("work_s"),
        _("speedup"),
        _("efficiency"),
    ]
    lines = [header]
    for r in rows:
        beyond = " *" if r["beyond_cores"] else ""
        lines.append(
            [
                _(KINDS[r["kind"]]),
                _.number(r["workers"]) + beyond,
                f"{r['n']:.0e}",
                *(_.significant(r[k]) for k in ("time_s", "fixed_s", "work_s", "speedup", "efficiency")),
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = "\n".join("  ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True)) for line in lines)
    return text + "\n" + _("* more workers than cores")
