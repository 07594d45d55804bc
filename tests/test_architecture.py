"""ARCHITECTURE.md is the one map of the repository: every module of ``core/``, ``ui/`` and ``pages/`` has a
row under its folder's heading (and no row names a module that is gone), the README links to it instead of
keeping a second map, and no file of ``ui/`` carries an area's prefix instead of living in its package."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAP = ROOT / "ARCHITECTURE.md"
HEADING = re.compile(r"^\*\*`(?P<folder>[\w/]+)/`\*\*$")
ROW = re.compile(r"^\| `(?P<module>[\w.]+\.py)` \| (?P<job>.+) \|$")


def mapped(text: str) -> dict[str, set[str]]:
    """Folder → the modules the map lists under its heading."""
    rows: dict[str, set[str]] = {}
    folder = None
    for line in text.splitlines():
        if heading := HEADING.match(line):
            folder = heading["folder"]
            rows[folder] = set()
        elif (row := ROW.match(line)) and folder is not None:
            rows[folder].add(row["module"])
    return rows


def on_disk() -> dict[str, set[str]]:
    folders: dict[str, set[str]] = {}
    for top in ("core", "ui", "pages"):
        for path in sorted((ROOT / top).rglob("*.py")):
            folders.setdefault(str(path.parent.relative_to(ROOT)), set()).add(path.name)
    return folders


def test_every_module_has_its_row_under_its_folder_and_no_row_is_stale():
    listed, present = mapped(MAP.read_text()), on_disk()
    missing = {f: sorted(gap) for f in present if (gap := present[f] - listed.get(f, set()))}
    stale = {f: sorted(gone) for f in listed if (gone := listed[f] - present.get(f, set()))}
    assert not missing, f"modules with no row in ARCHITECTURE.md: {missing}"
    assert not stale, f"rows in ARCHITECTURE.md for modules that are gone: {stale}"


def test_each_row_says_the_modules_job():
    jobs = [ROW.match(line)["job"] for line in MAP.read_text().splitlines() if ROW.match(line)]
    assert jobs and all(len(job) > 20 for job in jobs), [j for j in jobs if len(j) <= 20]


def test_the_readme_links_to_the_one_map_and_keeps_no_second_one():
    readme = (ROOT / "README.md").read_text()
    assert "[ARCHITECTURE.md](ARCHITECTURE.md)" in readme
    assert not any(ROW.match(line) for line in readme.splitlines())  # no module rows of its own


def test_no_ui_file_carries_an_areas_prefix():
    prefixed = [str(p.relative_to(ROOT)) for p in (ROOT / "ui").rglob("*.py") if p.name.startswith("automl_")]
    assert not prefixed


def test_the_checks_read_a_map_as_written():
    text = "**`core/x/`**\n\n| module | its one job |\n| --- | --- |\n| `a.py` | Does one thing, well. |\n"
    assert mapped(text) == {"core/x": {"a.py"}}
