"""A run's task timeline: each index range's start, end, worker and samples, recorded as the backend counts,
on one clock that every process of the machine reads; and what a Gantt chart of it needs (lanes, stragglers,
idle share, and at most ``MAX_BARS`` bars however many ranges).

The clock is ``time.time_ns()`` (the system's real-time clock, ``CLOCK_REALTIME`` on Linux): one clock for
the whole machine, so a span stamped in a worker process and the run's start stamped in the server compare
directly (``time.perf_counter()`` is only comparable within one process). It is also the clock NTP keeps
close between machines, so a remote Dask or Ray cluster's spans are off by at most the machines' offset.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

from core.runtime.i18n import N_

MAX_SPANS = 100_000  # a run keeps the spans of its first ranges up to this many (``--chunk 1`` makes n)
MAX_BARS = 2_000  # a chart draws at most this many bars: adjacent ranges of a worker are joined beyond it
STRAGGLER_MADS = 3.0  # a range longer than the median by this many median absolute deviations straggles

# What a worker of each backend is, as a lane of its chart reads: ``_(WORKER_KINDS[backend], worker=…)``.
WORKER_KINDS = {
    "numpy_chunked": N_("process {worker}"),
    "numba_parallel": N_("thread {worker}"),
    "multiprocessing": N_("process {worker}"),
    "joblib": N_("process {worker}"),
    "dask": N_("Dask worker {worker}"),
    "ray": N_("Ray process {worker}"),
}


def now_ns() -> int:
    """The timeline's clock: nanoseconds since the epoch, the same in every process of this machine."""
    return time.time_ns()


@dataclass(kw_only=True, frozen=True, slots=True)
class Span:
    """One index range as a worker counted it: seconds after the run's start (``start`` ≤ ``end``)."""

    range_index: int
    start: float
    end: float
    worker: str  # a process id, a Numba thread's number, or a Dask worker's name
    samples: int

    @property
    def duration(self) -> float:
        return self.end - self.start


class Recorder:
    """The spans of one run, added by its backend as ranges finish (from any thread: a list's ``append`` is
    atomic); times are kept in nanoseconds of ``now_ns`` and made relative to ``origin`` at the end."""

    def __init__(self, limit: int = MAX_SPANS) -> None:
        self.origin = now_ns()
        self.limit = limit
        self._raw: list[tuple[int, int, int, str, int]] = []

    def add(self, *, range_index: int, start_ns: int, end_ns: int, worker: str, samples: int) -> None:
        if len(self._raw) < self.limit:
            self._raw.append((range_index, start_ns, end_ns, worker, samples))

    def spans(self) -> tuple[Span, ...]:
        """The spans so far, in seconds after ``origin``, by start."""
        spans = (
            Span(
                range_index=i, start=(s - self.origin) / 1e9, end=(e - self.origin) / 1e9, worker=w, samples=m
            )
            for i, s, e, w, m in self._raw
        )
        return tuple(sorted(spans, key=lambda span: (span.start, span.range_index)))


def lanes(spans: Sequence[Span]) -> list[str]:
    """The workers of a timeline, in the order each started its first range."""
    first: dict[str, float] = {}
    for span in spans:
        first[span.worker] = min(first.get(span.worker, math.inf), span.start)
    return sorted(first, key=lambda worker: (first[worker], worker))


def stragglers(spans: Sequence[Span]) -> set[int]:
    """The range indices of the stragglers: a range longer than the median + 3·MAD of the durations, and the
    last range to finish (where there are several)."""
    if len(spans) < 2:
        return set()
    durations = [s.duration for s in spans]
    median = statistics.median(durations)
    mad = statistics.median(abs(d - median) for d in durations)
    slow = {s.range_index for s in spans if mad > 0 and s.duration > median + STRAGGLER_MADS * mad}
    return slow | {max(spans, key=lambda s: s.end).range_index}


def idle_share(spans: Sequence[Span]) -> float:
    """The share of the run (from its start to its last range's end) during which a worker counted nothing,
    averaged over the workers: the time spent waiting for a range (round trips, start-up, the end's tail)."""
    if not spans:
        return 0.0
    end = max(s.end for s in spans)
    if end <= 0:
        return 0.0
    busy = 0.0
    for worker in lanes(spans):
        reach = 0.0
        for span in sorted((s for s in spans if s.worker == worker), key=lambda s: s.start):
            start = max(span.start, reach, 0.0)
            busy += max(span.end - start, 0.0)
            reach = max(reach, span.end)
    return max(0.0, 1.0 - busy / (end * len(lanes(spans))))


@dataclass(kw_only=True, frozen=True, slots=True)
class Bar:
    """One bar of a Gantt chart: ``ranges`` adjacent ranges of one worker (one, unless joined)."""

    worker: str
    start: float
    end: float
    ranges: int
    samples: int
    straggler: bool


def bars(spans: Sequence[Span], most: int = MAX_BARS) -> tuple[list[Bar], int]:
    """The bars that draw ``spans`` and how many adjacent ranges of a worker each joins (1: one a range):
    never more than ``most`` bars, so a run of 10,000 ranges draws as quickly as one of 100. A joined bar
    hides the gaps inside it and straggles where one of its ranges does."""
    workers = lanes(spans)
    group = max(1, math.ceil(len(spans) / max(most - len(workers), 1)))
    slow = stragglers(spans)
    drawn = []
    for worker in workers:
        own = sorted((s for s in spans if s.worker == worker), key=lambda s: s.start)
        for i in range(0, len(own), group):
            part = own[i : i + group]
            drawn.append(
                Bar(
                    worker=worker,
                    start=part[0].start,
                    end=max(s.end for s in part),
                    ranges=len(part),
                    samples=sum(s.samples for s in part),
                    straggler=any(s.range_index in slow for s in part),
                )
            )
    return drawn, group
