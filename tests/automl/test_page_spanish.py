"""The AutoML explorer in Spanish: the offline sample's page with no English sentence left, its cards'
numbers written the Spanish way, and every tab of the explorer (opened by its English name in the URL, as a
link does) in Spanish: no English sentence left, its key texts in Spanish, its numbers and its figures'
ticks written the Spanish way; English stays as it was (the other page tests)."""

import json
import re
from collections.abc import Sequence

import pandas as pd
import pytest

from core.automl.catalogue import metric_info
from core.automl.sources import SAMPLE_PATH
from core.automl.sources import cache as automl_cache
from core.automl.sources.parse import META_KEY, load_path
from core.runtime.i18n import catalog_path, translator
from tests.runtime.test_i18n import catalog, shown
from tests.support.artifacts import ACCURACY_TABLE, CONFUSION
from tests.support.automl_apptest import cards, explorer
from ui.automl import charts
from ui.automl.tabs import ARTIFACTS_TAB, PARAMS_TAB, TABS

pytestmark = pytest.mark.usefixtures("cache_dir")  # tests/automl/conftest.py: a pull cache of the test's own

SAMPLE_TABS = [  # the sample has no parameters and no artifacts: their tabs are tested apart
    tab for tab in TABS if tab not in (PARAMS_TAB, ARTIFACTS_TAB)
]
METRIC_NAMES = {metric_info(m).display for m in load_path(SAMPLE_PATH).metrics}  # data: as they are
# What each tab of the sample says in Spanish (AUC_weighted is the sample's primary metric).
SPANISH = {
    "Table": ["Filtrar ejecuciones", "Fija una ejecución de referencia", "iteración", "algoritmo"],
    "Ranking": ["Ranking según AUC (weighted) (las mejores 20 de 20)", "(más alto es mejor)", "iteración"],
    "Compare": [
        "Weighted accuracy frente a AUC (weighted), por algoritmo",
        "mejor ejecución",
        "Coordenadas paralelas, coloreadas según AUC (weighted)",
        "Arrastra a lo largo de un eje para filtrar ejecuciones",
    ],
    "Correlation": ["Correlación de Spearman entre métricas a lo largo de las ejecuciones"],
    "Search progress": [
        "Mejor AUC (weighted) hasta ahora, por iteración",
        "mejor hasta ahora",
        "La mejor ejecución llegó en la última iteración (**51**)",
    ],
    "Algorithms": ["AUC (weighted) por algoritmo", "Esta fuente no registra nombres de algoritmos"],
    "Export": [
        "Tabla en CSV (una fila por ejecución)",
        "Datos ordenados en JSON",
        "Lo mismo desde una terminal",
    ],
}


def english_left(text: str) -> list[str]:
    """The English messages of the code (their longest piece between placeholders) found in ``text``."""
    english = {m for m, es in catalog(catalog_path("es")).items() if es != m and " " in m}
    fragments = {max(re.split(r"\{\w*\}", m), key=len) for m in english}
    return sorted(f for f in fragments if f in text)


