"""``python -m core.bench``: time backends over sample sizes (mean ± std, best, compile, samples/s).
``python -m core.bench scaling --help``: the scaling lab (``core.bench.scaling_cli``)."""

from __future__ import annotations

import csv
import json
import sys

from core.bench import scaling_cli, split_label, sweep
from core.pi import Cancelled, check_request, parse_n
from core.runtime.checks import Refusal, said
from core.runtime.cli import Parser, add_lang_argument, fail, language, run
from core.runtime.i18n import N_, Translate, english, translator

DESCRIPTION = N_(
    "``python -m core.bench``: time backends over sample sizes (mean ± std, best, compile, samples/s)."
)


def command_line(*, _: Translate = english) -> Parser:
    """The command line's parser, its help in ``_``'s language."""
    parser = Parser(prog="python -m core.bench", description=_(DESCRIPTION), _=_)
    parser.add_argument(
        "--backends",
        default="numpy_chunked,numba_parallel",
        help=_("comma-separated names; name@W pins W workers"),
    )
    parser.add_argument("--n", default="1e3,1e6", help=_("comma-separated sample sizes, e.g. 1e3,1e6,1e8"))
    parser.add_argument("--repeat", type=int, default=5, help=_("timings per backend and n (default 5)"))
    parser.add_argument("--workers", type=int, help=_("workers for the parallel backends"))
    parser.add_argument("--time-limit", type=float, default=10.0, help=_("stop a backend past this many s"))
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help=_("print one JSON document"))
    out.add_argument("--csv", action="store_true", help=_("print CSV"))
    add_lang_argument(parser, _=_)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["scaling"]:
        return scaling_cli.main(argv[1:])
    parser = command_line(_=translator(language(argv)))  # --help in the language asked for
    args = parser.parse_args(argv)
    _ = translator(args.lang)

    try:
        names = [b.strip() for b in args.backends.split(",") if b.strip()]
        ns = [parse_n(v) for v in args.n.split(",") if v.strip()]
        if not names or not ns:
            raise Refusal(N_("give at least one backend and one n"))
        if not 1 <= args.repeat <= 100:
            raise Refusal(N_("repeat must be from 1 to 100, not {repeat}"), repeat=args.repeat)
        for label in names:
            name, pinned = split_label(label)
            check_request(name, min(ns), workers=args.workers if pinned is None else pinned, _=_)
        results = sweep(names, ns, repeat=args.repeat, workers=args.workers, time_limit_s=args.time_limit)
    except (ValueError, OSError) as exc:  # OSError: an unreachable scheduler, a deadline
        fail(said(exc, _), parser.prog)
    except (Cancelled, KeyboardInterrupt):
        print(f"{parser.prog}: {_('cancelled')}", file=sys.stderr)
        return 130
    rows = [t.to_dict() for t in results]
    if args.json:
        print(json.dumps(rows, indent=2))
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    else:
        backend, n, spread, best, compile_, rate = (
            _("backend"),
            _("n"),
            _("mean ± std per run"),
            _("best"),
            _("compile"),
            _("samples/s"),
        )
        print(f"{backend:16s} {n:>8s} {spread:>22s} {best:>10s} {compile_:>8s} {rate:>10s}")
        for t in results:
            spread = f"{_fmt(t.mean_s, _)} ± {_fmt(t.std_s, _)}"
            runs = _("({repeat} runs × {loops} loops)", repeat=_.number(t.repeat), loops=_.number(t.loops))
            print(
                f"{t.backend:16s} {t.n:8.0e} {spread:>22s} {_fmt(t.best_s, _):>10s} "
                f"{_decimal(f'{t.compile_s:7.3f}', _)}s {_decimal(f'{t.samples_per_s:10.3g}', _)}  {runs}"
            )
    return 0


def _decimal(text: str, _: Translate) -> str:
    """A number Python wrote (``%g``, ``%f``), with ``_``'s decimal mark."""
    return text.replace(".", _.separators[0])


def _fmt(seconds: float, _: Translate = english) -> str:
    for unit, scale in (("s", 1), ("ms", 1e3), ("µs", 1e6)):
        if seconds * scale >= 1 or unit == "µs":
            return _decimal(f"{seconds * scale:.3g}", _) + f" {unit}"
    return _decimal(f"{seconds:.3g}", _) + " s"


if __name__ == "__main__":
    run(main)
