"""Where a click's time goes, for ``benchmarks/latency.py``: with ``PILAB_TIMINGS=PATH`` set, every script run
and every finished job adds a JSON line to PATH (kind, what, start and end in wall-clock seconds)."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator

_PATH = os.environ.get("PILAB_TIMINGS")
_lock = threading.Lock()


def record(kind: str, what: str, *, start: float, end: float) -> None:
    if not _PATH:
        return
    line = json.dumps({"kind": kind, "what": what, "start": start, "end": end})
    with _lock, open(_PATH, "a") as f:
        f.write(line + "\n")


@contextlib.contextmanager
def script_run(page: str) -> Iterator[None]:
    """Time one run of the app's script (a rerun or a stop ends it too)."""
    start = time.time()
    try:
        yield
    finally:
        record("script", page, start=start, end=time.time())


def job_ran(label: str, started: float | None, ended: float | None) -> None:
    """Record a finished job from its monotonic start and end."""
    if started is not None and ended is not None:
        offset = time.time() - time.monotonic()
        record("job", label, start=started + offset, end=ended + offset)
