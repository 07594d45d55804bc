"""The real app in a real browser: serve it under ``streamlit run`` on a free port, drive Debian's headless
Chromium through Playwright, open a page and wait until it is interactive (shared by tests/e2e/ and the
load benchmark)."""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}  # a projector-like size

APP_NAV_SECTION = "Pi Lab"  # a section of app.py's st.navigation (the same in every language), absent from
# pages/ routing


# Ports handed out to servers that bind them later. A port the kernel picks (bind to 0) is in the ephemeral
# range, where any other process (a Dask worker of a parallel test) may get it before the server binds it, so
# take them from below that range (and above Ray's worker ports, 10002-19999), one slice per xdist worker.
_PORTS_PER_WORKER = 1500
_handed_out: set[int] = set()


def free_port() -> int:
    """A loopback port no other test worker is handed and nothing listens on now."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    low = 20_000 + (int(worker) if worker.isdigit() else 0) % 8 * _PORTS_PER_WORKER
    for port in random.sample(range(low, low + _PORTS_PER_WORKER), 200):
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free port in {low}-{low + _PORTS_PER_WORKER}")


@contextlib.contextmanager
def serve_app(
    env: dict | None = None, args: tuple[str, ...] = (), *, launcher: bool = True, port: int | None = None
) -> Iterator[tuple[str, int]]:
    """Start the app on ``port`` (default: a free one) as ``make run`` does (``python -m ui.runtime.serve``:
    pools warm up at once), or with plain ``streamlit run app.py`` when not ``launcher``; extra options in
    ``args``. Yield its base URL and PID; stop it (and its pools) by that PID."""
    port = port or free_port()
    logs = ROOT / ".pytest_cache"
    logs.mkdir(exist_ok=True)  # a fresh clone has none until pytest writes its cache at the end
    log = open(logs / f"streamlit-{port}.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            *(["ui.runtime.serve"] if launcher else ["streamlit", "run", "app.py"]),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
            *args,
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ | {"PYTHONUNBUFFERED": "1"} | (env or {}),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except (OSError, http.client.HTTPException):  # not up yet, or (never here) not Streamlit
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {log.name}")
            time.sleep(0.2)
        yield url, proc.pid
    finally:
        with contextlib.suppress(psutil.Error):
            for child in psutil.Process(proc.pid).children(recursive=True):  # its pools and clusters
                with contextlib.suppress(psutil.Error):
                    child.kill()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def launch_chromium(playwright):
    """Debian's Chromium through Playwright (never Playwright's own download), headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def new_page(browser):
    """A page in a fresh browser context at a projector-like size."""
    return browser.new_context(viewport=VIEWPORT).new_page()


def wait_for_app(page) -> None:
    """Wait until the script has run: connected, not running, no skeleton left."""
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]')
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    page.wait_for_function("!document.querySelector('[data-testid=\"stSkeleton\"]')")


def wait_for_results(page, seed: int | None = None, timeout_ms: int = 120_000) -> None:
    """Wait until the π page shows a run's results (of ``seed``, if given) and its script has ended. (The
    points chart is no sign: the page draws the empty square before the first run.)"""
    if seed is not None:
        page.get_by_text(f"samples, seed {seed}").wait_for(timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=timeout_ms)
    wait_for_app(page)


def wait_for_target(page) -> None:
    """Wait until the π page has drawn its points chart (the empty square before a run): fully loaded."""
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg')


def screenshot(page, path: Path) -> None:
    """A full-page screenshot (stMain scrolls, so grow the viewport to its height first)."""
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : 900; }"
    )
    page.set_viewport_size({"width": 1400, "height": max(900, min(int(height) + 40, 12000))})
    page.screenshot(path=str(path), full_page=True)


def open_page(page, url: str) -> float:
    """Go to ``url`` and wait until the app is interactive under app.py's navigation; return the seconds.

    On a fresh server the first run of a bookmarked page goes through Streamlit's old ``pages/`` routing and
    reruns under app.py (see ``ui.ensure_app_navigation``); between the two runs the app is briefly idle."""
    t0 = time.monotonic()
    page.goto(url)
    page.get_by_test_id("stSidebarNav").get_by_text(APP_NAV_SECTION, exact=True).wait_for()
    wait_for_app(page)
    return time.monotonic() - t0


def no_exception(page) -> bool:
    """Whether the page shows no exception box."""
    return page.locator('[data-testid="stException"]').count() == 0
