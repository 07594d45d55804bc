"""What every ``python -m core.*`` command line shares: one-line errors with exit status 2."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from core.runtime import i18n, processes


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        fail(message, self.prog)


def add_lang_argument(parser: argparse.ArgumentParser) -> None:
    """``--lang es|en``: the language of the human-readable output (default: ``LC_ALL``, then ``LANG``);
    ``--json`` never changes with it."""
    parser.add_argument(
        "--lang",
        choices=i18n.LANGUAGES,
        default=i18n.language_from_env(os.environ),
        help="language of the human-readable output (default: from LC_ALL / LANG)",
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
