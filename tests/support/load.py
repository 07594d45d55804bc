"""Several browser sessions running estimates at once against one server: all finish with the right counts,
the health endpoint keeps answering, and the server never holds more processes than a small factor of cores.

``run_sessions`` is shared by the five-session end-to-end test and by ``benchmarks/load.py`` (whose figures
``run_benchmarks.py`` reports).
"""

from __future__ import annotations

import os
import statistics
import threading
import time
import urllib.request

import psutil

from core.pi import estimate
from tests.support.browser import new_page, no_exception, open_page, wait_for_results, wait_for_target

BACKENDS = "numba_parallel,multiprocessing,joblib,dask"
N = 10**7
PROCESS_FACTOR = 6  # pool, loky and Dask (nanny + worker) per core, and two resource trackers


class Prober:
    """A thread that probes the server's health endpoint and counts its processes every 0.2 s."""

    def __init__(self, url: str, server_pid: int) -> None:
        self.url, self.server = url, psutil.Process(server_pid)
        self.health: list[float] = []
        self.processes: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._probe, daemon=True)

    def _probe(self) -> None:
        while not self._stop.is_set():
            t0 = time.monotonic()
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=5) as r:
                r.read()
            self.health.append(time.monotonic() - t0)
            self.processes.append(len(self.server.children(recursive=True)))
            time.sleep(0.2)

    def __enter__(self) -> Prober:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_sessions(url: str, server_pid: int, browser, sessions: int = 5) -> dict:
    """Open ``sessions`` pages of the π page, press Run in all of them, and measure until all have drawn."""
    pages = [new_page(browser) for _ in range(sessions)]
    for seed, page in enumerate(pages):  # a class opens the page, and waits for it, before pressing Run
        open_page(page, f"{url}/pi_estimate?n=1e7&backends={BACKENDS}&seed={seed}")
        wait_for_target(page)
    with Prober(url, server_pid) as prober:
        cpu_before = cpu_seconds(server_pid)
        t0, clicked_at = time.monotonic(), time.time()
        for page in pages:
            page.get_by_role("button", name="Run", exact=True).click()
        finished, right = [], 0
        for seed, page in enumerate(pages):
            wait_for_results(page, seed, timeout_ms=300_000)
            finished.append(time.monotonic() - t0)
            right += _shows_the_exact_count(page, seed)
        cpu_after = cpu_seconds(server_pid)
    for page in pages:
        page.context.close()
    return {
        "sessions": sessions,
        "backends": BACKENDS,
        "n": N,
        "right": right,
        "clicked_at": clicked_at,
        "all_done_s": max(finished),
        "finished_s": [round(f, 2) for f in finished],
        "health_max_s": max(prober.health),
        "health_median_s": statistics.median(prober.health),
        "health_probes": len(prober.health),
        "cpu_s": {k: round(cpu_after[k] - cpu_before[k], 2) for k in cpu_after},
        "max_processes": max(prober.processes),
        "process_limit": PROCESS_FACTOR * (os.cpu_count() or 1),
    }


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds so far of the server (with its pools and clusters) and of this process's browsers."""
    server = psutil.Process(server_pid)
    browsers = [p for p in psutil.Process().children(recursive=True) if "chrom" in _name(p)]
    return {
        "server": _cpu([server, *server.children(recursive=True)]),
        "browsers": _cpu(browsers),
    }


def _name(proc: psutil.Process) -> str:
    try:
        return proc.name()
    except psutil.Error:
        return ""


def _cpu(procs: list[psutil.Process]) -> float:
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
        except psutil.Error:  # ended meanwhile
            continue
        total += times.user + times.system
    return total


def _shows_the_exact_count(page, seed: int) -> bool:
    """Every backend's π̂ on the page is the exact count's, and no exception shows."""
    text = page.inner_text('[data-testid="stMain"]')
    expected = f"{estimate('numba_parallel', N, seed=seed).pi:.6f}"
    return text.count(expected) == len(BACKENDS.split(",")) and no_exception(page)
