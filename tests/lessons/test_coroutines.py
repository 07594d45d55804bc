"""The coroutines lesson: awaited one by one, N requests take N latencies; with ``asyncio.gather`` about one;
with ``Semaphore(k)`` or k threads about ⌈N/k⌉; its server closed after the run; the lesson from the command
line, on the page in both languages, and as a notebook."""

import asyncio
import itertools
import json
import math
import re
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import nbformat
import psutil
import pytest

from core.lessons import MODULES, get
from core.lessons.__main__ import main
from core.lessons.coroutines import CoroutinesResult, most_at_once, run_coroutine
from core.lessons.notebook import lesson_notebook, standalone
from core.runtime.i18n import translator
from tests.lessons.test_spanish import english_left, readable_text
from tests.support.apptest import app, run_lesson
from tests.support.notebooks import execute, markdown, printed

REQUESTS, LATENCY_MS, LIMIT = 20, 100, 5

PLACE = list(MODULES).index("coroutines") + 1  # its number on the lessons page


@pytest.fixture(scope="module")
def measured() -> CoroutinesResult:
    return get("coroutines").run(requests=REQUESTS, latency_ms=LATENCY_MS, limit=LIMIT)


def listening(port: int) -> bool:
    """Whether this process still listens on ``port``."""
    return any(
        c.status == psutil.CONN_LISTEN and c.laddr.port == port
        for c in psutil.Process().net_connections(kind="tcp")
    )


def test_one_at_a_time_takes_n_latencies_and_gather_about_one(measured):
    latency = LATENCY_MS / 1000
    assert measured.one_at_a_time_s >= 0.8 * REQUESTS * latency
    assert 0.8 * latency <= measured.gather_s < 0.3 * measured.one_at_a_time_s
    waves = math.ceil(REQUESTS / LIMIT)  # 4 latencies, k requests in flight at a time
    for seconds in (measured.semaphore_s, measured.threads_s):
        assert 0.8 * waves * latency <= seconds < 0.6 * measured.one_at_a_time_s
    ways = {row["way"]: row for row in measured.rows()}
    assert list(ways) == ["one at a time", "asyncio.gather", "Semaphore(5)", "ThreadPoolExecutor(5)"]
    assert [row["expected latencies"] for row in ways.values()] == [REQUESTS, 1, waves, waves]
    assert ways["one at a time"]["most at once"] == 1
    assert ways["asyncio.gather"]["most at once"] > REQUESTS / 2
    assert 1 < ways["Semaphore(5)"]["most at once"] <= LIMIT  # the semaphore's bound is a guarantee
    assert ways["ThreadPoolExecutor(5)"]["most at once"] <= LIMIT
    # concurrency, not parallelism: every coroutine ran on one thread; the pool spread its on up to k
    assert [row["threads"] for row in ways.values()][:3] == [1, 1, 1]
    assert 1 < ways["ThreadPoolExecutor(5)"]["threads"] <= LIMIT


def test_the_timeline_has_every_request_of_every_way(measured):
    timeline = measured.timeline
    assert len(timeline) == 4 * REQUESTS and len(measured.chart_rows()) == 4 * REQUESTS
    for way in measured.WAYS:
        spans = [t for t in timeline if t["way"] == way]
        assert [t["request"] for t in spans] == list(range(1, REQUESTS + 1))
        assert all(0 <= t["start_s"] < t["end_s"] <= measured.seconds(way) for t in spans)
    queued = [t for t in timeline if t["way"] == "one_at_a_time"]
    assert all(a["end_s"] <= b["start_s"] for a, b in itertools.pairwise(queued))
    rows = measured.chart_rows()
    assert rows[0]["request"] == "one at a time · #1" and rows[-1]["request"] == "ThreadPoolExecutor(5) · #20"


def test_most_at_once_counts_overlapping_spans():
    spans = [{"start_s": 0, "end_s": 1}, {"start_s": 0.5, "end_s": 2}, {"start_s": 1, "end_s": 3}]
    assert most_at_once(spans) == 2  # one ends as the third starts
    assert most_at_once([]) == 0


