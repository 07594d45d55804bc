"""The task timeline: every backend that counts in ranges returns a span a range (each range once, its
samples adding up to n, on one clock, a worker named, several workers where several were asked for), the
count is the same with and without it, and its chart stays bounded; the π page's Timeline tab in Spanish and
in English."""

import json
import re

import pytest

from core.pi import BACKENDS, estimate, stream
from core.pi.timeline import MAX_BARS, Recorder, Span, bars, idle_share, lanes, stragglers
from tests.pi.test_page_in_spanish import english_left, run_in_spanish
from tests.runtime.test_i18n import shown
from tests.support.apptest import app, run_pi, until
from tests.support.dask_cluster import ProcessCluster
from ui.pi.timeline import caption, gantt

TIMED = [  # every parallel backend that runs here, and NumPy's chunks
    b
    for b, backend in BACKENDS.items()
    if (backend.parallel or b == "numpy_chunked") and not backend.why_unavailable()
]
N, CHUNK, SEED = 3_000_000, 1 << 18, 11


def expected_ranges(backend: str, workers: int) -> int:
    chunks = len(stream.split_range(N, CHUNK))
    return chunks * workers if backend == "numba_parallel" else chunks


def check_spans(e, *, ranges: int) -> None:
    spans = e.spans
    assert sorted(s.range_index for s in spans) == list(range(ranges)), "each range exactly once"
    assert sum(s.samples for s in spans) == e.n
    assert all(0 <= s.start <= s.end for s in spans)
    assert max(s.end for s in spans) <= e.elapsed_s + 0.05  # on the run's clock: within the run
    assert all(isinstance(s.worker, str) and s.worker for s in spans)


@pytest.mark.parametrize("backend", TIMED)
def test_every_range_is_one_span_and_the_count_is_the_same_without_them(backend):
    estimate(backend, N, seed=SEED, workers=2, chunk=CHUNK)  # warm: every worker of the pool up
    timed = estimate(backend, N, seed=SEED, workers=2, chunk=CHUNK)
    plain = estimate(backend, N, seed=SEED, workers=2, chunk=CHUNK, timeline=False)
    assert timed.inside == plain.inside and timed.pi == plain.pi
    assert plain.spans == ()
    check_spans(timed, ranges=expected_ranges(backend, timed.workers))
    assert "spans" not in timed.to_dict()  # the history and --json keep their keys


@pytest.mark.alone  # which worker takes a range is the machine's choice: under load one may take them all
@pytest.mark.parametrize("backend", [b for b in TIMED if b != "numpy_chunked"])
def test_a_parallel_run_on_two_workers_shows_two_lanes(backend):
    for _attempt in range(5):  # a pool's second worker may still be loading its kernel on the first run
        e = estimate(backend, 16 * N, seed=SEED, workers=2, chunk=CHUNK)  # 183 ranges to share
        if len(lanes(e.spans)) > 1:
            break
    assert len(lanes(e.spans)) == 2, lanes(e.spans)


def test_numba_parallel_names_its_threads_and_the_numpy_chunks_one_process():
    threads = estimate("numba_parallel", N, seed=SEED, workers=2, chunk=CHUNK)
    assert set(lanes(threads.spans)) == {"0", "1"}
    chunked = estimate("numpy_chunked", N, seed=SEED, chunk=CHUNK)
    assert len(lanes(chunked.spans)) == 1 and lanes(chunked.spans)[0].isdigit()


def test_the_lecture_backends_record_no_timeline():
    assert estimate("numba", 100_000, seed=SEED).spans == ()


@pytest.mark.slow
def test_a_dask_cluster_of_processes_names_its_workers():
    with ProcessCluster(workers=2) as cluster:
        e = estimate("dask", 8 * N, seed=SEED, chunk=CHUNK, scheduler=cluster.address)
        check_spans(e, ranges=len(stream.split_range(8 * N, CHUNK)))
        assert all(w.startswith("tcp://127.0.0.1:") for w in lanes(e.spans))
        assert len(lanes(e.spans)) == 2
        assert e.inside == estimate("numba_parallel", 8 * N, seed=SEED).inside


def spans_of(count: int, workers: int = 8) -> list[Span]:
    """``count`` back-to-back ranges of 1 ms shared round-robin by ``workers``, one of them 50 ms long."""
    spans, ends = [], [0.0] * workers
    for i in range(count):
        w = i % workers
        length = 0.05 if i == count // 2 else 0.001
        spans.append(Span(range_index=i, start=ends[w], end=ends[w] + length, worker=str(w), samples=10))
        ends[w] += length + 0.0002
    return spans


def test_stragglers_are_the_long_ranges_and_the_last_to_finish():
    spans = spans_of(100)
    slow = stragglers(spans)
    assert 50 in slow and len(slow) <= 2
    assert max(spans, key=lambda s: s.end).range_index in slow
    assert stragglers(spans[:1]) == set()


def test_idle_share_counts_the_gaps():
    two = [
        Span(range_index=0, start=0.0, end=1.0, worker="a", samples=1),
        Span(range_index=1, start=0.5, end=1.0, worker="b", samples=1),
    ]
    assert idle_share(two) == pytest.approx(0.25)
    assert idle_share([]) == 0.0


