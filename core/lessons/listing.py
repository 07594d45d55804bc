"""A lesson's code listing (compiler output, bytecode) and the bounded part of it a page or ``--json`` shows:
the highlighted lines first, then the lines just before them, never more than a budget of lines."""

from __future__ import annotations

from typing import NamedTuple

BOUND = 300  # the most lines of listings a page shows at once (the whole text is a download away)


class Listing(NamedTuple):
    """One text to show in a panel: ``group`` names the code it is about (a page shows one group at a
    time), ``title`` is in the reader's language, ``highlight`` the lines (from 1, both included) to show
    first, or ``None``."""

    group: str
    title: str
    language: str | None
    text: str
    highlight: tuple[int, int] | None = None
    file_name: str = "listing.txt"


class Excerpt(NamedTuple):
    """What is shown of a listing: the highlighted lines and the lines before them, each with the line
    number it starts at (0: none), and how many of the text's lines are left out."""

    highlighted: str
    highlighted_from: int
    context: str
    context_from: int
    cut: int


def excerpt(listing: Listing, budget: int) -> Excerpt:
    """At most ``budget`` lines of ``listing``: its highlighted lines (their first ``budget``), then as many
    of the lines just before them as the budget still allows; without a highlight, its first lines."""
    lines = listing.text.splitlines()
    first, last = listing.highlight or (1, 0)
    hot = lines[first - 1 : min(last, first - 1 + budget)]
    room = budget - len(hot)
    if listing.highlight is None:
        start, context = 1, lines[:room]
    else:
        start = max(1, first - room)
        context = lines[start - 1 : first - 1]
    return Excerpt(
        "\n".join(hot),
        first if hot else 0,
        "\n".join(context),
        start if context else 0,
        len(lines) - len(hot) - len(context),
    )


def wanted(listing: Listing) -> int:
    """The lines an excerpt of ``listing`` could use: up to the end of its highlight, or all of them."""
    return listing.highlight[1] if listing.highlight else len(listing.text.splitlines())


def shares(listings: list[Listing], budget: int = BOUND) -> list[int]:
    """Each listing's part of ``budget`` lines: one that wants few lines takes them, the others split the
    remainder evenly."""
    sizes = [wanted(item) for item in listings]
    parts = [0] * len(sizes)
    left, open_ = budget, sorted(range(len(sizes)), key=sizes.__getitem__)
    while open_:
        fair = left // len(open_)
        i = open_.pop(0)
        parts[i] = min(sizes[i], fair)
        left -= parts[i]
    return parts
