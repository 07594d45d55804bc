"""The scaling lab: Amdahl's and Gustafson's laws recover a known serial fraction, every worker count counts
the same points (real runs), workers past the cores are marked, the command line (``--json``, ``--lang``),
a student's limits, and the Benchmarks page's lab in English and Spanish."""

import json
import os
import re

import numpy as np
import pytest

from core.bench import harness, scaling
from core.bench.__main__ import main as bench_main
from core.bench.fits import amdahl_speedup, fit_amdahl, fit_gustafson, gustafson_speedup
from core.bench.scaling import Plan, analyse, measure_points
from core.runtime.i18n import catalog_path
from tests.runtime.test_i18n import catalog, shown
from tests.support.apptest import app, press, until

WORKERS = list(range(1, 9))


def noisy(values, seed=1, spread=0.01):
    """``values`` each off by up to ±``spread`` (a measurement's noise), reproducibly."""
    rng = np.random.default_rng(seed)
    return [v * (1 + rng.uniform(-spread, spread)) for v in values]


@pytest.mark.parametrize("serial", [0.0, 0.05, 0.3])
def test_the_amdahl_fit_recovers_a_known_serial_fraction(serial):
    speedups = noisy([amdahl_speedup(p, serial) for p in WORKERS])
    fit = fit_amdahl(WORKERS, speedups)
    assert fit.law == "amdahl" and fit.points == len(WORKERS) - 1
    assert abs(fit.serial - serial) < 0.02
    assert 0 < fit.error < 0.02


@pytest.mark.parametrize("serial", [0.0, 0.1, 0.5])
def test_the_gustafson_fit_recovers_a_known_serial_fraction(serial):
    speedups = noisy([gustafson_speedup(p, serial) for p in WORKERS])
    fit = fit_gustafson(WORKERS, speedups)
    assert fit.law == "gustafson" and fit.points == len(WORKERS) - 1
    assert abs(fit.serial - serial) < 0.02
    assert 0 < fit.error < 0.02


def test_past_the_cores_the_laws_flatten_and_the_fit_still_recovers_s():
    speedups = [amdahl_speedup(p, 0.1, cores=4) for p in WORKERS]
    assert speedups[3:] == [speedups[3]] * 5  # 4 … 8 workers share 4 cores: flat
    assert abs(fit_amdahl(WORKERS, noisy(speedups), cores=4).serial - 0.1) < 0.02
    weak = noisy([gustafson_speedup(p, 0.2, cores=4) for p in WORKERS])
    assert abs(fit_gustafson(WORKERS, weak, cores=4).serial - 0.2) < 0.02


def test_a_single_point_fits_s_without_an_uncertainty_and_none_fits_nothing():
    fit = fit_amdahl([1, 2], [1.0, amdahl_speedup(2, 0.2)])
    assert abs(fit.serial - 0.2) < 1e-9 and fit.points == 1 and np.isnan(fit.error)
    assert fit_amdahl([1], [1.0]) is None and fit_gustafson([], []) is None


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["numba_parallel", "multiprocessing"])
def test_every_worker_count_counts_the_same_points_and_past_the_cores_is_marked(backend):
    plan = Plan(
        backend=backend, n=200_000, n_per_worker=50_000, workers=(1, 2, 3), repeat=1, target_s=0.01, cores=2
    )
    plan.check()
    points = measure_points(plan)
    strong = [p for p in points if p.kind == scaling.STRONG]
    assert [p.workers for p in strong] == [1, 2, 3]
    assert len({p.inside for p in strong}) == 1
    assert [p.beyond_cores for p in strong] == [False, False, True]
    assert [p.n for p in points if p.kind == scaling.WEAK] == [50_000, 100_000, 150_000]
    for point in points:  # each run's timeline: every sample of the run in one range or another
        assert sum(s.samples for s in point.spans) == point.n and "spans" not in point.to_dict()
    lab = analyse(points, cores=plan.cores)
    assert lab.same_count and lab.beyond_cores
    assert lab.amdahl is not None and lab.gustafson is not None
    assert "exactly the same points" in lab.count_check()
    assert any("beyond the 2 cores" in note for note in lab.notes())


