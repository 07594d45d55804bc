"""The lessons in the course's language: the page in Spanish after a Run (headline, metrics, table headers,
numbers written the Spanish way, no English sentence left apart from code), the link's English label opening
the same tab, and ``python -m core.lessons --lang es`` (``--json`` the same in every language)."""

import json
import re

from core.lessons.__main__ import main
from core.runtime.i18n import catalog_path, language_from_env
from tests.runtime.test_i18n import catalog, shown
from tests.support.apptest import app, run_lesson


def readable_text(at) -> str:
    """Everything a person reads on the page, apart from code shown as the lecture wrote it."""
    return shown(at, code=False)


def english_left(text: str) -> list[str]:
    """The English messages (the longest piece of each, between placeholders) found in ``text``."""
    english = {m for m, es in catalog(catalog_path("es")).items() if es != m and " " in m}
    fragments = {max(re.split(r"\{\w*\}", m), key=len) for m in english}
    return sorted(f for f in fragments if " " in f.strip() and f in text)  # " of " is no sentence


def test_a_lesson_in_spanish_after_a_run_leaves_no_english_sentence():
    at = app("pages/parallelism.py", query={"lang": "es", "lesson": "Processes"})  # the link's English label
    assert not at.exception, at.exception
    assert at.title[0].value == "🧵 Lecciones de paralelismo"
    assert [t.label for t in at.tabs][:4] == ["Procesos", "Pool vs map", "map vs apply", "Carrera y Lock"]
    assert [s.value for s in at.subheader] == ["1. Procesos durmiendo en paralelo"]
    at.number_input(key="processes:processes").set_value(2)
    at.number_input(key="processes:seconds").set_value(0.05)
    run_lesson(at, "processes")
    assert not at.exception and not at.error, at.exception or at.error
    headline = at.success[0].value
    assert headline.startswith("2 procesos durmiendo 0,05 s cada uno tardaron "), headline
    assert "(0,1 s de sueño en total)" in headline
    assert [m.label for m in at.metric] == ["iniciados juntos", "de a uno", "sueño en total"]
    assert all(re.fullmatch(r"\d+,\d\d s", m.value) for m in at.metric[:2]), [m.value for m in at.metric]
    table = at.dataframe[0].value
    assert list(table.columns) == ["ejecución", "proceso", "pid", "start_s", "end_s", "despertó"]
    assert set(table["ejecución"]) == {"juntos", "de a uno"}
    assert all("," in v for v in table["start_s"])  # numbers as text, with a decimal comma
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {trace["name"] for trace in spec["data"]} == {"juntos", "de a uno"}
    assert spec["layout"]["separators"] == ",."
    text = readable_text(at)
    assert "**Por qué.**" in text and "Parámetros" in text and "El código" in text
    left = english_left(text)
    assert not left, f"English left on the Spanish lessons page: {left}"
    assert at.query_params["lesson"] == "Processes"  # the link stays the same in every language


def test_every_lesson_tab_in_spanish_reads_spanish_before_a_run():
    at = app("pages/parallelism.py", query={"lang": "es", "lesson": "Race and Lock"})
    assert not at.exception, at.exception
    assert [s.value for s in at.subheader] == ["4. Un Value compartido: carrera y Lock"]
    labels = [n.label for n in at.number_input]
    assert labels == ["procesos", "incrementos", "intentos"]
    assert at.number_input[1].value == 30_000
    text = readable_text(at)
    assert "Presiona Ejecutar para medirla aquí." in text
    assert not english_left(text)


def test_the_lessons_page_in_english_reads_as_before():
    at = app("pages/parallelism.py", query={"lang": "en", "lesson": "Race and Lock"})
    assert at.title[0].value == "🧵 Parallelism lessons"
    assert [s.value for s in at.subheader] == ["4. A shared Value: race and Lock"]
    assert [n.label for n in at.number_input] == ["processes", "increments", "trials"]


def test_cli_speaks_the_language_asked_and_json_never_changes(capsys):
    assert main(["--lang", "es"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("processes      Procesos durmiendo en paralelo")
    assert main(["--lang", "en"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("processes      Processes sleeping in parallel")
    outputs = []
    for lang in ("es", "en"):
        assert main(["--json", "--lang", lang]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]


def test_cli_runs_a_lesson_in_spanish_and_its_json_stays_english(capsys):
    params = ["-p", "processes=1", "-p", "seconds=0.05"]
    assert main(["processes", *params, "--lang", "es"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Procesos durmiendo en paralelo: 1 procesos durmiendo 0,05 s cada uno")
    assert "ejecución" in out.splitlines()[1]  # the table's headers
    assert main(["processes", *params, "--json", "--lang", "es"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["headline"].startswith("1 processes sleeping 0.05 s each took ")
    assert set(doc["table"][0]) == {"run", "process", "pid", "start_s", "end_s", "woke"}


def test_the_command_lines_language_comes_from_the_environment():
    assert language_from_env({"LANG": "es_CL.UTF-8"}) == "es"
    assert language_from_env({"LC_ALL": "en_US.UTF-8", "LANG": "es_CL.UTF-8"}) == "en"
    assert language_from_env({"LANG": "fr_FR.UTF-8"}) == "en"
    assert language_from_env({}) == "en"


def test_a_lessons_text_cells_read_in_the_language_and_other_values_stay():
    from core.runtime.i18n import translator
    from ui.lessons.charts import cell

    es = translator("es")
    assert [cell(v, es) for v in ("together · #2", "trial 3", "50,000 tiny", "8 heavy")] == [
        "juntos · #2",
        "intento 3",
        "50.000 diminutas",
        "8 pesadas",
    ]
    assert [cell(v, es) for v in ("Pool(4).map", "np.random (global)", 7)] == [
        "Pool(4).map",
        "np.random (global)",
        7,
    ]
    assert cell("50,000 tiny", translator("en")) == "50,000 tiny"


def test_every_lesson_tab_opens_in_spanish_from_its_english_link():
    from core.lessons import lessons

    for number, lesson in enumerate(lessons().values(), 1):
        at = app("pages/parallelism.py", query={"lang": "es", "lesson": lesson.label})
        assert not at.exception, at.exception
        assert len(at.subheader) == 1 and at.subheader[0].value.startswith(f"{number}. ")
        left = english_left(readable_text(at))
        assert not left, f"English left on the Spanish tab of {lesson.name}: {left}"


def test_a_lesson_that_runs_in_the_server_in_spanish():
    at = app("pages/parallelism.py", query={"lang": "es", "lesson": "Numba and pandas"})
    run_lesson(at, "numba_pandas")
    assert not at.exception and not at.error, at.exception or at.error
    assert (
        at.success[0].value.startswith("Numba ")
        and "rechazó 2 de 2 llamadas con pandas:" in at.success[0].value
    )
    assert at.metric[0].label == "llamadas con pandas rechazadas" and at.metric[0].value == "2 de 2"
    assert re.fullmatch(r"\d+(\.\d{3})* µs", at.metric[1].value) and "," in at.metric[2].value
    assert list(at.dataframe[0].value.columns) == ["llamada", "error", "motivo"]
    assert not english_left(readable_text(at))
