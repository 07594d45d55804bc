"""``python -m core.pi``: list the backends, or run one estimate and print it (as JSON with ``--json``; its
timeline too with ``--timeline``)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

from core.pi import BACKENDS, Cancelled, estimate, parse_n
from core.pi.backends import backend_rows
from core.pi.engine import Estimate, check_request
from core.pi.timeline import idle_share, lanes, stragglers
from core.runtime.checks import said
from core.runtime.cli import Parser, add_lang_argument, fail, language, run
from core.runtime.i18n import N_, Translate, english, scientific, signed, translator

DESCRIPTION = N_(
    "``python -m core.pi``: list the backends, or run one estimate and print it (as JSON with ``--json``)."
)


def command_line(*, _: Translate = english) -> Parser:
    """The command line's parser, its help in ``_``'s language."""
    parser = Parser(prog="python -m core.pi", description=_(DESCRIPTION), _=_)
    parser.add_argument("--list", action="store_true", help=_("list the backends and whether each runs here"))
    parser.add_argument("--backend", help=_("one of: {names}", names=", ".join(BACKENDS)))
    parser.add_argument("--n", help=_("samples: an integer or e-notation such as 1e8"))
    parser.add_argument("--seed", type=int, help=_("seed (0 … 2**32-1); random when left out, and printed"))
    parser.add_argument(
        "--workers", type=int, help=_("workers for the parallel backends (default: the cores)")
    )
    parser.add_argument("--chunk", type=int, help=_("draws per task or progress step"))
    parser.add_argument(
        "--scheduler", help=_("Dask scheduler address (default: PILAB_DASK_SCHEDULER or local)")
    )
    parser.add_argument("--ray-address", help=_("Ray cluster address (default: PILAB_RAY_ADDRESS or local)"))
    parser.add_argument("--json", action="store_true", help=_("print one JSON document"))
    parser.add_argument(
        "--timeline", action="store_true", help=_("also each range's span (start, end, worker): JSON 'spans'")
    )
    add_lang_argument(parser, _=_)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = command_line(_=translator(language(argv)))  # --help in the language asked for
    args = parser.parse_args(argv)
    _ = translator(args.lang)  # the human-readable lines only: --json is the same in every language

    if args.list:
        rows = backend_rows()
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            for r in rows:
                why = _(r["why_unavailable"] or "")
                state = _("available") if r["available"] else _("unavailable: {why}", why=why)
                print(f"{r['name']:16s} {r['family']:8s} {state}")
        return 0
    if not args.backend or args.n is None:
        parser.error(_("give --list, or --backend NAME and --n N"))
    try:
        check_request(args.backend, parse_n(args.n), seed=args.seed, workers=args.workers, _=_)
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
        fail(said(exc, _), parser.prog)
    except (Cancelled, KeyboardInterrupt):
        print(f"{parser.prog}: {_('cancelled')}", file=sys.stderr)
        return 130
    if args.json:
        spans = {"spans": [asdict(s) for s in result.spans]} if args.timeline else {}
        print(json.dumps(result.to_dict() | spans))
    else:
        print(summary(result, _))
        if args.timeline:
            print(timeline_line(result, _))
        for note in result.notes:
            print(_("note: {note}", note=_(note)))
    return 0


def summary(result: Estimate, _: Translate) -> str:
    """One estimate in one line, in ``_``'s language and its way of writing numbers."""
    return _(
        "{backend}: π ≈ {pi} from {n} samples (seed {seed}), error {error} = {z} σ; {run} s run, "
        "{compile} s compile, {startup} s start-up, {rate} samples/s on {workers} worker(s)",
        backend=result.backend,
        pi=_.number(result.pi, decimals=8),
        n=_.number(result.n),
        seed=result.seed,
        error=scientific(result.error, _),
        z=signed(result.z, _),
        run=_.number(result.elapsed_s, decimals=4),
        compile=_.number(result.compile_s, decimals=3),
        startup=_.number(result.startup_s, decimals=3),
        rate=_.significant(result.samples_per_s),
        workers=_.number(result.workers),
    )


def timeline_line(result: Estimate, _: Translate) -> str:
    """The run's timeline in one line: its ranges, workers, idle share and stragglers."""
    if not result.spans:
        return _("timeline: none ({backend} does not count in ranges)", backend=result.backend)
    return _(
        "timeline: {ranges} ranges on {workers} worker(s), idle {idle} % of the run, {slow} straggler(s)",
        ranges=_.number(len(result.spans)),
        workers=_.number(len(lanes(result.spans))),
        idle=_.number(100 * idle_share(result.spans), decimals=1),
        slow=_.number(len(stragglers(result.spans))),
    )


if __name__ == "__main__":
    run(main)
