"""Running a command line's ``main`` in the test process: its exit status and output, without the second or
two a fresh interpreter spends importing NumPy, Numba and pandas (the subprocess tests keep one of each)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable


def run_here(main: Callable[[list[str]], int], *args: str, capsys) -> subprocess.CompletedProcess:
    """``main(args)`` as ``subprocess.run`` would report it: return code, stdout and stderr."""
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out.out, out.err)


def run_module(module: str, *args: str) -> subprocess.CompletedProcess:
    """``python -m module args`` in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, timeout=120)
