"""A lesson as a background job of ``core.runtime.jobs``: measured where its numbers are honest
(``Lesson.measure``), stopped by the job's Cancel where the lesson can stop, and a failure said in one
line that names the error's type."""

from __future__ import annotations

from typing import Any

from core.lessons.lesson import Lesson, Result
from core.runtime.cancel import Cancelled


class LessonFailed(ValueError):
    """A lesson that raised: ``str()`` is ``Type: message`` of what it raised (a ``ValueError``, so the job
    runner keeps it as the job's one-line error)."""


def run_lesson(job: Any, *, lesson: Lesson, params: dict[str, Any], stage: str) -> Result:
    """``lesson.measure(**params)`` as the work of ``job`` (one step, called ``stage``)."""
    job.begin_stage(stage, 1)
    try:
        result = lesson.measure(**params)
    except Cancelled:
        raise
    except Exception as exc:  # a lesson that fails says so in one line, never as a traceback
        raise LessonFailed(f"{type(exc).__name__}: {exc}") from exc
    job.progress(1, 1)
    return result