def test_a_worker_count_that_counts_other_points_stops_the_lab(monkeypatch):
    measure = harness.measure

    def miscounting(backend, n, **kw):
        timing = measure(backend, n, **kw)
        return timing if kw["workers"] == 1 else harness.Timing(**timing.to_dict() | {"inside": 0})

    monkeypatch.setattr(scaling, "measure", miscounting)
    plan = Plan(backend="numba_parallel", n=10**4, n_per_worker=10**3, workers=(2,), repeat=1, target_s=1e-3)
    with pytest.raises(harness.Disagreement, match="must not depend on the workers"):
        measure_points(plan)


def test_a_cluster_named_by_the_operator_has_cores_of_its_own(monkeypatch):
    monkeypatch.delenv("PILAB_DASK_SCHEDULER", raising=False)
    monkeypatch.delenv("PILAB_RAY_ADDRESS", raising=False)
    assert scaling.cores_for("dask", scheduler=None, ray_address=None) == os.cpu_count()
    assert scaling.cores_for("dask", scheduler="tcp://10.0.0.5:8786", ray_address=None) is None
    assert scaling.cores_for("ray", scheduler=None, ray_address="10.0.0.5:6379") is None
    monkeypatch.setenv("PILAB_DASK_SCHEDULER", "tcp://10.0.0.5:8786")
    assert scaling.cores_for("dask", scheduler=None, ray_address=None) is None
    assert scaling.cores_for("numba_parallel", scheduler=None, ray_address=None) == os.cpu_count()
    lab = analyse([], cores=None)
    assert any("cores are not known here" in note for note in lab.notes())


def test_the_lab_takes_parallel_backends_only():
    with pytest.raises(ValueError, match="needs a parallel backend"):
        Plan(backend="numpy_chunked", n=1000, n_per_worker=1000, workers=(2,)).check()


