"""The operator passcode's gate: one for the whole server, so no new tab or session speeds guessing up.

Every try is checked, compared (in constant time) and recorded under one lock. After each wrong try the
keys it came with (a session, the client's address where one is known) wait 1, 2, 4 … up to 60 s before
their next try is even looked at; and once more than a few wrong tries came from anywhere, every try waits
too, however fresh its session (the server's count forgets one wrong try a minute). A client on 127.0.0.1
has no address (a reverse proxy or tunnel on the same host: every student looks the same), so the
server-wide wait is what holds there.
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections.abc import Callable

from core.runtime.i18n import N_, Translate, english

MAX_WAIT_S = 60.0  # the longest wait after wrong passcodes
SERVER_FREE_TRIES = 3  # wrong tries from anywhere before every try waits
SERVER_FORGET_S = 60.0  # the server-wide count forgets one wrong try in this time
MAX_KEYS = 10_000  # keys remembered at most (a script opening sessions cannot fill the memory)

NO_PASSCODE = N_("no operator passcode is set on this server ([pilab] operator_passcode in secrets)")
TOO_MANY_TRIES = N_("too many wrong tries: wait {seconds} s before the next one")
TOO_MANY_ON_SERVER = N_("too many wrong tries on this server: wait {seconds} s before the next one")
WRONG_PASSCODE = N_("wrong passcode; the next try is possible in {seconds} s")


class PasscodeGate:
    """Operator passcode tries, per key (a session, an address) and over all of them together."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, *, base_s: float = 1.0) -> None:
        self._clock = clock
        self._base_s = base_s
        self._lock = threading.Lock()
        self._failures: dict[str, int] = {}
        self._wait_until: dict[str, float] = {}
        self._server_count = 0.0  # wrong tries from anywhere, as of ``_server_at``
        self._server_at = 0.0
        self._server_until = 0.0

    def clear(self) -> None:
        """Forget every try, as a restarted server does."""
        with self._lock:
            self._failures.clear()
            self._wait_until.clear()
            self._server_count, self._server_at, self._server_until = 0.0, 0.0, 0.0

    def wait_left(self, *keys: str) -> float:
        """Seconds before any of ``keys`` may try again (0 when it may now)."""
        with self._lock:
            now = self._clock()
            return max(self._key_wait(keys, now), self._server_until - now, 0.0)

    def attempt(
        self, given: str, expected: str | None, *keys: str, _: Translate = english
    ) -> tuple[bool, str]:
        """Check ``given``: (True, "") when it unlocks, else (False, why), ``why`` in the language of ``_``.
        Never echoes either passcode. Two tries at once never both pass one wait: the check, the compare
        and the record are one step."""
        if not expected:
            return False, _(NO_PASSCODE)
        with self._lock:
            now = self._clock()
            server_wait = self._server_until - now
            key_wait = self._key_wait(keys, now)
            if key_wait > 0 and key_wait >= server_wait:
                return False, _(TOO_MANY_TRIES, seconds=_.number(math.ceil(key_wait)))
            if server_wait > 0:
                return False, _(TOO_MANY_ON_SERVER, seconds=_.number(math.ceil(server_wait)))
            if hmac.compare_digest(given.encode(), expected.encode()):
                for k in keys:
                    self._failures.pop(k, None)
                    self._wait_until.pop(k, None)
                return True, ""
            delay = self._record_wrong(keys, now)
        return False, _(WRONG_PASSCODE, seconds=_.number(round(delay, 1)))

    def _key_wait(self, keys: tuple[str, ...], now: float) -> float:
        return max([0.0, *(self._wait_until.get(k, 0.0) - now for k in keys)])

    def _record_wrong(self, keys: tuple[str, ...], now: float) -> float:
        """Record a wrong try of ``keys`` at ``now`` (the lock held); the wait before the next one."""
        fails = 1 + max((self._failures.get(k, 0) for k in keys), default=0)
        delay = self._wait(fails)
        for k in keys:
            self._failures[k] = fails
            self._wait_until[k] = now + delay
        forgotten = (now - self._server_at) / SERVER_FORGET_S
        self._server_count = max(0.0, self._server_count - forgotten) + 1
        self._server_at = now
        over = math.ceil(self._server_count) - SERVER_FREE_TRIES
        if over > 0:
            server_delay = self._wait(over)
            self._server_until = now + server_delay
            delay = max(delay, server_delay)
        self._forget(now)
        return delay

    def _wait(self, fails: int) -> float:
        return min(self._base_s * 2.0 ** min(fails - 1, 32), MAX_WAIT_S)

    def _forget(self, now: float) -> None:
        """Past ``MAX_KEYS`` keys, forget those whose wait ended longest ago (the lock held)."""
        if len(self._wait_until) <= MAX_KEYS:
            return
        for k in sorted(self._wait_until, key=self._wait_until.__getitem__)[: len(self._wait_until) // 2]:
            if self._wait_until[k] > now:
                break
            del self._wait_until[k]
            self._failures.pop(k, None)


_server_gate = PasscodeGate()


def server_gate() -> PasscodeGate:
    """The one gate of this server process: every session, tab and page tries through it."""
    return _server_gate