def test_the_server_is_closed_after_the_lesson_and_no_thread_is_left():
    threads = threading.active_count()
    r = get("coroutines").run(requests=3, latency_ms=5, limit=2)
    assert r.port > 0 and not listening(r.port)
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", r.port), timeout=2):
        pass
    assert threading.active_count() == threads


def test_it_runs_where_an_event_loop_is_already_running_as_in_jupyter():
    async def inside_a_loop() -> CoroutinesResult:
        return get("coroutines").run(requests=4, latency_ms=20, limit=2)

    # A thread of its own: a session's sync Playwright keeps a loop running in the main thread.
    with ThreadPoolExecutor(max_workers=1) as fresh_thread:
        r = fresh_thread.submit(asyncio.run, inside_a_loop()).result(timeout=60)
    assert r.gather_s < r.one_at_a_time_s and len(r.timeline) == 16
    assert run_coroutine(lambda: asyncio.sleep(0, result=7), timeout=1) == 7


def test_its_parameters_are_bounded():
    lesson = get("coroutines")
    assert lesson.defaults() == {"requests": 20, "latency_ms": 100, "limit": 5}
    for bad, message in (
        ({"requests": 201}, "requests must be a whole number from 1 to 200, not 201"),
        ({"latency_ms": 0}, "latency_ms must be a whole number from 1 to 1,000, not 0"),
        ({"limit": 51}, "limit must be a whole number from 1 to 50, not 51"),
    ):
        with pytest.raises(ValueError, match=message):
            lesson.check(bad)


def test_the_figure_stays_bounded_at_the_most_requests():
    from ui.lessons.charts import figure

    timeline = [
        {"way": way, "request": n, "start_s": 0.0, "end_s": 1.0, "thread": 1}
        for way in CoroutinesResult.WAYS
        for n in range(1, 201)
    ]
    result = CoroutinesResult(
        requests=200,
        latency_ms=1000,
        limit=50,
        port=1,
        one_at_a_time_s=200.0,
        gather_s=1.0,
        semaphore_s=4.0,
        threads_s=4.0,
        timeline=timeline,
    )
    fig = figure(result, _=translator("es"))
    assert sum(len(trace.y) for trace in fig.data) == 800 and len(fig.to_json()) < 200_000
    assert fig.layout.xaxis.title.text == "segundos desde que empezó cada forma"


