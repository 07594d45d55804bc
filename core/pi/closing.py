"""The one switch every pool and cluster checks before it starts: once ``executors.shutdown`` has begun,
nothing new starts (its own module so that the process pool, the Dask client and Ray's engine can all check
it without importing one another)."""

from __future__ import annotations

import threading

_closed = threading.Event()


class ShuttingDown(RuntimeError):
    """A pool or cluster was asked for after ``shutdown()``."""


def check_open() -> None:
    """Raise ``ShuttingDown`` once ``shutdown()`` has begun: called before starting any pool or cluster."""
    if _closed.is_set():
        raise ShuttingDown("Pi Lab is shutting down; no new pool or cluster starts")


def close() -> None:
    """From now on, ``check_open`` refuses."""
    _closed.set()


def reopen() -> None:
    """Allow pools and clusters to start again after ``shutdown()`` (tests that check a clean shutdown)."""
    _closed.clear()