def test_the_recorder_keeps_times_relative_to_the_start():
    recorder = Recorder(limit=2)
    origin = recorder.origin
    recorder.add(range_index=1, start_ns=origin + 2_000_000, end_ns=origin + 3_000_000, worker="9", samples=5)
    recorder.add(range_index=0, start_ns=origin, end_ns=origin + 1_000_000, worker="9", samples=5)
    recorder.add(range_index=2, start_ns=origin, end_ns=origin + 1, worker="9", samples=5)  # past the limit
    first, second = recorder.spans()
    assert (first.range_index, first.start, first.end) == (0, 0.0, 0.001)
    assert (second.range_index, second.duration) == (1, pytest.approx(0.001))


def test_ten_thousand_ranges_draw_a_bounded_figure():
    spans = spans_of(10_000)
    drawn, group = bars(spans)
    assert len(drawn) <= MAX_BARS and group > 1
    assert sum(b.ranges for b in drawn) == 10_000 and sum(b.samples for b in drawn) == 100_000
    assert any(b.straggler for b in drawn)
    fig = gantt(spans, "multiprocessing")
    assert sum(len(t.x) for t in fig.data) <= MAX_BARS + len(drawn)
    assert len([t for t in fig.data if t.type == "bar"]) == 8  # a lane a worker, each its own colour
    assert len({t.marker.color for t in fig.data if t.type == "bar"}) == 8
    assert fig.layout.title.text == "multiprocessing: 10,000 ranges on 8 worker(s)"
    assert fig.data[0].name == "process 0"


def test_a_small_run_draws_a_bar_a_range():
    drawn, group = bars(spans_of(30, workers=3))
    assert group == 1 and len(drawn) == 30


def test_the_caption_says_when_bars_are_joined():
    from core.pi import Estimate

    e = estimate("numba_parallel", N, seed=SEED, workers=2, chunk=CHUNK)
    assert "joins" not in caption(e) and "one part a thread" in caption(e)
    many = Estimate(**{**e.to_dict(), "notes": (), "backend": "joblib", "spans": tuple(spans_of(10_000))})
    text = caption(many)
    assert "10,000 ranges drawn as" in text and "at most 2,000" in text and "prange" not in text


def test_the_timeline_tab_in_spanish():
    at = app("pages/pi_estimate.py", query={"lang": "es", "pi_view": "Timeline"})
    at = run_in_spanish(at, 10**7, ["numba_parallel", "numpy"], seed=3)
    until(at, lambda a: "pi_job" not in a.session_state)
    assert not at.exception, at.exception
    text = shown(at)
    assert "Línea de tiempo" in text and "Cada barra es un rango de índices" in text
    assert "Sin línea de tiempo para numpy" in text and "una parte por hilo" in text
    assert re.search(r"\d+,\d %", text), "the idle share written the Spanish way"
    assert not english_left(text), english_left(text)
    (chart,) = at.get("plotly_chart")
    figure = json.loads(chart.proto.spec)
    assert figure["layout"]["title"]["text"] == "numba_parallel: 2 rangos en 2 worker(s)"
    assert figure["layout"]["xaxis"]["title"]["text"] == "segundos desde el inicio de la ejecución"
    assert figure["layout"]["separators"] == ",."
    assert {t["name"] for t in figure["data"]} >= {"hilo 0", "hilo 1"}


def test_the_timeline_tab_in_english():
    at = app("pages/pi_estimate.py", query={"lang": "en", "pi_view": "Timeline"})
    at = run_pi(at, 10**7, ["numba_parallel", "numpy"], seed=3)
    until(at, lambda a: "pi_job" not in a.session_state)
    assert not at.exception, at.exception
    text = shown(at)
    assert "Each bar is one index range" in text and "No timeline for numpy" in text
    assert "Línea de tiempo" not in text
    (chart,) = at.get("plotly_chart")
    figure = json.loads(chart.proto.spec)
    assert figure["layout"]["title"]["text"] == "numba_parallel: 2 ranges on 2 worker(s)"
    assert {t["name"] for t in figure["data"]} >= {"thread 0", "thread 1"}


def test_the_command_line_prints_the_timeline_in_json_and_in_spanish(capsys):
    from core.pi.__main__ import main

    assert (
        main(
            ["--backend", "joblib", "--n", "3e6", "--seed", "11", "--chunk", "262144", "--timeline", "--json"]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert sorted(s["range_index"] for s in doc["spans"]) == list(range(12))
    assert sum(s["samples"] for s in doc["spans"]) == 3_000_000
    assert set(doc["spans"][0]) == {"range_index", "start", "end", "worker", "samples"}
    assert (
        main(["--backend", "numba_parallel", "--n", "3e6", "--seed", "11", "--timeline", "--lang", "es"]) == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(
        r"línea de tiempo: 2 rangos en 2 worker\(s\), inactivos el \d+,\d % de la ejecución, "
        r"\d rezagado\(s\)",
        lines[1],
    ), lines
    assert main(["--backend", "numba", "--n", "1e5", "--seed", "11", "--json"]) == 0
    assert "spans" not in json.loads(capsys.readouterr().out)  # without --timeline: the same keys as before


def test_the_benchmark_measures_the_cost_and_writes_its_section(tmp_path):
    from benchmarks import timeline as bench

    row = bench.measure("numba_parallel", 10**7, workers=2, repeat=1)
    assert row["ranges"] == 2 and row["run_s"] > 0 and 0 < row["per_range_us"] < 1000
    assert row["share"] == pytest.approx(row["per_range_us"] * 1e-6 * 2 / row["run_s"])
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n")
    bench.sections.write("timeline", bench.section([row], repeat=1), out)
    text = out.read_text()
    assert "<!-- timeline:start -->" in text and "| `numba_parallel` | 1e+07 | 2 | 2 |" in text
