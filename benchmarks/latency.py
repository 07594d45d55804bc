"""What a person waits for, in headless Chromium against the server ``make run`` starts: Run → results drawn
(warm server, with and without earlier results, 1, 3 and every fast backend), a fresh server's first Run,
page switches, and AutoML changes. Five sessions at once are measured by ``benchmarks.load``.

Each case is repeated (median and worst) and split into the time the server spent running scripts, the
time in the job (both from the server's ``PILAB_TIMINGS`` log, see ``ui/runtime/timing.py``) and the
rest: polling, sending and the browser drawing.
Run: ``python -m benchmarks.latency [--repeat 5] [--json PATH]``; ``--start`` compares the two ways to start,
``--language`` measures what the language costs a rerun (Spanish against English).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks import sections
from core.pi.backends import available
from tests.support.browser import (
    VIEWPORT,
    free_port,
    launch_chromium,
    new_page,
    open_page,
    serve_app,
    wait_for_app,
    wait_for_results,
    wait_for_target,
)
from tests.support.load import run_sessions

FAST = [
    b for b in available() if b in ("numpy_chunked", "numba_parallel", "multiprocessing", "joblib", "dask")
]
THREE = ["numpy_chunked", "numba_parallel", "multiprocessing"]


def read_log(path: Path, start: float, end: float) -> dict[str, float]:
    """Wall seconds within [start, end] in which a script ran, a job ran, and either (overlapping runs of
    several sessions count once)."""
    spans: dict[str, list[tuple[float, float]]] = {"script": [], "job": []}
    if path.exists():
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            lo, hi = max(entry["start"], start), min(entry["end"], end)
            if hi > lo and entry["kind"] in spans:
                spans[entry["kind"]].append((lo, hi))
    return {
        "script": _covered(spans["script"]),
        "job": _covered(spans["job"]),
        "busy": _covered(spans["script"] + spans["job"]),
    }


def _covered(spans: list[tuple[float, float]]) -> float:
    """The length of the union of the intervals ``spans``."""
    total, reach = 0.0, float("-inf")
    for lo, hi in sorted(spans):
        if hi > reach:
            total += hi - max(lo, reach)
            reach = hi
    return total


def set_seed(page, seed: int) -> None:
    """A new seed: a run whose results differ from what is shown."""
    box = page.get_by_label("Seed", exact=True)
    box.fill(str(seed))
    box.press("Tab")
    wait_for_app(page)


def click_run(page) -> None:
    page.get_by_role("button", name="Run", exact=True).click()


def timed(log: Path, action, done) -> dict[str, float]:
    """Run ``action``, wait for ``done``; the total and its parts."""
    t0 = time.time()
    action()
    done()
    return parts_of(log, t0, time.time())


def parts_of(log: Path, start: float, end: float) -> dict[str, float]:
    """The seconds from ``start`` to ``end``: script, job, and the rest (polling, sending, drawing)."""
    parts = read_log(log, start, end)
    total = end - start
    return {"total": total, "script": parts["script"], "job": parts["job"], "rest": total - parts["busy"]}


def summary(name: str, rows: list[dict]) -> dict:
    keys = ["total", "script", "job", "rest"]
    return {
        "case": name,
        "repeat": len(rows),
        **{f"{k}_median": statistics.median(r[k] for r in rows) for k in keys},
        **{f"{k}_worst": max(r[k] for r in rows) for k in keys},
    }


def warm_runs(browser, url: str, log: Path, *, backends: list[str], repeat: int, keep_results: bool) -> list:
    rows = []
    page = new_page(browser)
    link = f"{url}/pi_estimate?n=1e6&backends={','.join(backends)}&seed=1"
    open_page(page, link)
    click_run(page)  # the warm-up run: pools, kernels and this page's caches
    wait_for_results(page, 1)
    for i in range(repeat):
        seed = 100 + i
        if not keep_results:
            open_page(page, link)  # a fresh session: nothing shown yet but the empty square
            wait_for_target(page)
        set_seed(page, seed)
        rows.append(timed(log, lambda: click_run(page), lambda s=seed: wait_for_results(page, s)))
    page.context.close()
    return rows


def page_switches(browser, url: str, log: Path, repeat: int) -> tuple[list, list]:
    """Each page through the sidebar: its first visit in a new browser (which loads the page's parts of
    Streamlit's frontend, Plotly's 4.7 MB among them, once), then ``repeat`` rounds of visits."""
    page = new_page(browser)
    open_page(page, url)
    names = ["Estimate π", "Benchmarks", "Parallelism lessons", "AutoML explorer", "Home"]
    nav = page.get_by_test_id("stSidebarNav")
    first, rows = [], []
    for round_ in range(repeat + 1):
        for name in names:
            row = timed(log, lambda n=name: nav.get_by_role("link", name=n).click(), lambda: settle(page))
            (rows if round_ else first).append({**row, "page": name})
    page.context.close()
    return first, rows


def settle(page) -> None:
    time.sleep(0.05)  # let the click reach the server before asking whether a script runs
    wait_for_app(page)


def automl_changes(browser, url: str, log: Path, repeat: int) -> list:
    """On the bundled sample: a primary-metric change, and a source change away and back."""
    page = new_page(browser)
    open_page(page, f"{url}/automl")
    rows = []
    metrics = ["log_loss (↓)", "accuracy (↑)", "AUC_weighted (↑)"]
    radio = page.get_by_test_id("stRadio").filter(has_text="Source").first

    def choose(metric: str) -> None:
        page.get_by_test_id("stSelectbox").filter(has_text="Primary metric").click()
        page.get_by_role("option", name=metric, exact=True).click()

    for i in range(repeat):
        rows.append(timed(log, lambda m=metrics[i % 3]: choose(m), lambda: settle(page)))
        for source in ("Upload a file", "Bundled sample"):
            rows.append(timed(log, lambda s=source: radio.get_by_text(s).click(), lambda: settle(page)))
    page.context.close()
    return rows


def new_tabs(browser, url: str, log: Path, repeat: int) -> list:
    """The reference for a fresh server: a browser that has opened the app before opens the π page in a new
    tab of a warm server. What this takes is the browser's own work (starting Streamlit's frontend,
    running Plotly's bundle), whatever the server."""
    context = returning_browser(browser, url)
    rows = []
    for i in range(repeat):
        t0 = time.time()
        page = context.new_page()
        open_page(page, f"{url}/pi_estimate?seed={i}")
        wait_for_target(page)
        rows.append(parts_of(log, t0, time.time()))
        page.close()
    context.close()
    return rows


