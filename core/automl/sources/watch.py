"""A live watch of a running AutoML run: poll its children into the pull cache until the parent ends.

``Watch.poll()`` pulls once (never two pulls of one source at once: a lock per cache name, taken with a
deadline), writes a good result to the pull cache (so a restarted server reopens with what was seen), keeps
the last good data when a poll fails and backs off with the reason. ``Watch.start()`` polls on a daemon
thread until the parent ends or ``stop()`` (which joins with a deadline); ``start_watch`` keeps one watch a
source per process, so every session of a server sees the same one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.automl.model import AutoMLData, AutoMLError, NoChildren
from core.automl.sources import LiveSource, cache
from core.automl.sources.parse import META_KEY, parse_metrics
from core.runtime import processes
from core.runtime.i18n import N_
from core.runtime.message import Message

# The states shown to users and in the CLI's output; "canceled" is spelled as MLflow and Azure ML spell it.
RUNNING, COMPLETED, FAILED, CANCELLED = "running", "completed", "failed", "canceled"
STATES = (RUNNING, COMPLETED, FAILED, CANCELLED)
ENDED = (COMPLETED, FAILED, CANCELLED)
_STATE = {  # MLflow's RunStatus and Azure ML's run statuses, lower-cased
    "finished": COMPLETED,
    "completed": COMPLETED,
    "failed": FAILED,
    "killed": CANCELLED,
    "canceled": CANCELLED,
    "cancelled": CANCELLED,
}
MIN_EVERY_S, MAX_EVERY_S = 0.2, 3600.0
MAX_BACKOFF_S = 300.0
STOP_TIMEOUT_S = 5.0


def state_of(status: Any) -> str:
    """A run's status as running, completed, failed or cancelled (anything not ended is running)."""
    return _STATE.get(str(status or "").strip().lower(), RUNNING)


def counts(document: dict[str, Any] | None) -> dict[str, int]:
    """How many children of a pulled document are running, completed, failed, cancelled."""
    found = dict.fromkeys(STATES, 0)
    runs = ((document or {}).get(META_KEY) or {}).get("runs") or {}
    for info in runs.values():
        found[state_of(info.get("status") if isinstance(info, dict) else None)] += 1
    return found


def child_states(document: dict[str, Any] | None) -> dict[str, str]:
    """Each child's state in a pulled document."""
    runs = ((document or {}).get(META_KEY) or {}).get("runs") or {}
    return {rid: state_of(info.get("status")) for rid, info in runs.items() if isinstance(info, dict)}


@dataclass(kw_only=True, frozen=True)
class Snapshot:
    """What a watch has seen: the last good data (kept when a poll fails), when it was pulled and the next
    poll is due (wall-clock seconds), the last error, the parent's state, the children's counts, and the
    children that ended in the latest poll (``ended_now``, iteration order)."""

    data: AutoMLData | None = None
    updated_at: float | None = None
    next_at: float | None = None
    error: str | None = None
    failures: int = 0
    state: str = RUNNING
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    ended_now: tuple[str, ...] = ()
    polls: int = 0
    paused: bool = False
    stopped: bool = False
    path: Path | None = None

    @property
    def done(self) -> bool:
        """The parent ended (or the watch was stopped): no more polls."""
        return self.state in ENDED or self.stopped


_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


@contextlib.contextmanager
def exclusive(key: str, timeout: float) -> Iterator[None]:
    """Hold the pull lock of ``key`` (a source's cache name) for one pull; ``AutoMLError`` when another
    pull of that source still holds it after ``timeout`` seconds."""
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    if not lock.acquire(timeout=max(timeout, 0.01)):
        raise AutoMLError(N_("another pull of {name} is still running; trying again later"), name=key)
    try:
        yield
    finally:
        lock.release()


