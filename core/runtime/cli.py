"""What every ``python -m core.*`` command line shares: one-line errors with exit status 2, ``--lang``, and
its help in that language."""

from __future__ import annotations

import argparse
import functools
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from core.runtime import i18n, processes
from core.runtime.i18n import N_, Translate, english

ARGPARSE_ERRORS = (  # argparse's own error messages (Python 3.11), as messages: see ``argparse_message``
    N_("argument {argument}: {reason}"),
    N_("the following arguments are required: {names}"),
    N_("unrecognized arguments: {names}"),
    N_("one of the arguments {names} is required"),
    N_("not allowed with argument {name}"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("invalid {type} value: {value}"),
    N_("invalid choice: {value} (choose from {choices})"),
    N_("ambiguous option: {option} could match {matches}"),
    N_("ignored explicit argument {value}"),
)


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout, its ``usage:`` in the command line's language."""

    def __init__(self, prog: str, *, usage_prefix: str) -> None:
        super().__init__(prog)
        self.usage_prefix = usage_prefix

    def add_usage(self, usage: Any, actions: Any, groups: Any, *prefix: str | None) -> None:
        super().add_usage(usage, actions, groups, *(prefix or (self.usage_prefix,)))


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line on stderr and exit status 2, and whose help is in
    ``_``'s language: the descriptions and argument help it is given (translated by the caller), and
    argparse's own words ("usage:", "options:", "show this help message and exit")."""

    def __init__(self, *args: Any, _: Translate = english, **kwargs: Any) -> None:
        formatter = functools.partial(HelpFormatter, usage_prefix=_("usage: "))
        super().__init__(*args, add_help=False, formatter_class=formatter, **kwargs)
        self.translate = _
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        self.add_argument(
            "-h",
            "--help",
            action="help",
            default=argparse.SUPPRESS,
            help=_("show this help message and exit"),
        )

    def error(self, message: str) -> None:  # type: ignore[override]
        fail(argparse_message(message, self.translate), self.prog)


def argparse_message(message: str, _: Translate) -> str:
    """One of argparse's own error messages (``ARGPARSE_ERRORS``, as argparse wrote it in English) in
    ``_``'s language; any other message as it is."""
    for template in ARGPARSE_ERRORS:
        found = _pattern(template).fullmatch(message)
        if found:
            parts = found.groupdict()
            if "reason" in parts:
                parts["reason"] = argparse_message(parts["reason"], _)
            return _(template, **parts)
    return message


@functools.cache
def _pattern(template: str) -> re.Pattern[str]:
    """``template``'s text as written, each ``{placeholder}`` any text (as short as it can be)."""
    pieces = re.split(r"\{(\w+)\}", template)
    regex = "".join(f"(?P<{p}>.+?)" if i % 2 else re.escape(p) for i, p in enumerate(pieces))
    return re.compile(regex, re.DOTALL)


def language(argv: Sequence[str] | None = None) -> str:
    """The language a command line speaks, read before its parser is built (so that its help is in it):
    ``--lang``'s where it names one of ``i18n.LANGUAGES``, else the environment's (``LC_ALL``/``LANG``)."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang")
    known, _rest = early.parse_known_args(sys.argv[1:] if argv is None else list(argv))
    return i18n.supported(known.lang) or i18n.language_from_env(os.environ)


def add_lang_argument(
    parser: argparse.ArgumentParser, *, _: Translate = english, default: str | None = None
) -> None:
    """Add ``--lang`` (one of ``i18n.LANGUAGES``) for the human-readable output; its default is the
    environment's language (``LC_ALL``/``LANG``: ``es_CL.UTF-8`` → es, anything else → en), or ``default``
    (a sub-command's ``argparse.SUPPRESS``: the language given before it). ``--json`` output never depends
    on it."""
    parser.add_argument(
        "--lang",
        choices=i18n.LANGUAGES,
        default=i18n.language_from_env(os.environ) if default is None else default,
        help=_("language of the human-readable output (default: from LC_ALL/LANG, else en)"),
    )


def fail(message: str, prog: str = "pilab") -> None:
    """Print ``prog: error: message`` on one line of stderr and exit with status 2."""
    print(f"{prog}: error: {' '.join(str(message).split())}", file=sys.stderr)
    raise SystemExit(2)


def run(main: Callable[[], int]) -> None:
    """Run a command line's ``main`` and exit with its status. SIGTERM ends it as Ctrl-C does, and every
    pool, cluster and child process it started is stopped within a deadline on the way out."""
    processes.exit_on_sigterm()
    try:
        code = main()
    except KeyboardInterrupt:
        code = 130
    finally:
        processes.on_exit()
    sys.exit(code)
