"""The Benchmarks page and ``python -m core.bench`` in the course's language: after a sweep, Spanish text,
headers and numbers (decimal comma), figures with the Spanish separators; ``--json`` the same in every
language."""

import json

import pytest

from core.bench.__main__ import main as bench_main
from tests.lessons.test_spanish import english_left, readable_text
from tests.support.apptest import app, press, until


@pytest.mark.slow
def test_benchmarks_in_spanish_after_a_sweep_leave_no_english_sentence():
    at = app("pages/benchmarks.py", query={"lang": "es"})
    assert not at.exception, at.exception
    assert any("Elige backends y tamaños" in i.value for i in at.info)
    at.multiselect(key="bench_backends").set_value(["numpy", "numpy_chunked"])
    at.select_slider(key="bench_range").set_value((10**3, 10**4))
    at.slider(key="bench_repeat").set_value(1)
    press(at, "Ejecutar barrido")
    until(at, lambda a: "bench_job" not in a.session_state)
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == ["Tiempo", "Muestras/s", "Speed-up", "Datos y verificaciones"]
    assert any("exactamente los mismos puntos" in s.value for s in at.success)
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "backend",
        "n",
        "workers",
        "media (s)",
        "desv. (s)",
        "mejor (s)",
        "compilación (s)",
        "muestras/s",
        "aceleración",
    ]
    assert {"1e3", "2e3", "1e4"} <= set(table["n"])
    assert any("," in v for v in table["mejor (s)"]) and not any("." in v for v in table["mejor (s)"])
    assert "coinciden" in at.dataframe[1].value.columns
    figures = [json.loads(f.proto.spec) for f in at.get("plotly_chart")]
    assert [f["layout"]["separators"] for f in figures] == [",."] * 3
    assert figures[0]["layout"]["title"]["text"] == "Segundos por ejecución según N"
    assert figures[0]["layout"]["xaxis"]["title"]["text"] == "muestras n"
    left = english_left(readable_text(at))
    assert not left, f"English left on the Spanish Benchmarks page: {left}"


def test_benchmarks_in_english_read_as_before():
    at = app("pages/benchmarks.py", query={"lang": "en"})
    assert not at.exception, at.exception
    assert at.title[0].value == "⏱️ Benchmarks"
    assert [b.label for b in at.button] == ["Run sweep"]
    assert any("Pick backends and sizes" in i.value for i in at.info)


@pytest.mark.slow
def test_bench_cli_speaks_the_language_asked_and_json_never_changes(capsys):
    args = ["--backends", "numpy_chunked", "--n", "1e3", "--repeat", "2"]
    assert bench_main([*args, "--lang", "es"]) == 0
    header, row = capsys.readouterr().out.splitlines()[:2]
    assert header.split()[:4] == ["backend", "n", "media", "±"] and "mediciones ×" in row
    assert bench_main([*args, "--lang", "en"]) == 0
    assert "runs ×" in capsys.readouterr().out.splitlines()[1]
    docs = []
    for lang in ("es", "en"):
        assert bench_main([*args, "--json", "--lang", lang]) == 0
        docs.append(json.loads(capsys.readouterr().out))
    assert [sorted(d[0]) for d in docs] == [sorted(docs[1][0])] * 2  # the same English keys
    assert [(d[0]["backend"], d[0]["n"], d[0]["inside"]) for d in docs] == [
        ("numpy_chunked", 1000, docs[1][0]["inside"])
    ] * 2
    assert all(isinstance(d[0]["best_s"], float) for d in docs)  # Python's numbers, in every language
