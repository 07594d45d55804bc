"""The course in its own language: the catalogs hold every message the code shows (and nothing else) with its
placeholders, numbers are written each language's way, and the Home page reads in Spanish or English, kept
in the URL."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from google.protobuf import text_format

from core.pi import BACKENDS
from core.pi.backends import backend_rows
from core.runtime.access import Settings
from core.runtime.cli import Parser, add_lang_argument
from core.runtime.i18n import (
    LANGUAGES,
    catalog_path,
    default_language,
    language_from_env,
    number,
    translator,
)
from core.runtime.passcode import PasscodeGate
from tests.support.apptest import app

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = [catalog_path(lang) for lang in LANGUAGES] + [ROOT / "locales" / "pilab.pot"]


def extracted() -> set[str]:
    """Every message of the code, as ``make messages`` extracts it (babel.cfg over app.py, core/, ui/,
    pages/)."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {message for _, message, _, _ in extract_from_file("python", ROOT / "app.py")}
    for folder in ("core", "ui", "pages"):
        messages = extract_from_dir(ROOT / folder, method_map=method_map, options_map=options_map)
        found |= {message for _, _, message, _, _ in messages}
    assert all(isinstance(m, str) for m in found), "plural messages: the checks below would need them"
    return found


def catalog(path: Path) -> dict[str, str]:
    """A catalog's messages (msgid → msgstr), its header left out."""
    with path.open("rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id}


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_the_languages_are_the_catalogs_on_disk():
    assert LANGUAGES == ("es", "en")
    on_disk = sorted(p.parents[1].name for p in (ROOT / "locales").glob("*/LC_MESSAGES/pilab.po"))
    assert on_disk == ["en", "es"]


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_catalog_holds_exactly_the_messages_of_the_code(path):
    code, held = extracted(), set(catalog(path))
    assert not code - held, f"messages with no entry here (run make messages): {sorted(code - held)}"
    assert not held - code, f"messages the code no longer uses (make messages): {sorted(held - code)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang):
    untranslated = sorted(m for m, text in catalog(catalog_path(lang)).items() if not text)
    assert not untranslated, f"no {lang} translation for: {untranslated}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_translation_keeps_the_placeholders_of_its_message(lang):
    entries = catalog(catalog_path(lang))
    changed = {m: text for m, text in entries.items() if text and placeholders(m) != placeholders(text)}
    assert not changed, f"{lang} translations that drop or add a {{placeholder}}: {changed}"


def test_the_placeholder_check_sees_a_dropped_or_added_one():
    assert placeholders("{available} of {total} run here") == {"available", "total"}
    assert placeholders("{available} de {totales}") != placeholders("{available} of {total}")
    assert placeholders("no placeholder") == set()


def test_a_translation_fills_its_placeholders_after_translating():
    es, en = translator("es"), translator("en")
    message = "{available} of {total} backends run here. The same table: `python -m core.pi --list`."
    assert es(message, available="3", total="11").startswith("3 de 11 backends funcionan aquí.")
    assert en(message, available="3", total="11").startswith("3 of 11 backends run here.")
    assert es("not a message of the code {x}", x=1) == "not a message of the code 1"  # as written
    assert translator("fr") is not None and translator("fr")("Unlock") == "Unlock"  # English


@pytest.mark.parametrize(
    ("lang", "pi", "ten_million", "two_decimals"),
    [("es", "3,141593", "10.000.000", "12.345,50"), ("en", "3.141593", "10,000,000", "12,345.50")],
)
def test_numbers_are_written_the_languages_way(lang, pi, ten_million, two_decimals):
    assert number(3.141593, lang) == pi
    assert number(10_000_000, lang) == ten_million
    assert number(12345.5, lang, decimals=2) == two_decimals
    assert number(7, lang, decimals=0) == "7"


def test_the_starting_language_is_the_operators_else_the_browsers_else_english():
    assert default_language(setting="es", browser="en-US") == "es"
    assert default_language(setting=None, browser="es-CL") == "es"
    assert default_language(setting=None, browser="en_GB") == "en"
    assert default_language(setting=None, browser="fr-FR") == "en"
    assert default_language() == "en"


def test_the_operators_language_comes_from_secrets_or_the_environment_and_is_checked():
    assert Settings.from_mapping({"language": "es"}, env={}).language == "es"
    assert Settings.from_mapping({}, env={"PILAB_LANGUAGE": "EN"}).language == "en"
    assert Settings.from_mapping({}, env={}).language is None
    with pytest.raises(ValueError, match=r"\[pilab\] language must be one of es, en, not 'fr'"):
        Settings.from_mapping({"language": "fr"}, env={})


def test_the_passcode_gate_answers_in_the_visitors_language():
    now = [0.0]
    gate = PasscodeGate(clock=lambda: now[0])
    assert gate.attempt("guess", "secret", "me", _=translator("es")) == (
        False,
        "código incorrecto; podrás volver a intentarlo en 1 s",
    )
    too_soon = gate.attempt("secret", "secret", "me", _=translator("es"))[1]
    assert too_soon == "demasiados intentos fallidos: espera 1 s antes del siguiente"
    assert gate.attempt("x", None, "me", _=translator("es"))[1].startswith("este servidor no tiene un código")


def shown(at, *, code: bool = True) -> str:
    """Everything the page sent, as readable text (UTF-8, quotes unescaped), sidebar included; without the
    code blocks (shown as the lecture wrote it) where not ``code``."""
    found = []

    def walk(node) -> None:
        if not code and getattr(node, "type", None) == "code":
            return
        proto = getattr(node, "proto", None)
        if proto is not None:
            found.append(text_format.MessageToString(proto, as_utf8=True).replace("\\'", "'"))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    return "\n".join(found)


def test_home_in_spanish_leaves_no_english_sentence():
    at = app(query={"lang": "es"})
    assert not at.exception, at.exception
    text = shown(at)
    assert "Lanza **N** puntos al azar" in text and "Backends en esta máquina" in text
    assert "Idioma" in text and "Iniciar sesión" not in text  # the operator's: no unlock form on loopback
    english = {m for m, es in catalog(catalog_path("es")).items() if es != m and " " in m}
    fragments = {max(re.split(r"\{\w*\}", m), key=len) for m in english}  # the longest piece of each
    left = sorted(f for f in fragments if f in text)
    assert not left, f"English left on the Spanish Home page: {left}"
    table = at.dataframe[0].value
    columns = ["backend", "tipo", "paralelo", "disponible", "N máximo", "cómo", "por qué no aquí"]
    assert list(table.columns) == columns
    assert list(table["backend"]) == list(BACKENDS)  # names stay as they are
    summaries = {r["summary"] for r in backend_rows()}
    assert not summaries & set(table["cómo"]), "a backend's summary left in English"
    assert {*table["tipo"]} <= {"clase", "rápido", "GPU"}
    (caption,) = [c.value for c in at.caption if "backends funcionan aquí" in c.value]
    assert caption.endswith("La misma tabla: `python -m core.pi --list`.")


def test_a_student_sees_the_unlock_form_in_spanish():
    at = app(secrets={"pilab": {"locked": True}}, query={"lang": "es"})
    text = shown(at)
    assert "Vista de estudiante" in text and "Código de operador" in text and "Desbloquear" in text
    assert "Student view" not in text and "Operator passcode" not in text


def test_home_is_in_english_where_nothing_names_a_language():
    at = app()
    assert at.radio(key="pilab_lang").value == "en"
    assert "Backends on this machine" in shown(at) and "lang" not in at.query_params


def test_the_switch_puts_the_language_in_the_url_keeps_it_on_other_pages_and_keeps_widget_values():
    at = app("pages/automl.py")
    at.radio(key="automl_source").set_value("upload").run()
    at.radio(key="pilab_lang").set_value("es").run()
    assert not at.exception, at.exception
    assert at.query_params["lang"] in ("es", ["es"])
    assert at.radio(key="automl_source").value == "upload"  # switching changed labels only
    at.switch_page("pages/home.py").run()
    assert at.query_params["lang"] in ("es", ["es"])
    assert "Backends en esta máquina" in shown(at)
    at.radio(key="pilab_lang").set_value("en").run()
    assert at.query_params["lang"] in ("en", ["en"]) and "Backends on this machine" in shown(at)


def test_the_operators_language_is_where_a_visitor_starts_and_a_link_still_wins():
    at = app(secrets={"pilab": {"language": "es"}})
    assert at.radio(key="pilab_lang").value == "es" and "Backends en esta máquina" in shown(at)
    assert "lang" not in at.query_params  # nobody chose: the URL stays as it was
    linked = app(secrets={"pilab": {"language": "es"}}, query={"lang": "en"})
    assert "Backends on this machine" in shown(linked)


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({"LANG": "es_CL.UTF-8"}, "es"),
        ({"LC_ALL": "es_ES", "LANG": "en_US.UTF-8"}, "es"),
        ({"LC_ALL": "C.UTF-8", "LANG": "es_CL.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_a_command_lines_language_comes_from_lc_all_then_lang(env, lang):
    assert language_from_env(env) == lang


def test_lang_argument_defaults_to_the_environments_language_and_takes_es_or_en(monkeypatch):
    monkeypatch.setenv("LC_ALL", "es_CL.UTF-8")
    parser = Parser(prog="t")
    add_lang_argument(parser)
    assert parser.parse_args([]).lang == "es"
    assert parser.parse_args(["--lang", "en"]).lang == "en"
    monkeypatch.setenv("LC_ALL", "C")
    parser = Parser(prog="t")
    add_lang_argument(parser)
    assert parser.parse_args([]).lang == "en"
    with pytest.raises(SystemExit):
        parser.parse_args(["--lang", "fr"])
