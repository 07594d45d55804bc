"""The π page and the runtime panels in Spanish (``?lang=es``): no English sentence left, Spanish numbers
(3,14; 10.000.000) in the cards, tables and figures, refusals in Spanish; English stays as it was."""

import json
import re

from core.pi import estimate
from core.runtime.i18n import catalog_path
from tests.runtime.test_i18n import catalog, shown
from tests.support.apptest import STUDENT, app, press, until

SPANISH = {"lang": "es"}


def english_left(text: str) -> list[str]:
    """The English messages (the longest piece of each between placeholders) found in ``text``."""
    english = {m for m, es in catalog(catalog_path("es")).items() if es != m and " " in m}
    fragments = {max(re.split(r"\{\w*\}", m), key=len).strip() for m in english}
    return sorted(f for f in fragments if " " in f and f in text)


def run_in_spanish(at, n: int, backends: list[str], seed: int = 7):
    at.select_slider(key="pi_n").set_value(n)
    at.multiselect(key="pi_backends").set_value(backends)
    at.number_input(key="pi_seed").set_value(seed)
    return press(at, "Ejecutar")


def test_the_pi_page_before_a_run_is_in_spanish():
    at = app("pages/pi_estimate.py", query={**SPANISH, "n": "1e7"})
    assert not at.exception, at.exception
    text = shown(at)
    assert "Estimar π" in text and "Lanza **N** puntos en el cuadrado unitario" in text
    assert "Muestras N (escala logarítmica)" in text and "Semilla" in text
    assert not english_left(text), english_left(text)
    (chart,) = at.get("plotly_chart")
    square = json.loads(chart.proto.spec)
    assert square["layout"]["title"]["text"] == "Presiona Ejecutar: 10.000.000 puntos caerán en este cuadrado"
    assert square["layout"]["separators"] == ",."


def test_a_pi_run_in_spanish_shows_spanish_cards_numbers_and_a_refusal():
    at = run_in_spanish(app("pages/pi_estimate.py", query=SPANISH), 5 * 10**8, ["numpy", "numba_parallel"])
    assert any(
        "**numpy** rechazado antes de ejecutar: numpy acepta n hasta 2e+08" in w.value for w in at.warning
    )
    until(at, lambda a: "pi_job" not in a.session_state)
    assert not at.exception, at.exception
    exact = estimate("numba_parallel", 5 * 10**8, seed=7)
    assert [m.value for m in at.metric] == [f"{exact.pi:.6f}".replace(".", ",")]
    assert at.subheader[0].value == "500.000.000 muestras, semilla 7"
    text = shown(at)
    assert "muestras/s" in text and "el más lento" in text and "Puntos" in text and "Tiempos" in text
    assert not english_left(text), english_left(text)
    points = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [t["name"] for t in points["data"]]
    assert any(re.fullmatch(r"dentro \(\d{1,3}(\.\d{3})+\)", name) for name in names), names
    assert "4 × fracción dentro = 3," in points["layout"]["title"]["text"]


def test_the_timings_table_reads_in_spanish_and_a_link_in_english_opens_the_same_tab():
    at = app("pages/pi_estimate.py", query={**SPANISH, "pi_view": "Timings"})
    at = run_in_spanish(at, 10**7, ["numpy_chunked"], seed=3)
    until(at, lambda a: "pi_job" not in a.session_state)
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table.columns)[:3] == ["backend", "workers", "ejecución (s)"]
    assert "muestras/s" in table.columns and "aceleración" in table.columns
    assert all("," in v or v.isdigit() or "e+" in v for v in table["ejecución (s)"])
    assert "El tiempo de ejecución excluye la compilación JIT" in shown(at)


def test_a_student_is_refused_an_absurd_n_in_spanish():
    at = run_in_spanish(
        app("pages/pi_estimate.py", secrets=STUDENT, query=SPANISH), 10**10, ["numba_parallel"]
    )
    assert not at.exception, at.exception
    (warning,) = [w.value for w in at.warning]
    assert warning.startswith(
        "**numba_parallel** rechazado antes de ejecutar: en este servidor los estudiantes"
    )
    assert "no 1e+10" in warning and "pi_job" not in at.session_state


def test_the_jobs_panel_and_a_full_queue_are_in_spanish(monkeypatch):
    from core.runtime.jobs import Busy, JobRunner

    at = app("pages/pi_estimate.py", query=SPANISH)
    text = shown(at)
    assert "Trabajos (0)" in text and "No hay ejecuciones en cola ni en curso." in text
    assert "Jobs (" not in text and "No run is queued" not in text

    def full(self, label, work, **limits):
        raise Busy("{n} runs are already waiting; try again in a moment", n=16)

    monkeypatch.setattr(JobRunner, "submit", full)
    run_in_spanish(at, 10**6, ["numba"], seed=1)
    assert any(
        w.value
        == "El servidor está ocupado: ya hay 16 ejecuciones esperando; vuelve a intentarlo en un momento."
        for w in at.warning
    ), [w.value for w in at.warning]


def test_the_pi_page_still_reads_in_english():
    at = app("pages/pi_estimate.py", query={"lang": "en", "n": "1e7"})
    text = shown(at)
    assert "Estimate π" in text and "Samples N (log scale)" in text and "Jobs (0)" in text
    assert "Estimar π" not in text
