"""``python -m core.classroom``: open, list, show, run, close, reopen, rename, delete and export rounds."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    """The command line (filled in next)."""
    raise NotImplementedError


if __name__ == "__main__":
    main()