def test_cli_runs_it_as_json_in_english_and_speaks_spanish(capsys):
    params = ["-p", "requests=4", "-p", "latency_ms=10", "-p", "limit=2"]
    assert main(["coroutines", *params, "--json", "--lang", "es"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["lesson"] == "coroutines" and doc["params"] == {"requests": 4, "latency_ms": 10, "limit": 2}
    assert doc["headline"].startswith("4 requests to a server that answers after 10 ms: one at a time ")
    assert set(doc["table"][0]) == {
        "way",
        "seconds",
        "latencies",
        "expected latencies",
        "most at once",
        "threads",
    }
    assert len(doc["timeline"]) == 16 and isinstance(doc["gather_s"], float)
    assert main(["coroutines", *params, "--lang", "es"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Corrutinas: esperar muchas solicitudes a la vez: 4 solicitudes a un servidor ")
    assert "de a uno" in out and "hilos" in out.splitlines()[1]


def run_tab(lang: str):
    at = app("pages/parallelism.py", query={"lang": lang, "lesson": "Coroutines"})
    assert not at.exception, at.exception
    at.number_input(key="coroutines:requests").set_value(10)
    at.number_input(key="coroutines:latency_ms").set_value(20)
    run_lesson(at, "coroutines")
    assert not at.exception and not at.error, at.exception or at.error
    return at


def test_the_tab_in_english_runs_the_lesson():
    at = run_tab("en")
    assert [s.value for s in at.subheader] == [f"{PLACE}. Coroutines: waiting on many requests at once"]
    assert [n.label for n in at.number_input] == ["requests", "latency (ms)", "at most at once"]
    assert at.success[0].value.startswith("10 requests to a server that answers after 20 ms: one at a time ")
    assert [m.label for m in at.metric] == [
        "one at a time",
        "asyncio.gather",
        "Semaphore(5)",
        "ThreadPoolExecutor(5)",
    ]
    assert all(re.fullmatch(r"\d+\.\d\d s", m.value) for m in at.metric), [m.value for m in at.metric]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {t["name"] for t in spec["data"]} == {
        "one at a time",
        "asyncio.gather",
        "Semaphore(5)",
        "ThreadPoolExecutor(5)",
    }
    assert spec["layout"]["xaxis"]["title"]["text"] == "seconds since each way began"
    assert "That is concurrency, not parallelism" in readable_text(at)
    assert "async def one_at_a_time(" in at.code[0].value and "def coroutines(" in at.code[0].value
    (button,) = at.get("download_button")
    assert button.proto.label == "Download as notebook"


def test_the_tab_in_spanish_leaves_no_english_sentence():
    at = run_tab("es")
    assert [s.value for s in at.subheader] == [f"{PLACE}. Corrutinas: esperar muchas solicitudes a la vez"]
    assert [t.label for t in at.tabs][PLACE - 1] == "Corrutinas"
    assert [n.label for n in at.number_input] == ["solicitudes", "latencia (ms)", "a lo más a la vez"]
    headline = at.success[0].value
    assert headline.startswith("10 solicitudes a un servidor que responde después de 20 ms: de a uno "), (
        headline
    )
    assert re.search(r"asyncio\.gather \d+,\d\d s", headline)
    assert at.metric[0].label == "de a uno"
    assert all(re.fullmatch(r"\d+,\d\d s", m.value) for m in at.metric), [m.value for m in at.metric]
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "forma",
        "segundos",
        "latencias",
        "latencias esperadas",
        "máximo a la vez",
        "hilos",
    ]
    assert table["forma"].iloc[0] == "de a uno" and all("," in v for v in table["segundos"])
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["separators"] == ",." and "de a uno" in {t["name"] for t in spec["data"]}
    text = readable_text(at)
    assert (
        "concurrencia, no paralelismo" in text and "corrutinas para esperar, procesos para calcular" in text
    )
    left = english_left(text)
    assert not left, f"English left on the Spanish coroutines tab: {left}"
    assert at.query_params["lesson"] == "Coroutines"
    (button,) = at.get("download_button")
    assert button.proto.label == "Descargar como notebook"


NOTEBOOK_RUN = CoroutinesResult(
    requests=4,
    latency_ms=10,
    limit=2,
    port=1,
    one_at_a_time_s=0.04,
    gather_s=0.01,
    semaphore_s=0.02,
    threads_s=0.02,
)


def test_its_notebook_holds_its_code_and_speaks_spanish():
    lesson = get("coroutines")
    assert standalone(lesson)
    params = lesson.check({"requests": 4, "latency_ms": 10, "limit": 2})
    book = nbformat.reads(lesson_notebook(lesson, params, NOTEBOOK_RUN, _=translator("es")), 4)
    nbformat.validate(book)
    code = "\n".join(c.source for c in book.cells if c.cell_type == "code")
    assert not re.search(r"^\s*(from|import) core\b", code, re.MULTILINE)
    assert "async def at_most(" in code and "class SlowServer:" in code
    assert "concurrencia, no paralelismo" in markdown(book)
    assert book.cells[-2].outputs[0].text.startswith("4 solicitudes a un servidor")


@pytest.mark.slow
def test_its_notebook_runs_top_to_bottom_in_jupyters_running_event_loop(tmp_path):
    lesson = get("coroutines")
    params = lesson.check({"requests": 4, "latency_ms": 10, "limit": 2})
    out = printed(execute(lesson_notebook(lesson, params, NOTEBOOK_RUN), tmp_path).cells[-2])
    assert out.startswith("4 requests to a server that answers after 10 ms: one at a time ")
    assert "asyncio.gather:" in out and (tmp_path / "pilab_coroutines.py").exists()
