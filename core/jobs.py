"""Background jobs off the Streamlit script thread: bounded, with progress, cancel and partial results.

A page submits a function to the shared ``JobRunner``; the function receives its ``Job`` and reports through
``job.progress(done, total)``, polls ``job.should_stop()`` (via the engine's hooks) and appends finished
pieces to ``job.partial``, so a cancelled or failed job keeps what it had done. At most ``slots`` jobs run at
once (each fast backend already uses every core); the rest wait in order, and a full queue refuses new work.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from core.pi import Cancelled

log = logging.getLogger(__name__)
State = Literal["queued", "running", "done", "cancelled", "failed"]
_ids = itertools.count(1)


class Busy(RuntimeError):
    """The runner's queue is full; try again when a job has finished."""


@dataclass
class Job:
    """One piece of background work and what is known of it so far."""

    label: str
    id: int = field(default_factory=lambda: next(_ids))
    state: State = "queued"
    stage: str = ""
    done: int = 0
    total: int = 0
    partial: list = field(default_factory=list)
    result: Any = None
    error: str | None = None
    _stage_started: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        """Ask the job to stop at its next check (the engine checks between chunks)."""
        self._stop.set()

    def should_stop(self) -> bool:
        return self._stop.is_set()

    def begin_stage(self, stage: str, total: int) -> None:
        """Start a new step (one backend, one size): progress and rate restart from zero."""
        self.stage, self.done, self.total = stage, 0, total
        self._stage_started = time.monotonic()

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    @property
    def over(self) -> bool:
        return self.state in ("done", "cancelled", "failed")

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 0.0

    @property
    def rate(self) -> float:
        """Samples a second in the current stage so far."""
        spent = time.monotonic() - self._stage_started
        return self.done / spent if self.done and spent > 0 else 0.0


class JobRunner:
    """Runs jobs on ``slots`` threads; at most ``max_waiting`` wait behind them."""

    def __init__(self, slots: int = 1, max_waiting: int = 16) -> None:
        self.slots, self.max_waiting = slots, max_waiting
        self._pool = ThreadPoolExecutor(max_workers=slots, thread_name_prefix="pilab-job")
        self._lock = threading.Lock()
        self._jobs: deque[Job] = deque()

    def submit(self, label: str, work: Callable[[Job], Any]) -> Job:
        """Queue ``work(job)``; its return value becomes ``job.result``. Raises ``Busy`` when full."""
        with self._lock:
            self._forget_finished()
            if sum(j.state == "queued" for j in self._jobs) >= self.max_waiting:
                raise Busy(f"{self.max_waiting} runs are already waiting; try again in a moment")
            job = Job(label=label)
            self._jobs.append(job)
        self._pool.submit(self._run, job, work)
        return job

    def waiting_ahead(self, job: Job) -> int:
        """How many queued jobs will start before this one (0 when it runs or is next)."""
        with self._lock:
            waiting = [j for j in self._jobs if j.state == "queued"]
        return waiting.index(job) if job in waiting else 0

    def _forget_finished(self) -> None:
        while self._jobs and self._jobs[0].over:
            self._jobs.popleft()

    @staticmethod
    def _run(job: Job, work: Callable[[Job], Any]) -> None:
        if job.should_stop():
            job.state = "cancelled"
            return
        job.state = "running"
        try:
            job.result = work(job)
            job.state = "done"
        except Cancelled:
            job.state = "cancelled"
        except (ValueError, ConnectionError, OSError, AssertionError) as exc:
            job.state, job.error = "failed", str(exc)
        except Exception as exc:  # a bug: say so in one line, keep the rest of the app running
            log.exception("job %s failed", job.label)
            job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