def returning_browser(browser, url: str):
    """A browser context that has opened the π page at ``url`` once: Streamlit's and Plotly's files cached."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    open_page(page, f"{url}/pi_estimate")
    wait_for_target(page)
    page.close()
    return context


def fresh_first_run(
    browser, log: Path, repeat: int, *, returning: bool, launcher: bool = True
) -> tuple[list, list, list]:
    """A new server each time, on one port: from its health check answering to the π page drawn, from the
    first Run's click to its results drawn, and from the command's start to those results. A ``returning``
    browser has opened the app before (the teacher's, the day after: Streamlit's hashed static files are
    cached for a year); a new one has not, and loads Streamlit's frontend and Plotly (about 2.6 s of browser
    work even on a warm server). ``launcher``: ``make run``'s ``python -m ui.runtime.serve`` (it prepares the
    server before its health check answers), else ``streamlit run app.py`` (at its first visitor)."""
    opened, ran, whole = [], [], []
    port = free_port()
    returning_context = None
    if returning:
        with serve_app(port=port, launcher=launcher) as (url, _):
            returning_context = returning_browser(browser, url)
    for i in range(repeat):
        started = time.time()
        with serve_app(env={"PILAB_TIMINGS": str(log)}, port=port, launcher=launcher) as (url, _):
            t0 = time.time()  # serve_app returns once the health check answers
            context = returning_context or browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            open_page(page, f"{url}/pi_estimate?n=1e6&backends={','.join(FAST)}&seed={i}")
            wait_for_target(page)  # ready: every element drawn, the points chart's Plotly included
            t1 = time.time()
            page.get_by_role("button", name="Run", exact=True).click()
            wait_for_results(page, i)
            t2 = time.time()
            opened.append(parts_of(log, t0, t1))
            ran.append(parts_of(log, t1, t2))
            whole.append(parts_of(log, started, t2))
            page.close()
            if context is not returning_context:
                context.close()
    if returning_context is not None:
        returning_context.close()
    return opened, ran, whole


def five_sessions(browser, url: str, pid: int, log: Path, repeat: int) -> list:
    """Five pages press Run together (n = 1e7, four parallel backends): until the last is drawn."""
    rows = []
    for _ in range(repeat):
        figures = run_sessions(url, pid, browser, sessions=5)
        start = figures["clicked_at"]
        assert figures["right"] == 5, figures
        rows.append(parts_of(log, start, start + figures["all_done_s"]))
        rows[-1]["health_max"] = figures["health_max_s"]
        rows[-1]["cpu"] = figures["cpu_s"]
    return rows


HEADER = [
    "| case | n | median s | worst s | script (median) | job (median) | rest: polling, sending, drawing |",
    "| --- | --- | --- | --- | --- | --- | --- |",
]


def section(cases: list[dict]) -> str:
    rows = [
        f"| {c['case']} | {c['repeat']} | {c['total_median']:.2f} | {c['total_worst']:.2f} | "
        f"{c['script_median']:.2f} | {c['job_median']:.2f} | {c['rest_median']:.2f} |"
        for c in cases
    ]
    return "\n".join(
        [
            "## What a person waits for (`python -m benchmarks.latency`)",
            "",
            "Headless Chromium (software WebGL) against the server `make run` starts, on "
            f"{sections.machine()}; n is how many times a case ran. Script and job seconds "
            "come from the server's own log (`PILAB_TIMINGS`): the wall time in which some script, or some "
            "job, ran (sessions running at once count once); the rest is polling, sending and the browser "
            "drawing, which here shares the server's two cores (in a classroom each browser has its own "
            "machine). A page is drawn when its script has ended and no element is still loading.",
            "",
            *HEADER,
            *rows,
            "",
            *(c["note"] for c in cases if "note" in c),
        ]
    )


def five_note(rows: list[dict]) -> str:
    """How much of the five sessions' time the browsers took: CPU seconds of each side."""
    browsers = statistics.median(r["cpu"]["browsers"] for r in rows)
    server = statistics.median(r["cpu"]["server"] for r in rows)
    wall = statistics.median(r["total"] for r in rows)
    return (
        f"Five sessions: the health endpoint answered within {max(r['health_max'] for r in rows):.2f} s. "
        f"In the median case the five browsers used {browsers:.1f} CPU-seconds and the server, with its "
        f"pools, {server:.1f}, of the {2 * wall:.1f} that two cores had in those {wall:.1f} s: the browsers "
        "drawing are most of the wait here, and in a classroom each runs on its own machine.\n"
    )