class Watch:
    """Polls ``source`` every ``every`` seconds into the cache file ``name`` (in ``directory``, else the
    cache folder) until its parent run ends. Children are pulled without artifacts while the parent runs; the
    last pull, once the parent ended, fetches them when ``source`` would."""

    def __init__(
        self, source: LiveSource, name: str, every: float = 10.0, *, directory: Path | None = None
    ) -> None:
        if not MIN_EVERY_S <= every <= MAX_EVERY_S:
            raise AutoMLError(f"watch: every {every!r} s is not in [{MIN_EVERY_S:g}, {MAX_EVERY_S:g}]")
        self.source, self.name, self.every = source, name, float(every)
        self.directory = directory
        light = getattr(source, "fetch_artifacts", False) and dataclasses.is_dataclass(source)
        self._light = dataclasses.replace(source, fetch_artifacts=False) if light else source
        self._guard = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen: dict[str, str] = {}
        self._snap = Snapshot(path=self.path, data=self._reopen())

    @property
    def path(self) -> Path:
        """The cache file every good poll replaces."""
        return cache.path_for(self.name, self.directory)

    def _reopen(self) -> AutoMLData | None:
        """What an earlier watch of this source cached (a restarted server shows it until the first poll)."""
        try:
            found = cache.find(self.name, self.directory, source=self.source.label)
            return parse_metrics(cache.read(found), source=self.source.label)
        except (OSError, ValueError):
            return None

    def snapshot(self) -> Snapshot:
        with self._guard:
            return self._snap

    def _update(self, **changes: Any) -> Snapshot:
        with self._guard:
            self._snap = dataclasses.replace(self._snap, **changes)
            return self._snap

    def poll(self) -> Snapshot:
        """Pull once; on success cache and keep the result, else keep the last good data and back off."""
        now = time.time()
        try:
            with exclusive(self.name, timeout=self.every):
                document, state = self._pull()
        except NoChildren as exc:  # a parent that has not started its children yet: not an error
            state = state_of(exc.status)
            after = None if state in ENDED else self._next(now, 0)
            return self._update(
                state=state, error=None, failures=0, polls=self._snap.polls + 1, next_at=after
            )
        except AutoMLError as exc:
            return self._failed(now, exc.message)
        except Exception as exc:  # a service's own error type: its name and message, one line
            return self._failed(now, f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
        states = child_states(document)
        ended_now = [r for r, s in states.items() if s in ENDED and self._seen.get(r) not in ENDED]
        self._seen = states
        try:
            data = parse_metrics(document, source=self.source.label)
        except AutoMLError:  # children without a metric yet: nothing to show, nothing to cache
            data = None
        path, error = self._snap.path, None
        if data is not None:
            try:
                path = cache.write(document, self.name, self.directory)
            except OSError as exc:
                error = Message(
                    N_("the cache could not be written: {reason}"), reason=exc.strerror or str(exc)
                )
        order = {rid: i for i, rid in enumerate(data.run_ids)} if data is not None else {}
        return self._update(
            data=data if data is not None else self._snap.data,
            updated_at=now,
            next_at=None if state in ENDED else self._next(now, 0),
            error=error,
            failures=0,
            state=state,
            counts=counts(document),
            ended_now=tuple(sorted(ended_now, key=lambda r: order.get(r, len(order)))),
            polls=self._snap.polls + 1,
            path=path,
        )

    def _pull(self) -> tuple[dict[str, Any], str]:
        document = self._light.pull()
        state = state_of(((document.get(META_KEY) or {}).get("parent") or {}).get("status"))
        if state in ENDED and self._light is not self.source:
            document = self.source.pull()  # the last pull: with the artifacts the source fetches
        return document, state

    def _failed(self, now: float, reason: str) -> Snapshot:
        failures = self._snap.failures + 1
        return self._update(
            error=reason, failures=failures, polls=self._snap.polls + 1, next_at=self._next(now, failures)
        )

    def _next(self, now: float, failures: int) -> float:
        """Every ``every`` seconds; after k failures in a row ``every``·2^k, at most ``MAX_BACKOFF_S``."""
        return now + min(self.every * 2**failures, max(MAX_BACKOFF_S, self.every))

    # --- on a thread ------------------------------------------------------------------------------------
    def start(self) -> Watch:
        """Poll on a daemon thread until the parent ends or ``stop()``."""
        if self._thread is None or not self._thread.is_alive():
            self._update(stopped=False)
            self._thread = threading.Thread(target=self._loop, daemon=True, name=f"pilab-watch-{self.name}")
            self._thread.start()
        return self

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while True:
            snap = self.snapshot()
            if snap.stopped:
                return
            if not snap.paused:
                snap = self.poll()
                if snap.state in ENDED:
                    return
            due = time.time() + self.every if snap.paused or snap.next_at is None else snap.next_at
            self._wake.wait(timeout=max(0.0, min(due - time.time(), MAX_BACKOFF_S)))
            self._wake.clear()

    def pause(self, *, paused: bool = True) -> None:
        """Hold the polls (the thread waits) or resume them now."""
        self._update(paused=paused)
        self._wake.set()

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> bool:
        """End the polls; True when the thread ended within ``timeout`` (a pull in flight is awaited)."""
        self._update(stopped=True, next_at=None)
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        return not self.alive()


# --- one watch a source in this process (every session of a server sees the same one) -----------------
_watches: dict[str, Watch] = {}
_watches_guard = threading.Lock()


def start_watch(
    source: LiveSource, name: str, every: float = 10.0, *, directory: Path | None = None
) -> Watch:
    """The watch of ``name``, started (a running one is kept: one watch and one poller a source)."""
    with _watches_guard:
        found = _watches.get(name)
        if found is not None and found.alive():
            return found
        watch = _watches[name] = Watch(source, name, every, directory=directory).start()
    processes.at_exit(stop_all, early=True)
    return watch


def find(name: str) -> Watch | None:
    """The watch of ``name`` started in this process, if any (running or ended)."""
    with _watches_guard:
        return _watches.get(name)


def watching(path: Path) -> Watch | None:
    """The running watch that writes the cache file ``path``, if any."""
    with _watches_guard:
        found = [w for w in _watches.values() if w.alive() and w.path == Path(path)]
    return found[0] if found else None


def stop_all(timeout: float = STOP_TIMEOUT_S) -> bool:
    """Stop every watch (all within ``timeout``); True when every thread ended."""
    with _watches_guard:
        watches = list(_watches.values())
        _watches.clear()
    deadline = time.monotonic() + timeout
    for w in watches:
        w.stop(0)
    return all([w.stop(max(0.0, deadline - time.monotonic())) for w in watches])
