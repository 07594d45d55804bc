"""A lesson's refused parameter said in the reader's language: on its tab (``?lang=es``) and by ``python -m
core.lessons --lang es``; English as it always read."""

import dataclasses

import pytest

from core.lessons import race
from core.lessons.__main__ import main as lessons_main
from core.runtime.checks import bounded
from tests.support.apptest import app
from tests.support.cli import run_here


@pytest.fixture(autouse=True)
def english_environment(monkeypatch):
    monkeypatch.setenv("LC_ALL", "C.UTF-8")  # only --lang names a language


def refusing(processes: int = 3, increments: int = 30_000, trials: int = 3):
    bounded(0, low=1, high=10, what="trials")


def test_a_refused_parameter_on_the_lessons_tab_in_spanish_and_english(monkeypatch):
    monkeypatch.setattr(race, "LESSON", dataclasses.replace(race.LESSON, function=refusing, isolated=False))
    errors = {}
    for lang in ("es", "en"):
        at = app("pages/parallelism.py", query={"lang": lang, "lesson": "Race and Lock"})
        at.button(key="run:race").click().run()
        assert not at.exception, at.exception
        errors[lang] = at.error[0].value
    assert errors["es"].endswith(": ValueError: intentos debe ser un número entero de 1 a 10, no 0")
    assert errors["en"] == (
        "A shared Value: race and Lock failed: ValueError: trials must be a whole number from 1 to 10, not 0"
    )


def test_the_cli_refuses_a_bad_parameter_in_spanish(capsys):
    out = run_here(lessons_main, "race", "-p", "nope=1", "--lang", "es", capsys=capsys)
    assert out.returncode == 2 and out.stderr == (
        "python -m core.lessons: error: la lección 'race' no tiene el parámetro 'nope'; acepta: processes, "
        "increments, trials\n"
    )
    english = run_here(lessons_main, "race", "-p", "nope=1", capsys=capsys).stderr
    assert english.endswith(
        "lesson 'race' has no parameter 'nope'; it takes: processes, increments, trials\n"
    )
    out = run_here(lessons_main, "race", "-p", "trials=x", "--lang", "es", capsys=capsys)
    assert out.stderr.endswith("los valores de los parámetros son números, no 'x'\n")
