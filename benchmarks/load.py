"""Several browser sessions running estimates at once against one server: all finish with the right counts,
the health endpoint keeps answering, and the server never holds more processes than a small factor of cores.

``run_sessions`` is shared by the end-to-end test and by ``run_benchmarks.py`` (which reports its figures).
Run alone: ``python -m benchmarks.load [--sessions 5]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
import urllib.request

import psutil

from core.pi import estimate

BACKENDS = "numba_parallel,multiprocessing,joblib,dask"
N = 10**7
PROCESS_FACTOR = 6  # pool, loky and Dask (nanny + worker) per core, and two resource trackers


def run_sessions(url: str, server_pid: int, browser, sessions: int = 5) -> dict:
    """Open ``sessions`` pages of the π page, press Run in all of them, and measure until all have drawn."""
    from tests.e2e.conftest import open_page, wait_for_app

    pages = [browser.new_context(viewport={"width": 1400, "height": 900}).new_page() for _ in range(sessions)]
    for seed, page in enumerate(pages):
        open_page(page, f"{url}/pi_estimate?n=1e7&backends={BACKENDS}&seed={seed}")
    health: list[float] = []
    processes: list[int] = []
    stop = threading.Event()

    def probe() -> None:
        server = psutil.Process(server_pid)
        while not stop.is_set():
            t0 = time.monotonic()
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as r:
                r.read()
            health.append(time.monotonic() - t0)
            processes.append(len(server.children(recursive=True)))
            time.sleep(0.2)

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    t0 = time.monotonic()
    for page in pages:
        page.get_by_role("button", name="Run", exact=True).click()
    finished, right = [], 0
    for seed, page in enumerate(pages):
        page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=300_000)
        wait_for_app(page)
        finished.append(time.monotonic() - t0)
        text = page.inner_text('[data-testid="stMain"]')
        expected = f"{estimate('numba_parallel', N, seed=seed).pi:.6f}"
        right += (
            text.count(expected) == len(BACKENDS.split(","))
            and page.locator('[data-testid="stException"]').count() == 0
        )
    stop.set()
    prober.join()
    for page in pages:
        page.context.close()
    return {
        "sessions": sessions,
        "backends": BACKENDS,
        "n": N,
        "right": right,
        "all_done_s": max(finished),
        "finished_s": [round(f, 2) for f in finished],
        "health_max_s": max(health),
        "health_median_s": statistics.median(health),
        "health_probes": len(health),
        "max_processes": max(processes),
        "process_limit": PROCESS_FACTOR * (os.cpu_count() or 1),
    }


def main() -> None:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=5)
    args = parser.parse_args()
    with serve_app() as (url, pid), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        print(json.dumps(run_sessions(url, pid, browser, args.sessions), indent=1))
        browser.close()


if __name__ == "__main__":
    main()
