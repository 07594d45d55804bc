"""``Cancelled``: what a computation stopped on request raises (a π run, a sweep, a background job).

A leaf, so the generic job runner (``core.runtime.jobs``) and the π engine (``core.pi``, which re-exports
it) share it without one importing the other."""


class Cancelled(Exception):
    """A run stopped by ``should_stop()``; every worker it used has been released."""
