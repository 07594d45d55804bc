"""One way for a test to wait: poll a condition until it holds, and fail with what was awaited once the
deadline has passed (never a bare loop that hangs until the suite's timeout)."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(
    predicate: Callable[[], object], *, timeout: float, what: str | Callable[[], str], every: float = 0.02
) -> None:
    """Call ``predicate`` every ``every`` s until it returns something true; fail the test, saying ``what``
    was awaited (a callable: as it stands then), if it has not within ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            raise AssertionError(f"not reached within {timeout:g} s: {what() if callable(what) else what}")
        time.sleep(every)


def wait_over(job, timeout: float = 60):
    """``job`` (a ``core.runtime.jobs`` job) once it is over: done, failed or cancelled."""
    wait_until(lambda: job.over, timeout=timeout, what=lambda: f"job {job.label} over; still {job.state}")
    return job
