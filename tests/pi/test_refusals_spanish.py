"""An absurd request refused in the reader's language: on the π page (``?lang=es``) and by ``python -m
core.pi --lang es``, its numbers written the Spanish way; English as it always read; ``--json`` the same in
both languages."""

import json

from core.pi import executors
from core.pi.__main__ import main as pi_main
from core.pi.request import Request
from core.runtime.i18n import translator
from tests.support.apptest import app, press
from tests.support.cli import run_here

ES = translator("es")


def test_a_request_says_why_not_in_spanish():
    request = Request(backends=("numpy", "nope"), n=0, seed=1)
    assert request.refusals(_=ES) == {
        "numpy": "n debe ser un número entero de 1 a 1.000.000.000.000, no 0",
        "nope": "backend desconocido 'nope'; elige uno de: python, numpy, numba, numba_numpy, numpy_chunked, "
        "numba_parallel, multiprocessing, joblib, dask, ray, cupy",
    }
    assert request.refusals()["numpy"] == "n must be a whole number from 1 to 1,000,000,000,000, not 0"


def test_the_pi_page_refuses_more_workers_than_the_machine_takes_in_spanish(monkeypatch):
    monkeypatch.setattr(executors, "max_workers", lambda: 1)
    at = app("pages/pi_estimate.py", query={"lang": "es"})
    at.multiselect(key="pi_backends").set_value(["numpy"])
    at.slider(key="pi_workers").set_value(2)
    press(at, "Ejecutar")
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [
        "**numpy** rechazado antes de ejecutar: workers (en esta máquina) debe ser un número entero "
        "de 1 a 1, no 2"
    ]
    assert "pi_job" not in at.session_state


def test_the_cli_refuses_an_absurd_n_in_spanish_and_in_english(capsys):
    out = run_here(pi_main, "--backend", "numba", "--n", "1e13", "--lang", "es", capsys=capsys)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == (
        "python -m core.pi: error: n debe ser un número entero de 1 a 1.000.000.000.000, "
        "no 10000000000000,0\n"
    )
    out = run_here(pi_main, "--backend", "numba", "--n", "1e13", "--lang", "en", capsys=capsys)
    assert out.stderr == (
        "python -m core.pi: error: n must be a whole number from 1 to 1,000,000,000,000, "
        "not 10000000000000.0\n"
    )
    out = run_here(pi_main, "--backend", "numba", "--n", "lots", "--lang", "es", capsys=capsys)
    assert out.stderr.endswith("n debe ser un número entero, como 1000000 o 1e6, no 'lots'\n")
    out = run_here(pi_main, "--backend", "numba", "--lang", "es", capsys=capsys)
    assert out.stderr.endswith("error: usa --list, o --backend NOMBRE y --n N\n")


def test_the_clis_json_is_the_same_in_both_languages(capsys):
    docs = []
    for lang in ("es", "en"):
        out = run_here(
            pi_main,
            "--backend",
            "numpy",
            "--n",
            "1e4",
            "--seed",
            "3",
            "--json",
            "--lang",
            lang,
            capsys=capsys,
        )
        assert out.returncode == 0, out.stderr
        docs.append(json.loads(out.stdout))
    assert sorted(docs[0]) == sorted(docs[1])
    same = ("backend", "n", "inside", "pi", "seed", "workers")
    assert [{k: d[k] for k in same} for d in docs] == [{k: docs[1][k] for k in same}] * 2
    assert isinstance(docs[0]["pi"], float)
    listed = [
        run_here(pi_main, "--list", "--json", "--lang", lang, capsys=capsys).stdout for lang in ("es", "en")
    ]
    assert listed[0] == listed[1]
