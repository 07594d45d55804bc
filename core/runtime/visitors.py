"""A visitor across the tabs of one browser: a random id in a cookie signed with the server's secret
(HMAC-SHA256), read back only when its signature holds, so a made-up or altered cookie is a new visitor."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass

COOKIE = "pilab_visitor"
ID_LENGTH = 12
MAX_AGE_S = 30 * 24 * 3600  # a month: a course's weeks of sessions in one browser
_ALPHABET = set(string.hexdigits.lower())


def new_id() -> str:
    """A fresh visitor id (hexadecimal, ``ID_LENGTH`` characters)."""
    return secrets.token_hex(ID_LENGTH // 2)


def signature(visitor_id: str, secret: bytes) -> str:
    """The HMAC-SHA256 of ``visitor_id`` under ``secret``, hexadecimal."""
    return hmac.new(secret, visitor_id.encode(), hashlib.sha256).hexdigest()


def signed(visitor_id: str, secret: bytes) -> str:
    """The cookie's value for ``visitor_id``: ``id.signature``."""
    return f"{visitor_id}.{signature(visitor_id, secret)}"


def verified(value: str | None, secret: bytes) -> str | None:
    """The visitor id in a cookie's ``value`` when its signature is the server's, else None (compared in
    constant time; anything malformed is None)."""
    if not isinstance(value, str) or value.count(".") != 1:
        return None
    visitor_id, given = value.split(".")
    if len(visitor_id) != ID_LENGTH or not set(visitor_id) <= _ALPHABET:
        return None
    return visitor_id if hmac.compare_digest(given.encode(), signature(visitor_id, secret).encode()) else None


@dataclass(frozen=True)
class Visitor:
    """Who asks for a run: the browser's id (its cookie) and the client address where one is known."""

    id: str
    address: str | None = None

    @property
    def key(self) -> str:
        """What per-visitor limits count: the id, with the address where one is known (a cookie copied to
        another machine is another visitor there)."""
        return f"{self.id}@{self.address}" if self.address else self.id
