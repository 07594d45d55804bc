"""What lesson functions measure with: the best of repeated timings, a note on a busy machine, and a check
that the processes a lesson joined all succeeded."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from typing import Any

from core.runtime.i18n import Translate, english


def check_exits(procs) -> None:
    """Raise a ``RuntimeError`` if a joined process failed (its own traceback went to stderr)."""
    failed = [p.exitcode for p in procs if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(procs)} processes failed (exit codes {failed})")


def best_of(repeat: int, *calls: Callable[[], Any]) -> list[float]:
    """The fastest of ``repeat`` runs of each call, in seconds, as ``%timeit`` keeps the best; the calls
    take turns, so a burst of load from other programs hits them alike."""
    best = [math.inf] * len(calls)
    for _ in range(repeat):
        for i, call in enumerate(calls):
            t0 = time.perf_counter()
            call()
            best[i] = min(best[i], time.perf_counter() - t0)
    return best


def busy_note() -> str:
    """A note when other programs keep this machine's cores busy (speed-ups shrink then), else '': its
    load, as ``busy_text`` reads it."""
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    return f"{load:.1f}/{cores}" if load > cores else ""


def busy_text(note: str, _: Translate = english) -> str:
    """``busy_note``'s note for a reader, after a headline ('' for none)."""
    if not note or "/" not in note:
        return note
    load, cores = note.split("/")
    return " " + _(
        "(this machine is busy: load {load} on {cores} cores)",
        load=_.number(float(load), decimals=1),
        cores=_.number(int(cores)),
    )