def start_cases(browser, log: Path, repeat: int) -> list[dict]:
    """Both ways to start, alternated in one run: a fresh server's command → the first Run's results drawn."""
    rows: dict[str, list] = {"make run": [], "streamlit run app.py": []}
    for _ in range(repeat):
        for name, launcher in (("make run", True), ("streamlit run app.py", False)):
            rows[name] += fresh_first_run(browser, log, 1, returning=True, launcher=launcher)[2]
    first = f"fresh server, returning browser: command → first Run of {len(FAST)} fast backends drawn"
    return [summary(f"{first} (`{name}`)", found) for name, found in rows.items()]


def start_section(cases: list[dict]) -> str:
    """The two ways to start, as a section of BENCHMARKS.md."""
    rows = [
        f"| {c['case']} | {c['repeat']} | {c['total_median']:.2f} | {c['total_worst']:.2f} |" for c in cases
    ]
    return "\n".join(
        [
            "## One way to start (`python -m benchmarks.latency --start`)",
            "",
            f"Headless Chromium on {sections.machine()}: `make run` (`python -m ui.runtime.serve`, which "
            "prepares the server before its health check answers) against `streamlit run app.py` (which "
            "prepares it at its first visitor, with the same `ui.runtime.serve.prepare`), alternated; n is "
            "how many times each ran.",
            "",
            "| case | n | median s | worst s |",
            "| --- | --- | --- | --- |",
            *rows,
        ]
    )


PAGES = ("home", "pi_estimate", "benchmarks", "parallelism", "automl")


def language_cases(repeat: int) -> list[dict]:
    """What the language costs a rerun: each page rerun in-process (Streamlit's AppTest, the script's wall
    time) in Spanish and in English, alternated, and the lookups of a rerun alone (a translator, every
    message of the catalog, 20 numbers written out)."""
    from core.runtime.i18n import messages, translator
    from tests.support.apptest import app

    cases = []
    for page in PAGES:
        times: dict[str, list[float]] = {"es": [], "en": []}
        tests = {lang: app(f"pages/{page}.py", query={"lang": lang}) for lang in times}
        for _ in range(repeat):
            for lang, at in tests.items():
                t0 = time.perf_counter()
                at.run()
                times[lang].append(time.perf_counter() - t0)
        es, en = (statistics.median(times[lang]) for lang in ("es", "en"))
        cases.append({"case": f"rerun of {page}", "es_ms": 1e3 * es, "en_ms": 1e3 * en, "repeat": repeat})
    ids = list(messages("es"))
    for lang in ("es", "en"):

        def lookups(lang: str = lang) -> None:
            _ = translator(lang)
            for message in ids:
                _(message)
            for k in range(20):
                _.number(3.14159 * k, decimals=4)

        lookups()
        t0 = time.perf_counter()
        for _ in range(200):
            lookups()
        cost = (time.perf_counter() - t0) / 200
        cases.append({"case": f"{len(ids)} lookups and 20 numbers ({lang})", f"{lang}_ms": 1e3 * cost})
    return cases


