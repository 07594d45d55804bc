"""Executing a downloaded notebook as a student's Jupyter would: nbclient, on a kernel of this venv, in a
folder of its own (where it writes its modules)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(text: str, folder: Path, timeout: int = 120) -> nbformat.NotebookNode:
    """The notebook ``text`` run top to bottom in ``folder`` (an error in a cell raises); its cells."""
    book = nbformat.reads(text, as_version=4)
    (folder / "lesson.ipynb").write_text(text, encoding="utf-8")
    client = NotebookClient(
        book, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    return book


def printed(cell: nbformat.NotebookNode) -> str:
    """What a code cell printed (its stdout streams, joined)."""
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def markdown(book: nbformat.NotebookNode) -> str:
    """Every markdown cell's text."""
    return "\n\n".join(c.source for c in book.cells if c.cell_type == "markdown")
