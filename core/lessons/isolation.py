"""A lesson run in a fresh ``python -m core.lessons`` interpreter, its result read back as JSON.

Inside a Streamlit server, ``__main__`` is the app's entry script, which every spawned child would import and
run again (seconds per child), and forking a threaded server is unsafe: a lesson that starts processes runs
here instead.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from core.runtime import cancel

ROOT = Path(__file__).resolve().parents[2]


def run_fresh(name: str, params: dict[str, Any], timeout: float) -> dict[str, Any]:
    """``python -m core.lessons NAME --json`` with ``params``: the result's ``to_dict()``. A run past
    ``timeout`` (or stopped by the caller) is killed with every process it started, and so is one whose
    background job is cancelled (``core.runtime.cancel.requested``: ``Cancelled`` is raised); a failed one
    raises ``RuntimeError`` with its last line of stderr."""
    args = [f"--param={k}={v!r}" for k, v in params.items()]
    cmd = [
        sys.executable,
        "-m",
        "core.lessons",
        name,
        "--json",
        "--lang",
        "en",
        *args,
    ]  # read back, not shown
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = os.environ | {"PYTHONPATH": path}
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = _until_done(proc, timeout)
    except BaseException:  # a timeout, or the page's script being stopped: leave nothing running
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    if proc.returncode != 0:
        lines = err.strip().splitlines() or [f"exit status {proc.returncode}"]
        raise RuntimeError(f"lesson {name!r} failed: {lines[-1]}")
    return json.loads(out)


def _until_done(proc: subprocess.Popen, timeout: float) -> tuple[str, str]:
    """``proc.communicate()`` within ``timeout``, looking a few times a second for a cancel."""
    deadline = time.monotonic() + timeout
    while True:
        if cancel.requested():
            raise cancel.Cancelled("the lesson was cancelled")
        left = deadline - time.monotonic()
        if left <= 0:
            raise subprocess.TimeoutExpired(proc.args, timeout)
        try:
            return proc.communicate(timeout=min(0.25, left))
        except subprocess.TimeoutExpired:
            continue
