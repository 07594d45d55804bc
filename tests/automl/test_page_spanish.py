"""The AutoML explorer in Spanish: the offline sample's page with no English sentence left, its cards'
numbers written the Spanish way; English stays as it was (the other page tests)."""

import re

from core.runtime.i18n import catalog_path
from tests.runtime.test_i18n import catalog, shown
from tests.support.automl_apptest import cards, explorer


def test_sample_in_spanish_leaves_no_english_sentence():
    at = explorer(query={"lang": "es"})
    text = shown(at)
    assert "📊 Explorador de AutoML" in text and "Cada ejecución hija de un trabajo AutoML" in text
    assert "Fuente" in text and "Muestra incluida" in text and "Métrica principal" in text
    english = {m for m, es in catalog(catalog_path("es")).items() if es != m and " " in m}
    fragments = {max(re.split(r"\{\w*\}", m), key=len) for m in english}
    left = sorted(f for f in fragments if f in text)
    assert not left, f"English left on the Spanish AutoML page: {left}"
    shown_cards = cards(at)
    assert {"Ejecuciones", "Métricas", "Tarea", "Mejor ejecución", "Mejor valor"} <= set(shown_cards)
    assert re.fullmatch(r"\d+,\d{4}", shown_cards["Mejor valor"]), shown_cards["Mejor valor"]


def test_sample_in_english_reads_as_before():
    at = explorer(query={"lang": "en"})
    shown_cards = cards(at)
    assert {"Runs", "Metrics", "Task", "Best run", "Best value"} <= set(shown_cards)
    assert re.fullmatch(r"\d+\.\d{4}", shown_cards["Best value"]), shown_cards["Best value"]


def test_the_tabs_read_in_spanish_and_an_english_link_opens_its_tab():
    at = explorer(query={"lang": "es", "automl_view": "Correlation"})
    assert not at.exception, at.exception
    labels = [t.label for t in at.tabs]
    assert labels[:6] == [
        "Tabla",
        "Ranking",
        "Comparar",
        "Correlación",
        "Progreso de la búsqueda",
        "Algoritmos",
    ]
    assert "Exportar" in labels and "Table" not in labels
    assert at.query_params["automl_view"] in ("Correlation", ["Correlation"])  # the link stays the same
