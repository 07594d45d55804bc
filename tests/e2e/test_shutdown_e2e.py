"""A server stopped the way a teacher stops it (SIGTERM, Ctrl-C) exits within seconds and leaves no process:
while a long run goes on, and after a pool worker was killed."""

import os
import signal
import time

import psutil
import pytest

from tests.support.browser import open_page, serve_app, wait_for_results

EXIT_BOUND_S = 10  # generous: the shutdown itself is bounded at 5 s and takes well under one


def _stop(pid: int, how: signal.Signals) -> float:
    """Send ``how`` to the server; return the seconds it took to exit, after checking it left nothing."""
    server = psutil.Process(pid)
    children = server.children(recursive=True)
    t0 = time.monotonic()
    os.kill(pid, how)
    server.wait(timeout=EXIT_BOUND_S + 20)
    seconds = time.monotonic() - t0
    _, alive = psutil.wait_procs(children, timeout=2)
    assert not alive, [" ".join(p.cmdline())[:100] for p in alive]
    return seconds


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_a_server_stops_promptly_during_a_long_run(browser, how):
    with serve_app() as (url, pid):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        open_page(page, f"{url}/pi_estimate?n=1e9&backends=python,multiprocessing&seed=1")
        page.get_by_role("button", name="Run", exact=True).click()
        page.get_by_text("python (1 of 2)").wait_for(timeout=60_000)
        assert _stop(pid, how) < EXIT_BOUND_S
        page.close()


@pytest.mark.slow
def test_a_server_stops_promptly_after_a_pool_worker_was_killed(browser):
    with serve_app() as (url, pid):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        open_page(page, f"{url}/pi_estimate?n=1e6&backends=multiprocessing&seed=1")
        page.get_by_role("button", name="Run", exact=True).click()
        wait_for_results(page)
        workers = [p for p in psutil.Process(pid).children() if "spawn_main" in " ".join(p.cmdline())]
        assert workers
        workers[0].kill()  # an idle pool worker: the bpo-22393 case that hung Pool.terminate at exit
        workers[0].wait(5)
        assert _stop(pid, signal.SIGTERM) < EXIT_BOUND_S
        page.close()
