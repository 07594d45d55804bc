"""Notebooks to take home: markdown and code cells, a code cell's first outputs, and the ``.ipynb`` text."""

from __future__ import annotations

from collections.abc import Iterable

import nbformat
from nbformat import v4


def markdown(text: str) -> nbformat.NotebookNode:
    """A markdown cell."""
    return v4.new_markdown_cell(text)


def code(source: str, *, printed: str | None = None) -> nbformat.NotebookNode:
    """A code cell; ``printed`` is what it printed in Pi Lab, kept as its first output until it is re-run."""
    outputs = [v4.new_output("stream", name="stdout", text=printed)] if printed else []
    return v4.new_code_cell(source, outputs=outputs, execution_count=1 if printed else None)


def module_cell(module: str, text: str) -> nbformat.NotebookNode:
    """A cell that writes ``text`` as ``module.py`` next to the notebook: processes started with "spawn"
    import their functions from a file (functions defined in a notebook cannot be sent to them)."""
    quoted = f"r'''{text}'''" if "'''" not in text and not text.endswith("\\") else repr(text)
    return code(f'from pathlib import Path\n\nPath("{module}.py").write_text({quoted}, encoding="utf-8")')


def notebook_text(cells: Iterable[nbformat.NotebookNode], *, lang: str) -> str:
    """The ``.ipynb`` file's text (validated against the notebook format), for a Python 3 kernel."""
    book = v4.new_notebook(cells=list(cells))
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.metadata["language_info"] = {"name": "python"}
    book.metadata["pilab"] = {"lang": lang}
    nbformat.validate(book)
    return nbformat.writes(book)
