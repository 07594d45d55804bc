"""Shared test settings: run from the repository root so `core` imports and pages resolve; mark the browser
tests; start each test with a fresh passcode gate; and fail the run if any process the tests started
outlives them."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.chdir(ROOT)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

E2E = ROOT / "tests" / "e2e"
# A browser step that timed out (Playwright's "Timeout …ms exceeded") on a loaded machine: two cores shared by
# a parallel suite, servers and Chromium. Such a test runs once more; a failed assertion never does.
BROWSER_TIMEOUT = r"Timeout \d+ms exceeded"


def pytest_collection_modifyitems(items):
    """Mark every test under tests/e2e ``e2e`` (a conftest's ``pytestmark`` applies to nothing) and worth one
    more run after a browser timeout, and every case of a test over the backends that runs ``ray`` ``slow``
    (its first call starts a Ray instance)."""
    for item in items:
        if E2E in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.flaky(reruns=1, only_rerun=[BROWSER_TIMEOUT]))
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") == "ray":
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def no_wrong_passcode_from_another_test():
    """Each test starts with the server's passcode gate as a fresh server has it: no other test's wrong tries
    (they share the process, as a server's sessions do) make it wait."""
    from core.runtime.passcode import server_gate

    server_gate().clear()


@pytest.fixture(scope="session", autouse=True)
def nothing_left_behind():
    """After the last test: stop the pools and clusters the way the app does at exit (bounded, ending in
    kill); any child process still alive after that was left behind by a test, and fails the run."""
    yield
    from core.pi import executors
    from core.runtime import processes

    executors.shutdown()
    left = [p for p in processes.children() if _running(p)]  # a zombie has ended: only its status is left
    described = [f"{p.pid}: {_command(p)}" for p in left]
    processes.stop(processes.children())  # reaps the zombies too
    assert not described, f"processes left behind by the tests: {described}"


def _running(proc) -> bool:
    import psutil

    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _command(proc) -> str:
    import psutil

    try:
        return " ".join(proc.cmdline())[:120]
    except psutil.Error:
        return "?"