def figures(at) -> list[dict]:
    """The Plotly figures the page sent."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def said(at) -> str:
    """What a reader of the page reads, one text a line: every string the page's elements carry (labels,
    bodies, help, options …; not their ids, links or data), and its figures' titles, axis titles, legend
    names, hover and cell texts."""
    found: list[str] = []

    def strings(message) -> None:
        for field, value in message.ListFields():
            if field.name in ("id", "url", "spec", "data", "arrow_data", "config", "theme", "columns"):
                continue
            values = value if isinstance(value, Sequence) and not isinstance(value, str) else [value]
            for item in values:
                if isinstance(item, str):
                    found.append(item)
                elif hasattr(item, "ListFields"):
                    strings(item)

    def walk(node) -> None:
        if getattr(node, "proto", None) is not None:
            strings(node.proto)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    for figure in figures(at):
        layout = figure["layout"]
        found += [layout.get("title", {}).get("text", "")]
        found += [(layout.get(axis, {}).get("title") or {}).get("text") or "" for axis in ("xaxis", "yaxis")]
        for trace in figure["data"]:
            found += [str(trace.get(k) or "") for k in ("name", "hovertemplate")]
            text = trace.get("text")  # cell labels: a list of lists of strings (numbers: a typed array)
            found += [str(cell) for row in text for cell in row] if isinstance(text, list) else []
            found += [str(d.get("label", "")) for d in trace.get("dimensions", [])]
    return "\n".join(found)


def same_in_english(spanish: str, english: str) -> list[str]:
    """The sentences (two words or more) a reader reads the same in both pages: English left in the Spanish
    one, marked or not; metric names and Plotly's hover templates (numbers and names only) left out."""
    words = re.compile(r"\b[A-Za-z]{3,}\b")
    same = set(spanish.splitlines()) & set(english.splitlines())
    return sorted(
        t for t in same if " " in t and len(words.findall(t)) >= 2 and t not in METRIC_NAMES and "%{" not in t
    )


def test_sample_in_spanish_leaves_no_english_sentence():
    at = explorer(query={"lang": "es"})
    text = shown(at)
    assert "📊 Explorador de AutoML" in text and "Cada ejecución hija de un trabajo AutoML" in text
    assert "Fuente" in text and "Muestra incluida" in text and "Métrica principal" in text
    left = english_left(text)
    assert not left, f"English left on the Spanish AutoML page: {left}"
    shown_cards = cards(at)
    assert {"Ejecuciones", "Métricas", "Tarea", "Mejor ejecución", "Mejor valor"} <= set(shown_cards)
    assert re.fullmatch(r"\d+,\d{4}", shown_cards["Mejor valor"]), shown_cards["Mejor valor"]
    assert shown_cards["Tarea"] == "clasificación"


def test_sample_in_english_reads_as_before():
    at = explorer(query={"lang": "en"})
    shown_cards = cards(at)
    assert {"Runs", "Metrics", "Task", "Best run", "Best value"} <= set(shown_cards)
    assert re.fullmatch(r"\d+\.\d{4}", shown_cards["Best value"]), shown_cards["Best value"]
    assert shown_cards["Task"] == "classification"


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


@pytest.mark.parametrize("tab", SAMPLE_TABS)
def test_every_tab_of_the_sample_reads_in_spanish_with_spanish_numbers(tab):
    at = explorer(query={"lang": "es", "automl_view": tab})
    text = said(at)
    left = english_left(text)
    assert not left, f"English left on the Spanish {tab} tab: {left}"
    english = said(explorer(query={"lang": "en", "automl_view": tab}))
    unmarked = same_in_english(text, english)
    assert not unmarked, f"the same in English on the Spanish {tab} tab: {unmarked}"
    missing = [s for s in SPANISH.get(tab, []) if s not in text]
    assert not missing, f"not on the Spanish {tab} tab: {missing}"
    assert all(f["layout"]["separators"] == ",." for f in figures(at))  # ticks, hover: 0,95 and 10.000


def test_the_spanish_tabs_write_their_numbers_with_a_decimal_comma():
    at = explorer(query={"lang": "es", "automl_view": "Algorithms"})
    (table,) = [d.value for d in at.dataframe]
    assert list(table.columns) == ["algoritmo", "ejecuciones", "mejor", "mediana", "peor"]
    assert list(table["algoritmo"]) == ["(sin registro)"] and list(table["ejecuciones"]) == ["20"]
    assert table["mejor"].iloc[0] == cards(at)["Mejor valor"] and re.fullmatch(
        r"0,\d{4}", table["peor"].iloc[0]
    )
    at = explorer(query={"lang": "es", "automl_view": "Correlation"})
    (heatmap,) = figures(at)
    cells = [cell for row in heatmap["data"][0]["text"] for cell in row]
    assert (
        "1" in cells
        and any(re.fullmatch(r"-?0,\d{1,2}", c) for c in cells)
        and not any("." in c for c in cells)
    )
    at = explorer(query={"lang": "es", "automl_view": "Compare"})
    assert any("(a lo más 8)" in c.value for c in at.caption)


