"""A lesson as a background job of ``core.runtime.jobs``: measured where its numbers are honest
(``Lesson.measure``), stopped by the job's Cancel where the lesson can stop, and a failure said in one
line that names the error's type."""

from __future__ import annotations

import threading
import time
from typing import Any

from core.lessons.lesson import Lesson, Result
from core.runtime.cancel import Cancelled
from core.runtime.checks import Refusal, said
from core.runtime.i18n import Translate, english


class LessonFailed(ValueError):
    """A lesson that raised: ``str()`` is ``Type: message`` of what it raised (a ``ValueError``, so the job
    runner keeps it as the job's one-line error), ``text(_)`` the same with the message in ``_``'s language
    where it can say itself in one (a ``Refusal`` is named the ``ValueError`` it always was)."""

    def __init__(self, cause: Exception) -> None:
        self.cause = cause
        super().__init__(self.text())

    def text(self, _: Translate = english) -> str:
        kind = "ValueError" if isinstance(self.cause, Refusal) else type(self.cause).__name__
        return f"{kind}: {said(self.cause, _)}"


TIMEOUT_S = 180.0  # the longest a lesson may measure (``Lesson.measure``'s timeout)


def run_lesson(job: Any, *, lesson: Lesson, params: dict[str, Any], stage: str) -> Result:
    """``lesson.measure(**params)`` as the work of ``job`` (one step, called ``stage``). While the lesson
    is within its timeout the job reports that it is alive, so the runner's stall watchdog leaves a long
    lesson alone (the time budget and Cancel still stop it)."""
    job.begin_stage(stage, 1)
    over = threading.Event()
    threading.Thread(target=_alive, args=(job, over), daemon=True, name=f"pilab-lesson-{stage}").start()
    try:
        result = lesson.measure(TIMEOUT_S, **params)
    except Cancelled:
        raise
    except Exception as exc:  # a lesson that fails says so in one line, never as a traceback
        raise LessonFailed(exc) from exc
    finally:
        over.set()
    job.progress(1, 1)
    return result


def _alive(job: Any, over: threading.Event) -> None:
    """Report ``job`` alive every second until ``over`` is set or the lesson's timeout has passed."""
    deadline = time.monotonic() + TIMEOUT_S
    while not over.wait(1.0) and time.monotonic() < deadline:
        job.progress(0, 1)