@pytest.mark.slow
def test_the_cli_prints_json_in_english_keys_and_speaks_spanish(capsys):
    args = ["scaling", "--n", "1e5", "--n-per-worker", "2e4", "--workers", "1,3", "--repeat", "1"]
    args += ["--cores", "2"]
    docs = []
    for lang in ("es", "en"):
        assert bench_main([*args, "--json", "--lang", lang]) == 0
        docs.append(json.loads(capsys.readouterr().out))
    for doc in docs:
        assert sorted(doc) == ["amdahl", "backend", "cores", "gustafson", "rows", "same_count"]
        assert doc["same_count"] is True and doc["cores"] == 2
        assert [(r["kind"], r["workers"], r["beyond_cores"]) for r in doc["rows"]] == [
            ("strong", 1, False),
            ("strong", 3, True),
            ("weak", 1, False),
            ("weak", 3, True),
        ]
        assert isinstance(doc["amdahl"]["serial"], float) and isinstance(doc["rows"][0]["time_s"], float)
    assert bench_main([*args, "--lang", "es"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("numba_parallel: Amdahl (escalamiento fuerte): fracción serial s = ")
    assert "exactamente los mismos puntos" in out and "100.000" in out and "más allá de los 2 núcleos" in out
    assert bench_main([*args, "--lang", "en"]) == 0
    assert "exactly the same points" in capsys.readouterr().out


def test_the_benchmarks_section_names_each_backends_serial_fractions(tmp_path):
    from benchmarks import scaling as bench_scaling
    from benchmarks import sections

    point = dict(backend="numba_parallel", ran_on=1, inside=7, std_s=0.0, fixed_s=0.001, startup_s=0.0)
    points = [
        scaling.Point(
            kind=kind,
            workers=w,
            n=n * (w if kind == scaling.WEAK else 1),
            time_s=t,
            beyond_cores=False,
            **point,
        )
        for kind, n, times in (
            (scaling.STRONG, 10**6, (1.0, 0.55, 0.4)),
            (scaling.WEAK, 10**5, (1.0, 1.1, 1.2)),
        )
        for w, t in zip((1, 2, 3), times, strict=True)
    ]
    lab = analyse(points, cores=None)
    out = tmp_path / "BENCHMARKS.md"
    sections.write("scaling", bench_scaling.section([lab], n=10**6, n_per_worker=10**5, workers=3), out)
    text = out.read_text()
    assert "<!-- scaling:start -->" in text and "## Scaling (`python -m benchmarks.scaling`)" in text
    row = next(line for line in text.splitlines() if line.startswith("| numba_parallel |"))
    amdahl, gustafson = (cell.strip() for cell in row.split("|")[2:4])
    assert amdahl == f"{lab.amdahl.serial:.3f} ± {lab.amdahl.error:.3f}" and " ± " in gustafson
    assert row.endswith("| 2.50 | 1.00 | yes |")


def test_the_cli_refuses_bad_workers_in_one_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        bench_main(["scaling", "--workers", "0,x"])
    assert exit_.value.code == 2 and "--workers" in capsys.readouterr().err


def run_lab(lang: str, secrets: dict | None = None):
    at = app("pages/benchmarks.py", secrets=secrets, query={"lang": lang})
    at.radio(key="bench_view").set_value("scaling").run()
    assert not at.exception, at.exception
    at.selectbox(key="scaling_backend").set_value("numba_parallel")
    at.select_slider(key="scaling_n").set_value(10**4)
    at.select_slider(key="scaling_per").set_value(10**3)
    at.slider(key="scaling_workers").set_value(3)
    at.slider(key="scaling_repeat").set_value(1)
    return at


@pytest.mark.slow
def test_the_lab_on_the_page_in_english():
    at = run_lab("en")
    press(at, "Run the scaling lab")
    until(at, lambda a: "scaling_job" not in a.session_state)
    assert not at.exception, at.exception
    assert at.subheader[0].value.startswith("numba_parallel: Amdahl (strong scaling): serial fraction s = ")
    assert any("exactly the same points (" in s.value and "of 10,000)" in s.value for s in at.success)
    figures = [json.loads(f.proto.spec) for f in at.get("plotly_chart")]
    assert [f["layout"]["title"]["text"] for f in figures[:2]] == [
        "Speed-up against workers",
        "Efficiency against workers (1 is ideal)",
    ]
    assert figures[2]["layout"]["title"]["text"].startswith("numba_parallel: ")  # the first run's timeline
    assert at.selectbox(key="scaling_timeline").options[0] == "strong scaling, 1 worker(s), n = 10,000"
    names = [t["name"] for t in figures[0]["data"]]
    assert names[:2] == ["ideal", "strong scaling (measured)"]
    table = at.dataframe[0].value
    assert list(table["workers"]) == ["1", "2", "3"] * 2
    beyond = ["yes" if w > os.cpu_count() else "" for w in (1, 2, 3)]
    assert list(table["beyond_cores"]) == beyond * 2


@pytest.mark.slow
def test_the_lab_on_the_page_in_spanish_leaves_no_english_sentence():
    at = run_lab("es")
    press(at, "Ejecutar el laboratorio de escalamiento")
    until(at, lambda a: "scaling_job" not in a.session_state)
    assert not at.exception, at.exception
    text = shown(at)
    assert "fracción serial s = " in text and "Laboratorio de escalamiento" in text
    assert any("exactamente los mismos puntos" in s.value and "de 10.000)" in s.value for s in at.success)
    assert re.search(r"s = \d,\d{3}", at.subheader[0].value)  # the decimal comma
    table = at.dataframe[0].value
    assert {"tipo", "workers", "tiempo (s)", "eficiencia"} <= set(table.columns)
    assert {"escalamiento fuerte", "escalamiento débil"} == set(table["tipo"])
    figures = [json.loads(f.proto.spec) for f in at.get("plotly_chart")]
    assert [f["layout"]["separators"] for f in figures] == [",."] * 3  # speed-up, efficiency, timeline
    assert figures[0]["layout"]["title"]["text"] == "Speed-up según los workers"
    english = {m for m, es in catalog(catalog_path("es")).items() if es != m and " " in m}
    fragments = {max(re.split(r"\{\w*\}", m), key=len) for m in english}
    left = sorted(f for f in fragments if f in text)
    assert not left, f"English left on the Spanish scaling lab: {left}"


def test_a_student_runs_the_lab_within_the_servers_limits_and_names_no_cluster():
    at = run_lab("en", secrets={"pilab": {"locked": True, "student_max_n": 1000}})
    assert not [t for t in at.text_input if t.key.startswith("scaling_")], "a student names no cluster"
    press(at, "Run the scaling lab")
    assert "scaling_job" not in at.session_state
    assert any("students may run numba_parallel on up to 1e+03 samples" in w.value for w in at.warning)
