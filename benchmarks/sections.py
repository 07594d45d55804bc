"""Sections of BENCHMARKS.md that other benchmarks than ``run_benchmarks.py`` write, between
``<!-- NAME:start -->`` and ``<!-- NAME:end -->``: written in place, kept when ``make bench`` rewrites
the rest."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def read(name: str, path: Path = BENCHMARKS_MD) -> str | None:
    """The section's text, markers included, or None."""
    start, end = markers(name)
    text = path.read_text() if path.exists() else ""
    found = re.search(re.escape(start) + r".*?" + re.escape(end), text, re.S)
    return found.group(0) if found else None


def write(name: str, body: str, path: Path = BENCHMARKS_MD) -> None:
    """Put ``body`` between the section's markers in ``path``, replacing what was there (or at the end)."""
    start, end = markers(name)
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text() if path.exists() else ""
    old = read(name, path)
    text = text.replace(old, block) if old else text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)


def kept(path: Path) -> str:
    """Every such section in ``path``, for a run that rewrites the rest of the file."""
    text = path.read_text() if path.exists() else ""
    blocks = re.finditer(r"<!-- (\w+):start -->.*?<!-- \1:end -->", text, re.S)
    return "".join(f"\n{m.group(0)}\n" for m in blocks)


def machine() -> str:
    """The CPU model and core count, for a section's first line."""
    lines = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
    model = next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name")), "")
    return f"{model}, {os.cpu_count()} cores" if model else platform.platform()
