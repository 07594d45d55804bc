"""``Cancelled``: what a computation stopped on request raises (a π run, a sweep, a background job); and the
stop check of the job a computation runs in (``checking``, ``requested``), for code that is not handed it.

A leaf, so the generic job runner (``core.runtime.jobs``) and the π engine (``core.pi``, which re-exports
it) share it without one importing the other."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

_check: contextvars.ContextVar[Callable[[], bool] | None] = contextvars.ContextVar("pilab_stop", default=None)


class Cancelled(Exception):
    """A run stopped by ``should_stop()``; every worker it used has been released."""


@contextlib.contextmanager
def checking(should_stop: Callable[[], bool]) -> Iterator[None]:
    """Within this block (on this thread), ``current()`` is ``should_stop``."""
    token = _check.set(should_stop)
    try:
        yield
    finally:
        _check.reset(token)


def current() -> Callable[[], bool] | None:
    """The stop check of the job this code runs in, or None outside a job."""
    return _check.get()


def requested() -> bool:
    """Whether the job this code runs in has been asked to stop (False outside a job)."""
    check = _check.get()
    return bool(check and check())
