"""``python -m core.classroom``: open, list, show, run, close, reopen, rename, delete and export rounds."""

from __future__ import annotations

import json
import time

from core.classroom.board import board
from core.classroom.runs import run_for_student
from core.classroom.store import ClassStore
from core.pi.engine import parse_n
from core.runtime.access import Settings
from core.runtime.checks import said
from core.runtime.cli import Parser, add_lang_argument, fail, language, run
from core.runtime.i18n import N_, Translate, english, translator

DESCRIPTION = N_(
    "``python -m core.classroom``: open, list, show, run, close, reopen, rename, delete and export rounds."
)
NO_SUCH_ROUND = N_("there is no round {id}")


def command_line(*, _: Translate = english) -> Parser:
    """The command line's parser, its help in ``_``'s language."""
    parser = Parser(prog="python -m core.classroom", description=_(DESCRIPTION), _=_)
    parser.add_argument(
        "--db",
        help=_(
            "SQLAlchemy URL of the class store (default: [pilab] class_db, else SQLite in the data directory)"
        ),
    )
    add_lang_argument(parser, _=_)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    opened = sub.add_parser("open", help=_("open a round"))
    opened.add_argument("name")
    opened.add_argument(
        "--n", required=True, help=_("samples of every run: an integer or e-notation such as 1e8")
    )
    opened.add_argument("--backends", default="numpy", help=_("comma-separated backends students may use"))
    opened.add_argument("--closes-in", type=float, help=_("minutes until the round closes"))
    opened.add_argument("--seed", type=int, help=_("one seed for every student (default: a fresh one each)"))
    sub.add_parser("list", help=_("list the rounds, newest first"))
    show = sub.add_parser("show", help=_("show a round's board"))
    show.add_argument("round", type=int)
    show.add_argument("--json", action="store_true", help=_("print one JSON document"))
    ran = sub.add_parser("run", help=_("run one estimate and record it, as a student's Run does"))
    ran.add_argument("round", type=int)
    ran.add_argument("--backend", required=True)
    ran.add_argument("--seed", type=int)
    ran.add_argument("--nickname")
    ran.add_argument("--visitor", default="cli", help=_("the visitor id the run is recorded for"))
    ran.add_argument("--json", action="store_true", help=_("print one JSON document"))
    for name, text in (
        ("close", _("close a round")),
        ("reopen", _("reopen a round")),
        ("delete", _("delete a round")),
    ):
        sub.add_parser(name, help=text).add_argument("round", type=int)
    renamed = sub.add_parser("rename", help=_("rename a round"))
    renamed.add_argument("round", type=int)
    renamed.add_argument("name")
    exported = sub.add_parser("export", help=_("print a round's results"))
    exported.add_argument("round", type=int)
    exported.add_argument("--format", choices=("csv", "json"), default="csv")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = command_line(_=translator(language(argv)))
    args = parser.parse_args(argv)
    _ = translator(args.lang)
    try:
        settings = Settings.from_mapping({})
        store = ClassStore.open(args.db or settings.class_db, data_dir=settings.data_dir)
    except ValueError as exc:
        fail(said(exc, _), parser.prog)
    try:
        return _command(store, args, _)
    except ValueError as exc:
        fail(said(exc, _), parser.prog)
    finally:
        store.close()
    return 2


def _command(store: ClassStore, args, _: Translate) -> int:
    if args.command == "open":
        closes = time.time() + 60 * args.closes_in if args.closes_in else None
        found = store.open_round(args.name, n=parse_n(args.n), backends=args.backends.split(","),
                                 closes_at=closes, fixed_seed=args.seed)  # fmt: skip
        print(found.id)
    elif args.command == "list":
        for r in store.rounds():
            state = _("open") if r.accepting() else _("closed")
            print(f"{r.id}\t{r.name}\tn={r.n}\t{','.join(r.backends)}\t{state}\t{store.count(r.id)}")
    elif args.command == "show":
        b = board(store, _round_id(store, args.round))
        if args.json:
            doc = {"round": json.loads(store.export_json(b.round.id))["round"], "count": b.count,
                   "pooled_pi": b.pooled_pi, "pooled_sigma": b.pooled_sigma, "pooled_n": b.pooled_n,
                   "within_1sigma": b.within_1sigma, "within_2sigma": b.within_2sigma,
                   "runs": b.runs.to_dict(orient="records"),
                   "fastest": b.fastest.to_dict(orient="records")}  # fmt: skip
            print(json.dumps(doc, indent=2))
        else:
            print(
                _(
                    "round {id}: {name}, n = {n}, {count} runs",
                    id=b.round.id,
                    name=b.round.name,
                    n=_.number(b.round.n),
                    count=_.number(b.count),
                )
            )
            if b.pooled_pi is not None:
                pi, sigma = _.number(b.pooled_pi, decimals=6), _.significant(b.pooled_sigma, digits=2)
                print(_("pooled π = {pi} ± {sigma}", pi=pi, sigma=sigma))
            if b.within_1sigma is not None:
                print(
                    _(
                        "within ±1σ: {one} % of the runs, within ±2σ: {two} % (a normal curve: 68 %, 95 %)",
                        one=_.number(100 * b.within_1sigma, decimals=0),
                        two=_.number(100 * b.within_2sigma, decimals=0),
                    )
                )
    elif args.command == "run":
        found = store.round(_round_id(store, args.round))
        done = run_for_student(store, round=found, visitor=args.visitor, backend=args.backend, seed=args.seed,
                               nickname=args.nickname)  # fmt: skip
        if args.json:
            result = done.result
            print(json.dumps({"id": result.id, "estimate": result.estimate, "seed": result.seed}))
        else:
            print(
                _(
                    "recorded result {id}: π ≈ {pi} ({backend}, seed {seed}, {seconds} s)",
                    id=done.result.id,
                    pi=_.number(done.result.estimate, decimals=6),
                    backend=done.result.backend,
                    seed=done.result.seed,
                    seconds=_.number(done.result.elapsed_s, decimals=3),
                )
            )
    elif args.command == "export":
        rid = _round_id(store, args.round)
        text = store.export_csv(rid) if args.format == "csv" else store.export_json(rid)
        print(text, end="" if text.endswith("\n") else "\n")
    else:
        rid = _round_id(store, args.round)
        if args.command == "rename":
            store.rename_round(rid, args.name)
        else:
            {"close": store.close_round, "reopen": store.reopen_round, "delete": store.delete_round}[
                args.command
            ](rid)
    return 0


def _round_id(store: ClassStore, round_id: int) -> int:
    from core.runtime.checks import Refusal

    if store.round(round_id) is None:
        raise Refusal(NO_SUCH_ROUND, id=round_id)
    return round_id


if __name__ == "__main__":
    run(main)
