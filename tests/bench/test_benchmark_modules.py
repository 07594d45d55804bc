"""Every benchmark is a module of the ``benchmarks`` package: ``python -m benchmarks.<name>`` runs it from
the repository's root, with no edit of ``sys.path``."""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(p.stem for p in (ROOT / "benchmarks").glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("name", MODULES)
def test_a_benchmark_imports_as_a_module_without_a_path_edit(name):
    assert "sys.path" not in (ROOT / "benchmarks" / f"{name}.py").read_text()
    assert importlib.import_module(f"benchmarks.{name}").__name__ == f"benchmarks.{name}"


def test_the_sweep_starts_as_a_module():
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run_benchmarks", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "--quick" in done.stdout, done.stderr
