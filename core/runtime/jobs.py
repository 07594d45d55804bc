"""Background jobs off the Streamlit script thread: bounded, with progress, cancel and partial results.

A page submits a function to the shared ``JobRunner``; the function receives its ``Job`` and reports through
``job.progress(done, total)``, polls ``job.should_stop()`` (via the engine's hooks) and appends finished
pieces to ``job.partial``, so a cancelled or failed job keeps what it had done. At most ``slots`` jobs run at
once (each fast backend already uses every core); the rest wait in order, and a full queue refuses new work.

No job holds a slot for ever: a watchdog ends a job that reports no progress for ``stall_s`` seconds, or
that has not stopped ``grace_s`` seconds after a cancel, with a message, and gives its slot to the next one.
Job threads are daemons, so a server or CLI never waits for a job on its way out.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from core.runtime import cancel, processes
from core.runtime.cancel import Cancelled
from core.runtime.checks import said
from core.runtime.i18n import N_, Translate, english

log = logging.getLogger(__name__)
State = Literal["queued", "running", "done", "cancelled", "failed"]
EXPECTED_FAILURES = (ValueError, ConnectionError, OSError)  # bad input, unreachable services, deadlines
_ids = itertools.count(1)
_runners: weakref.WeakSet[JobRunner] = weakref.WeakSet()


STALLED = N_("{what} made no progress for {seconds} s and was stopped")
OVER_BUDGET = N_("{what} ran past its time budget of {seconds} s and was stopped")
NOT_STOPPED = N_("it did not stop within {seconds} s of the request and was ended")


class Busy(RuntimeError):
    """The runner's queue is full; try again when a job has finished. ``str()`` is the English message;
    ``text(_)`` the same in ``_``'s language."""

    def __init__(self, message: str, **placeholders: Any) -> None:
        super().__init__(message.format(**placeholders))
        self.message, self.placeholders = message, placeholders

    def text(self, _: Translate = english) -> str:
        """The message in ``_``'s language."""
        return _(self.message, **self.placeholders)