def language_section(cases: list[dict]) -> str:
    """The language's cost, as a section of BENCHMARKS.md."""
    cell = lambda case, lang: f"{case[lang + '_ms']:.2f}" if lang + "_ms" in case else ""  # noqa: E731
    rows = [f"| {c['case']} | {cell(c, 'es')} | {cell(c, 'en')} |" for c in cases]
    return "\n".join(
        [
            "## The language's cost per rerun (`python -m benchmarks.latency --language`)",
            "",
            f"On {sections.machine()}: each page's rerun under Streamlit's AppTest (in-process, the script "
            f"only: median of {cases[0]['repeat']}, Spanish and English alternated), and the translation "
            "work of a rerun by itself.",
            "",
            "| case | Spanish ms | English ms |",
            "| --- | --- | --- |",
            *rows,
        ]
    )


def healthy(url: str) -> bool:
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as r:
        return r.read() == b"ok"


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="also write the table to this file")
    parser.add_argument("--write", action="store_true", help="put the table in BENCHMARKS.md")
    parser.add_argument("--start", action="store_true", help="only the two ways to start, compared")
    parser.add_argument("--language", action="store_true", help="only the language's cost per rerun")
    args = parser.parse_args()
    if args.language:
        cases = language_cases(args.repeat)
        print(json.dumps(cases, indent=1), flush=True)
        if args.write:
            sections.write("language", language_section(cases))
        return
    log = Path(tempfile.mkdtemp()) / "timings.jsonl"
    cases = []
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        if args.start:
            cases = start_cases(browser, log, args.repeat)
            print(json.dumps(cases, indent=1), flush=True)
            browser.close()
            if args.write:
                sections.write("start", start_section(cases))
            return
        with serve_app(env={"PILAB_TIMINGS": str(log)}) as (url, pid):
            assert healthy(url)
            for name, backends, keep in [
                ("warm Run, numba_parallel, nothing shown", ["numba_parallel"], False),
                ("warm Run, numba_parallel, results shown", ["numba_parallel"], True),
                ("warm Run, 3 fast backends, results shown", THREE, True),
                (f"warm Run, all {len(FAST)} fast backends, results shown", FAST, True),
            ]:
                cases.append(
                    summary(
                        name,
                        warm_runs(
                            browser, url, log, backends=backends, repeat=args.repeat, keep_results=keep
                        ),
                    )
                )
                print(json.dumps(cases[-1]), flush=True)
            first, switches = page_switches(browser, url, log, args.repeat)
            cases.append(summary("page switch (each page)", switches))
            cases.append(summary("page switch, first visit of each page in a new browser", first))
            slowest = max(first, key=lambda row: row["total"])
            cases[-1]["note"] = (
                f"First visits: the slowest is {slowest['page']} ({slowest['total']:.2f} s). The π page's "
                "points chart loads Plotly's 4.7 MB bundle once per browser (its form is usable before the "
                "chart is drawn); later visits reuse it.\n"
            )
            print(json.dumps(cases[-2:]), flush=True)
            cases.append(
                summary("AutoML metric or source change", automl_changes(browser, url, log, args.repeat))
            )
            tabs = new_tabs(browser, url, log, args.repeat)
            cases.append(summary("warm server, returning browser: new tab → π page drawn", tabs))
            print(json.dumps(cases[-1]), flush=True)
            five = five_sessions(browser, url, pid, log, args.repeat)
            cases.append(summary("five sessions press Run together (1e7, 4 parallel backends)", five))
            cases[-1]["note"] = five_note(five)
            print(json.dumps(cases[-1]), flush=True)
        opened, ran, whole = fresh_first_run(browser, log, args.repeat, returning=True)
        cases.append(summary("fresh server, returning browser: health → π page drawn", opened))
        cases.append(summary(f"fresh server: first Run of all {len(FAST)} fast backends → drawn", ran))
        first_results = f"fresh server, returning browser: command → first Run of {len(FAST)} backends drawn"
        cases.append(summary(f"{first_results} (`make run`)", whole))
        _, _, whole = fresh_first_run(browser, log, args.repeat, returning=True, launcher=False)
        cases.append(summary(f"{first_results} (`streamlit run app.py`)", whole))
        opened, _, _ = fresh_first_run(browser, log, args.repeat, returning=False)
        cases.append(summary("fresh server, new browser: health → π page drawn", opened))
        print(json.dumps(cases[-5:]), flush=True)
        browser.close()
    if args.json:
        Path(args.json).write_text(json.dumps(cases, indent=1))
    if args.write:
        sections.write("latency", section(cases))


if __name__ == "__main__":
    main()
