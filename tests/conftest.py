"""Shared test settings: run from the repository root so `core` imports and pages resolve; mark the browser
tests; and fail the run if any process the tests started outlives them."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.chdir(ROOT)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

E2E = ROOT / "tests" / "e2e"


def pytest_collection_modifyitems(items):
    """Mark every test under tests/e2e ``e2e`` (a conftest's ``pytestmark`` applies to nothing)."""
    for item in items:
        if E2E in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session", autouse=True)
def nothing_left_behind():
    """After the last test: stop the pools and clusters the way the app does at exit (bounded, ending in
    kill); any child process still alive after that was left behind by a test, and fails the run."""
    yield
    from core import processes
    from core.pi import executors

    executors.shutdown()
    left = processes.children()
    described = [f"{p.pid}: {' '.join(p.cmdline())[:120]}" for p in left if p.is_running()]
    processes.stop(left)
    assert not described, f"processes left behind by the tests: {described}"