@dataclass(kw_only=True)
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
    failure: BaseException | None = None  # the expected failure that ended it (bad input, a service down)
    _stage_started: float = 0.0
    last_news: float = field(default_factory=time.monotonic)
    stop_asked_at: float | None = None
    stop_reason: str | None = None  # why the watchdog stopped it
    reason_message: tuple[str, dict] | None = None  # the watchdog's reason as a message and its placeholders
    owner: str = ""  # who asked for it (a visitor), for the Jobs panel and per-visitor limits
    address: str | None = None  # the client address it came from, where known, for per-address limits
    budget_s: float | None = None  # the longest it may run
    submitted_at: float = field(default_factory=time.time)
    started_at: float | None = None  # monotonic
    ended_at: float | None = None  # monotonic
    _stop: threading.Event = field(default_factory=threading.Event)
    _ended: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        """Ask the job to stop at its next check (the engine checks between chunks)."""
        if self.stop_asked_at is None:
            self.stop_asked_at = time.monotonic()
        self._stop.set()

    def should_stop(self) -> bool:
        return self._stop.is_set()

    def begin_stage(self, stage: str, total: int) -> None:
        """Start a new step (one backend, one size): progress and rate restart from zero."""
        self.stage, self.done, self.total = stage, 0, total
        self._stage_started = self.last_news = time.monotonic()

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        self.last_news = time.monotonic()

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

    def error_text(self, _: Translate = english) -> str | None:
        """``error`` in ``_``'s language where it is the watchdog's reason (a message) or a failure that can
        say itself in one (a ``core.runtime.checks.Refusal``), else as it is."""
        if self.failure is not None and self.error == str(self.failure):
            return said(self.failure, _)
        if self.reason_message is not None and self.error is not None:
            message, placeholders = self.reason_message
            if self.error == message.format(**placeholders):
                return _(message, **placeholders)
        return self.error

    def stop_for(self, message: str, **placeholders: Any) -> str:
        """Record the watchdog's reason (``message`` with its placeholders) and return it in English."""
        self.reason_message = (message, placeholders)
        return message.format(**placeholders)

    def end(self, state: State, error: str | None = None) -> bool:
        """Record how the job ended, once; False if it had already ended (the watchdog was first)."""
        if self.over:
            return False
        self.error, self.state, self.ended_at = error, state, time.monotonic()
        self._ended.set()
        return True

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for the job to end; True if it has."""
        return self._ended.wait(timeout)


class JobRunner:
    """Runs jobs on at most ``slots`` daemon threads; at most ``max_waiting`` wait behind them."""

    def __init__(
        self, *, slots: int = 1, max_waiting: int = 16, stall_s: float = 120.0, grace_s: float = 2.0
    ) -> None:
        self.slots, self.max_waiting = slots, max_waiting
        self.stall_s, self.grace_s = stall_s, grace_s
        self._lock = threading.Lock()
        self._jobs: deque[Job] = deque()
        self._work: dict[int, Callable[[Job], Any]] = {}  # queued jobs' functions
        self._running: set[int] = set()  # ids of the jobs holding a slot
        _runners.add(self)
        processes.at_exit(cancel_all, early=True)
        watchdog = threading.Thread(
            target=_watchdog, args=(weakref.ref(self),), daemon=True, name="pilab-jobs"
        )
        watchdog.start()

    def submit(
        self,
        label: str,
        work: Callable[[Job], Any],
        *,
        owner: str = "",
        budget_s: float | None = None,
        per_owner: int | None = None,
        address: str | None = None,
        per_address: int | None = None,
    ) -> Job:
        """Queue ``work(job)``; its return value becomes ``job.result``. Raises ``Busy`` when the queue is
        full, when ``owner`` already has ``per_owner`` jobs queued or running, or when ``address`` (where
        known) already has ``per_address``. A job still running ``budget_s`` after it started is stopped
        with a message. ``work`` runs with ``job.should_stop`` as ``core.runtime.cancel.requested``'s
        check, so a computation deep inside it can stop on a cancel without being handed the job."""
        with self._lock:
            self._forget_finished()
            if sum(j.state == "queued" for j in self._jobs) >= self.max_waiting:
                raise Busy(N_("{n} runs are already waiting; try again in a moment"), n=self.max_waiting)
            mine = sum(j.owner == owner and not j.over for j in self._jobs) if owner else 0
            if per_owner is not None and mine >= per_owner:
                raise Busy(
                    N_("you already have {n} run(s) queued or running; wait for it or cancel it"), n=mine
                )
            ours = sum(j.address == address and not j.over for j in self._jobs) if address else 0
            if per_address is not None and ours >= per_address:
                raise Busy(
                    N_("{n} runs from your address are already queued or running; try again when one ends"),
                    n=ours,
                )
            job = Job(label=label, owner=owner, budget_s=budget_s, address=address)
            self._jobs.append(job)
            self._work[job.id] = work
        self._dispatch()
        return job

    def waiting_ahead(self, job: Job) -> int:
        """How many queued jobs will start before this one (0 when it runs or is next)."""
        with self._lock:
            waiting = [j for j in self._jobs if j.state == "queued"]
        return waiting.index(job) if job in waiting else 0

    def jobs(self) -> list[Job]:
        """The jobs queued or running, oldest first."""
        with self._lock:
            return [j for j in self._jobs if not j.over]

    def owned_by(self, owner: str) -> list[Job]:
        """The jobs of ``owner`` queued or running, oldest first."""
        return [j for j in self.jobs() if owner and j.owner == owner]

    def cancel_all(self) -> None:
        for job in self.jobs():
            job.cancel()

    def _forget_finished(self) -> None:
        while self._jobs and self._jobs[0].over:
            self._jobs.popleft()

    def _dispatch(self) -> None:
        """Start queued jobs while a slot is free; a job cancelled while queued ends without starting."""
        with self._lock:
            for job in self._jobs:
                if job.state != "queued":
                    continue
                if job.should_stop():
                    self._work.pop(job.id, None)
                    job.end("cancelled")
                    continue
                if len(self._running) >= self.slots:
                    break
                job.state = "running"
                job.last_news = job.started_at = time.monotonic()
                self._running.add(job.id)
                work = self._work.pop(job.id)
                threading.Thread(
                    target=self._run, args=(job, work), daemon=True, name=f"pilab-job-{job.id}"
                ).start()

    def _release(self, job: Job) -> None:
        with self._lock:
            self._running.discard(job.id)
        self._dispatch()

    def _run(self, job: Job, work: Callable[[Job], Any]) -> None:
        try:
            with cancel.checking(job.should_stop):
                result = work(job)
            if not job.over:  # the watchdog may have ended it meanwhile: a late result changes nothing
                job.result = result
                job.end("done")
        except Cancelled:
            job.end("failed" if job.stop_reason else "cancelled", job.stop_reason)
        except EXPECTED_FAILURES as exc:
            job.failure = exc
            job.end("failed", str(exc))
        except Exception as exc:  # a bug: say so in one line, keep the rest of the app running
            log.exception("job %s failed", job.label)
            job.end("failed", f"{type(exc).__name__}: {exc}")
        finally:
            self._release(job)

    def check_running(self) -> None:
        """What the watchdog does a few times a second: check every running job."""
        now = time.monotonic()
        with self._lock:
            running = [j for j in self._jobs if j.id in self._running and not j.over]
        for job in running:
            self._check(job, now)

    def _check(self, job: Job, now: float) -> None:
        """Stop a job that made no progress for ``stall_s`` or ran past its budget; end one still running
        ``grace_s`` after a stop was asked for, and give its slot to the next job."""
        if job.stop_asked_at is None:
            what = job.stage or job.label
            if now - job.last_news > self.stall_s:
                job.stop_reason = job.stop_for(STALLED, what=what, seconds=f"{self.stall_s:g}")
            elif job.budget_s is not None and now - (job.started_at or now) > job.budget_s:
                job.stop_reason = job.stop_for(OVER_BUDGET, what=what, seconds=f"{job.budget_s:g}")
            if job.stop_reason:
                job.cancel()
            return
        if now - job.stop_asked_at > self.grace_s:
            ended = job.stop_reason or job.stop_for(NOT_STOPPED, seconds=f"{self.grace_s:g}")
            if job.end("failed" if job.stop_reason else "cancelled", ended):
                self._release(job)


def _watchdog(ref: weakref.ref[JobRunner]) -> None:
    """The watchdog thread: a few times a second, check the running jobs of a runner while it exists."""
    while (runner := ref()) is not None:
        runner.check_running()
        del runner
        time.sleep(0.25)


def cancel_all() -> None:
    """Ask every job of every runner to stop (at exit, before the pools close)."""
    for runner in list(_runners):
        runner.cancel_all()
