"""``python -m core.lessons``: list the lessons, or run one and print its numbers (``--json``: as JSON)."""

from __future__ import annotations

import json

from core.lessons import MODULES, get, lessons
from core.runtime.checks import Refusal, said
from core.runtime.cli import Parser, add_lang_argument, fail, language, run
from core.runtime.i18n import N_, Translate, english, translator


def _value(text: str) -> int | float:
    """A parameter value from the command line: an int, a float or e-notation (``2e6``)."""
    try:
        number = float(text)
    except ValueError:
        raise Refusal(N_("parameter values are numbers, not {text}"), text=repr(text)) from None
    return int(number) if number.is_integer() and not any(c in text for c in ".") else number


def parse_params(pairs: list[str]) -> dict[str, int | float]:
    """``["seconds=0.2", "processes=4"]`` → ``{"seconds": 0.2, "processes": 4}``."""
    params = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key:
            raise Refusal(N_("give parameters as NAME=VALUE, not {pair}"), pair=repr(pair))
        params[key.strip()] = _value(text.strip())
    return params


DESCRIPTION = N_(
    "``python -m core.lessons``: list the lessons, or run one and print its numbers (``--json``: as JSON)."
)


def command_line(*, _: Translate = english) -> Parser:
    """The command line's parser, its help in ``_``'s language."""
    parser = Parser(prog="python -m core.lessons", description=_(DESCRIPTION), _=_)
    parser.add_argument(
        "name", nargs="?", help=_("a lesson: {names} (none: list them)", names=", ".join(MODULES))
    )
    parser.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar=_("NAME=VALUE"),
        help=_("a lesson parameter, e.g. -p seconds=0.2 (repeatable)"),
    )
    parser.add_argument("--json", action="store_true", help=_("print one JSON document"))
    add_lang_argument(parser, _=_)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = command_line(_=translator(language(argv)))  # --help in the language asked for
    args = parser.parse_args(argv)
    _ = translator(args.lang)

    if args.name is None:
        if args.param:
            parser.error(_("parameters need a lesson name"))
        rows = [{"name": ls.name, "title": ls.title, "params": ls.defaults()} for ls in lessons().values()]
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            for r in rows:
                params = " ".join(f"{k}={v}" for k, v in r["params"].items())
                print(f"{r['name']:14s} {_(r['title'])}" + (f"  [{params}]" if params else ""))
        return 0
    try:
        lesson = get(args.name)
        params = lesson.check(parse_params(args.param))
    except ValueError as exc:
        fail(said(exc, _), parser.prog)
    result = lesson.function(**params)
    if args.json:
        print(json.dumps({"lesson": lesson.name, "params": params, **result.to_dict()}, default=str))
    else:
        print(f"{_(lesson.title)}: {result.headline(_=_)}")
        table = result.table
        if not table.empty:
            print(table.rename(columns={c: _(c) for c in table.columns}).to_string(index=False))
    return 0


if __name__ == "__main__":
    run(main)
