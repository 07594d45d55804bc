"""Nicknames: a stable anonymous one for each visitor, and what is kept of one a student types."""

from __future__ import annotations

import hashlib
import unicodedata

NICKNAME_MAX = 24
ANIMALS = (
    "Fox", "Owl", "Lynx", "Hare", "Wren", "Otter", "Heron", "Badger", "Crane", "Ibex",
    "Koala", "Lemur", "Moose", "Newt", "Orca", "Panda", "Quail", "Raven", "Seal", "Tapir",
)  # fmt: skip


def default_nickname(visitor: str) -> str:
    """A stable anonymous nickname for a visitor id, e.g. ``Fox 042``."""
    digest = hashlib.sha256(str(visitor).encode()).digest()
    animal = ANIMALS[digest[0] % len(ANIMALS)]
    return f"{animal} {int.from_bytes(digest[1:3], 'big') % 1000:03d}"


def clean_nickname(name: object) -> str:
    """``name`` as kept: text only, control and format characters removed, whitespace collapsed, stripped,
    at most ``NICKNAME_MAX`` characters (empty when nothing is left)."""
    text = "".join(c for c in str(name) if unicodedata.category(c)[0] != "C" or c in " \t\n")
    return " ".join(text.split())[:NICKNAME_MAX].strip()