def test_the_confusion_matrix_and_roc_tab_in_spanish(cache_dir):
    runs = {"p_0": ("LightGBM", 0.91, 0.3), "p_1": ("XGBoost", 0.95, 0.2)}
    doc = {rid: {"AUC_weighted": [auc], "log_loss": [loss]} for rid, (_, auc, loss) in runs.items()}
    doc[META_KEY] = {
        "source": "MLflow test pull",
        "parent": {"run_id": "p", "primary_metric": "AUC_weighted"},
        "runs": {rid: {"algorithm": algo} for rid, (algo, _, _) in runs.items()},
        "artifacts": {"p_1": {"confusion_matrix": CONFUSION, "accuracy_table": ACCURACY_TABLE}},
    }
    automl_cache.write(doc, "test-pull", cache_dir)
    at = explorer(query={"lang": "es", "source": "cached", "automl_view": ARTIFACTS_TAB})
    text = said(at)
    assert not english_left(text), english_left(text)
    english = said(explorer(query={"lang": "en", "source": "cached", "automl_view": ARTIFACTS_TAB}))
    unmarked = [
        t for t in same_in_english(text, english) if t != "Cached pull"
    ]  # ui.automl.sources: elsewhere
    assert not unmarked, unmarked
    assert "Ejecución con artefactos" in text and "Run with artifacts" in english
    by_title = {f["layout"]["title"]["text"]: f for f in figures(at)}
    assert set(by_title) == {"Matriz de confusión", "ROC (de accuracy_table)"}
    confusion, roc = by_title["Matriz de confusión"], by_title["ROC (de accuracy_table)"]
    assert (confusion["layout"]["xaxis"]["title"]["text"], confusion["layout"]["yaxis"]["title"]["text"]) == (
        "predicha",
        "real",
    )
    assert roc["layout"]["xaxis"]["title"]["text"] == "tasa de falsos positivos"
    names = [t["name"] for t in roc["data"]]
    assert names[-1] == "azar" and re.fullmatch(r"yes \(AUC 0,\d{3}\)", names[1]), names
    assert all(f["layout"]["separators"] == ",." for f in by_title.values())


def test_the_figures_group_thousands_the_readers_way_and_english_as_before():
    ranked = pd.DataFrame(
        {
            "rank": range(1, 12_346),
            "run_id": [f"r_{i}" for i in range(12_345)],
            "iteration": range(12_345),
            "algorithm": ["LightGBM"] * 12_345,
            "value": [0.5 + i / 100_000 for i in range(12_345)][::-1],
        }
    )
    spanish = charts.ranking_bars(ranked, "AUC_weighted", _=translator("es"))
    assert spanish.layout.title.text == "Ranking según AUC (weighted) (las mejores 40 de 12.345)"
    english = charts.ranking_bars(ranked, "AUC_weighted")
    assert english.layout.title.text == "Ranking by AUC (weighted) (best 40 of 12,345)"
    assert english.layout.xaxis.title.text == "AUC (weighted) (higher is better)"
    assert (spanish.layout.separators, english.layout.separators) == (",.", ".,")


def test_the_cards_write_a_large_best_value_ungrouped_as_before_the_languages(cache_dir):
    runs = {f"r_{i}": {"root_mean_squared_error": [12345.678 + i]} for i in range(3)}
    automl_cache.write(runs, "regression", cache_dir)
    english = cards(explorer(query={"lang": "en", "source": "cached"}))
    assert (english["Best value"], english["Runs"], english["Task"]) == ("12345.6780", "3", "regression")
    spanish = cards(explorer(query={"lang": "es", "source": "cached"}))
    assert (spanish["Mejor valor"], spanish["Ejecuciones"], spanish["Tarea"]) == (
        "12345,6780",
        "3",
        "regresión",
    )
