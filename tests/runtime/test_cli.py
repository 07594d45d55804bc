"""The command lines' language: ``--lang`` read before the parser is built (else ``LC_ALL``/``LANG``), so
that the ``--help`` of ``core.pi``, ``core.bench``, ``core.lessons`` and ``core.automl`` is all in it:
descriptions, argument help, and argparse's own ``usage:``, ``options:`` and ``-h``."""

import re

import pytest

from core.automl.cli.main import COMMANDS
from core.automl.cli.main import main as automl_main
from core.bench.__main__ import main as bench_main
from core.lessons.__main__ import main as lessons_main
from core.pi.__main__ import main as pi_main
from core.runtime.cli import language
from core.runtime.i18n import catalog_path
from tests.runtime.test_i18n import catalog
from tests.support.cli import run_here

MAINS = {
    "core.pi": pi_main,
    "core.bench": bench_main,
    "core.lessons": lessons_main,
    "core.automl": automl_main,
}
SPANISH = {  # a word of each description, as the Spanish help writes it
    "core.pi": "lista los backends, o ejecuta una estimación",
    "core.bench": "mide el tiempo de los backends",
    "core.lessons": "lista las lecciones, o ejecuta una",
    "core.automl": "un archivo de modelo leído estáticamente",
}


@pytest.fixture(autouse=True)
def english_environment(monkeypatch):
    monkeypatch.setenv("LC_ALL", "C.UTF-8")


def english_left(text: str) -> list[str]:
    """The English messages (the longest piece of each between placeholders) in ``text``, its lines joined
    as argparse wrapped them."""
    joined = " ".join(text.split())
    english = {m for m, es in catalog(catalog_path("es")).items() if es != m and " " in m}
    fragments = {" ".join(max(re.split(r"\{\w*\}", m), key=len).split()) for m in english}
    return sorted(f for f in fragments if " " in f and f in joined)


def help_of(main, *args: str, capsys) -> str:
    out = run_here(main, *args, "--help", capsys=capsys)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    return out.stdout


@pytest.mark.parametrize(
    ("argv", "env", "lang"),
    [
        (["--lang", "es"], {}, "es"),
        (["summary", "x", "--lang=es"], {}, "es"),
        (["--lang", "en"], {"LC_ALL": "es_CL.UTF-8"}, "en"),
        ([], {"LC_ALL": "es_CL.UTF-8"}, "es"),
        (["--lang", "fr"], {}, "en"),  # the parser then refuses fr
        (["--n", "1e6"], {}, "en"),
    ],
)
def test_the_language_is_read_before_the_parser(monkeypatch, argv, env, lang):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert language(argv) == lang


@pytest.mark.parametrize("command", MAINS)
def test_help_in_spanish_leaves_no_english_sentence(command, capsys):
    text = help_of(MAINS[command], "--lang", "es", capsys=capsys)
    assert SPANISH[command] in " ".join(text.split())
    assert text.startswith("uso: python -m " + command) and "opciones:" in text
    assert "muestra este mensaje de ayuda y termina" in text and "idioma de la salida legible" in " ".join(
        text.split()
    )
    assert not english_left(text), english_left(text)
    for argparse_words in ("usage:", "options:", "show this help message and exit"):
        assert argparse_words not in text


@pytest.mark.parametrize("command", COMMANDS.split(","))
def test_every_automl_commands_help_in_spanish(command, capsys):
    text = help_of(automl_main, command, "--lang", "es", capsys=capsys)
    assert text.startswith(f"uso: python -m core.automl {command}") and "--lang {es,en}" in text
    assert not english_left(text), english_left(text)


def test_help_in_spanish_from_the_environment_and_english_as_before(monkeypatch, capsys):
    monkeypatch.setenv("LC_ALL", "es_CL.UTF-8")
    assert "lista los backends y si cada uno funciona aquí" in help_of(pi_main, capsys=capsys)
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    english = help_of(pi_main, capsys=capsys)
    assert english.startswith("usage: python -m core.pi [-h] [--list]") and "options:" in english
    assert "list the backends and whether each runs here" in english
    assert "``python -m core.pi``: list the backends, or run one estimate and print it" in " ".join(
        english.split()
    )
    assert "-h, --help            show this help message and exit" in english


def test_an_error_of_a_command_line_in_spanish(capsys):
    out = run_here(lessons_main, "race", "-p", "trials=0", "--lang", "es", capsys=capsys)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == (
        "python -m core.lessons: error: intentos debe ser un número entero de 1 a 10, no 0\n"
    )
    out = run_here(lessons_main, "race", "-p", "trials", "--lang", "es", capsys=capsys)
    assert out.stderr.endswith("indica los parámetros como NOMBRE=VALOR, no 'trials'\n")
    out = run_here(lessons_main, "nope", "--lang", "es", capsys=capsys)
    assert "lección desconocida 'nope'; elige una de: processes," in out.stderr
    out = run_here(bench_main, "--backends", "numba", "--repeat", "0", "--lang", "es", capsys=capsys)
    assert out.returncode == 2 and out.stderr.endswith("repeat debe estar entre 1 y 100, no 0\n")


@pytest.mark.parametrize(
    ("main", "args", "spanish", "english"),
    [
        (pi_main, ["--n"], "argumento --n: se esperaba un argumento", "argument --n: expected one argument"),
        (pi_main, ["--seed", "x"], "argumento --seed: valor int no válido: 'x'", "invalid int value: 'x'"),
        (pi_main, ["--bogus"], "argumentos no reconocidos: --bogus", "unrecognized arguments: --bogus"),
        (
            automl_main,
            ["pull"],
            "se requiere uno de los argumentos --mlflow --azure",
            "one of the arguments --mlflow --azure is required",
        ),
        (
            automl_main,
            ["trigger", "x"],
            "faltan estos argumentos obligatorios: --experiment",
            "the following arguments are required: --experiment",
        ),
        (
            automl_main,
            ["nope"],
            "opción no válida: 'nope' (elige entre 'summary', 'table',",
            "invalid choice: 'nope' (choose from 'summary', 'table',",
        ),
    ],
)
def test_argparses_own_errors_in_spanish_and_as_before_in_english(main, args, spanish, english, capsys):
    es = run_here(main, *args, "--lang", "es", capsys=capsys)
    assert es.returncode == 2 and spanish in es.stderr and len(es.stderr.splitlines()) == 1, es.stderr
    en = run_here(main, *args, capsys=capsys)
    assert en.returncode == 2 and english in en.stderr and "argumento" not in en.stderr, en.stderr


def test_a_message_argparse_did_not_write_stays_as_it_is():
    from core.runtime.cli import argparse_message
    from core.runtime.i18n import translator

    assert argparse_message("give --list, or --backend NAME and --n N", translator("es")) == (
        "give --list, or --backend NAME and --n N"
    )
    assert argparse_message("argument --x: something else", translator("es")) == (
        "argumento --x: something else"
    )
