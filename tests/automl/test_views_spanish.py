"""The explorer's Compare, Parameters, Best model and Two jobs views in Spanish: no English sentence left,
their own Spanish texts, numbers written the Spanish way; English stays as it was (test_page_views.py)."""

import json
import re

import pandas as pd
import pyarrow as pa
import pytest

from core.automl.sources import cache as automl_cache
from core.runtime.i18n import catalog_path
from tests.automl.test_page_views import RUNS, frames, pull
from tests.runtime.test_i18n import catalog, shown
from tests.support.automl_apptest import cards, explorer
from tests.support.automl_pickles import automl_model, hostile

pytestmark = [
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated"),
    pytest.mark.usefixtures("cache_dir"),  # tests/automl/conftest.py
]

STUDENT = {"pilab": {"locked": True}}
SPANISH = {"lang": "es"}


def english_left(at) -> list[str]:
    """The English sentences of the code (the longest piece of each message between placeholders, where it
    has two words or more) that the page shows, as the Home page's Spanish test looks for them: a single
    word ("job ", " by ") is as likely a run's or a source's name, or fickling's own English."""
    text = shown(at)
    english = {m for m, es in catalog(catalog_path("es")).items() if es != m and " " in m}
    fragments = {max(re.split(r"\{\w*\}", m), key=len) for m in english}
    return sorted(f for f in fragments if len(f.split()) >= 2 and f in text)


def displayed(frame) -> pd.DataFrame:
    """A styled table as the browser shows it: each cell's text (Streamlit sends a Styler's display values
    beside its data)."""
    return pa.ipc.open_stream(frame.proto.arrow_data.styler.display_values).read_pandas()


def figures(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_compare_in_spanish_names_the_runs_without_an_algorithm_in_spanish():
    at = explorer(SPANISH | {"automl_view": "Compare"})
    assert not english_left(at), english_left(at)
    (scatter, *_rest) = figures(at)
    assert "(sin registro)" in {t.get("name") for t in scatter["data"]}


def test_parameters_in_spanish(cache_dir):
    automl_cache.write(pull(), "job", cache_dir)
    at = explorer(SPANISH | {"source": "cached", "by": "preprocessor", "automl_view": "Parameters"})
    assert not at.exception and not english_left(at), english_left(at)
    text = shown(at)
    assert "Un panel por cada valor de" in text and "Colorear y agrupar por" in text
    assert "Qué comparten las mejores ejecuciones" in text and "Mejores ejecuciones" in text
    assert "Ejes: las métricas elegidas y luego los parámetros (como máximo 8)" in text
    options = at.multiselect(key="automl_param_cols").options
    assert options == [
        "preprocessor · preprocesador",
        "max_depth · hiperparámetro",
        "training_percent · ajuste",
    ]
    by_param, parallel = figures(at)
    assert by_param["layout"]["title"]["text"] == "AUC (weighted) según preprocessor"
    assert parallel["layout"]["title"]["text"].startswith("Métricas y parámetros")
    assert {by_param["layout"]["separators"], parallel["layout"]["separators"]} == {",."}
    (shared,) = [d.value for d in at.dataframe if "lift" in d.value.columns]
    assert list(shared.columns[:3]) == ["nombre", "tipo", "valor"]  # the headers, translated
    assert ("preprocessor", "StandardScaler") in set(zip(shared["nombre"], shared["valor"], strict=True))
    at.selectbox(key="automl_facet").set_value("algorithm").run()
    assert figures(at)[0]["layout"]["title"]["text"].endswith("un panel por algorithm")


def test_parameters_in_spanish_write_shares_lifts_and_ranges_the_spanish_way(cache_dir):
    scalers = (
        ["MaxAbsScaler"] * 3 + ["StandardScaler", "StandardScaler", "MaxAbsScaler"] + ["StandardScaler"] * 3
    )
    runs = {f"p_{i}": ("LightGBM", scalers[i], i, 0.9 - i / 100, 0.3) for i in range(9)}
    automl_cache.write(pull(runs), "job", cache_dir)
    at = explorer(SPANISH | {"source": "cached", "automl_view": "Parameters"})
    at.slider(key="automl_topk").set_value(3).run()
    assert not at.exception and not english_left(at), english_left(at)
    (table,) = [displayed(d) for d in at.dataframe if "proporción en el top" in d.value.columns]
    row = table[(table["nombre"] == "preprocessor") & (table["valor"] == "MaxAbsScaler")].iloc[0]
    assert (row["proporción en el top"], row["proporción en el resto"]) == ("100\u00a0%", "17\u00a0%")
    assert row["lift"] == "6,00" and row["tipo"] == "preprocesador"
    ranges = set(table.loc[table["nombre"] == "max_depth", "valor"])
    assert ranges and all(r.startswith("bajo (") for r in ranges), (
        ranges
    )  # max_depth 0-2 of 0-8: the low third


def test_best_model_in_spanish_with_the_bundled_model_file():
    at = explorer(SPANISH | {"automl_view": "Best model"}, secrets=STUDENT)
    assert "se **lee, nunca se carga**" in shown(at) or "se lee, nunca se carga" in shown(at)
    at.file_uploader(key="automl_model_upload").upload("model.pkl", automl_model()).run()
    assert not at.exception and not at.error
    assert not english_left(at), english_left(at)
    (verdict,) = at.success
    assert "en la lista permitida: los 11 globales que importaría están en bibliotecas de ML" in verdict.value
    assert "· peso 0,6: " in at.code[0].value  # a member's weight, the Spanish way; the classes as they are
    (caption,) = [c.value for c in at.caption if "opcodes" in c.value]
    assert re.match(r"\d\.\d{3} bytes · protocolo de pickle \d · \d+ opcodes\. Lo mismo desde", caption)
    (params,) = frames(at, "dónde", "estimador", "parámetro", "valor")
    assert "(raíz)" in set(params["dónde"]) and {"eta", "max_depth"} <= set(params["parámetro"])
    assert "Globales que importaría (11)" in shown(at)


def test_a_hostile_file_and_a_cut_one_in_spanish(tmp_path):
    canary = tmp_path / "canary"
    at = explorer(SPANISH | {"automl_view": "Best model"}, secrets=STUDENT)
    at.file_uploader(key="automl_model_upload").upload("evil.pkl", hostile("eval", str(canary))).run()
    assert not at.exception and not canary.exists()
    (verdict,) = at.error
    assert (
        "MALICIOSO: 1 de 2 globales están fuera de la lista permitida; nunca cargues este archivo"
        in verdict.value
    )
    said = [t.value for t in at.text]
    assert any("builtins.eval está fuera de la lista permitida de bibliotecas de ML" in t for t in said)
    assert not english_left(at), english_left(at)
    at.file_uploader(key="automl_model_upload").set_value(("cut.pkl", automl_model()[:-1], "x")).run()
    (message,) = [e.value for e in at.error]
    assert message == "cut.pkl: truncado: el pickle termina antes de su opcode STOP (1.837 bytes leídos)"


def test_two_jobs_in_spanish(cache_dir):
    automl_cache.write(pull(), "job", cache_dir)
    second = {rid.replace("p_", "q_"): v for rid, v in RUNS.items()}
    second["q_1"] = ("XGBoostClassifier", "StandardScaler", 6, 0.97, 0.18)
    automl_cache.write(pull(second, "rerun"), "rerun", cache_dir)
    at = explorer(SPANISH | {"source": "cached", "automl_view": "Two jobs", "second": "cached:rerun.json"})
    at.selectbox(key="automl_cached").set_value(cache_dir / "job.json").run()
    assert not at.exception and not at.error
    assert not english_left(at), english_left(at)
    got = cards(at)
    assert got["B − A"] == "+0,0200" and got["Trabajo B: mejor AUC_weighted"] == "0,9700"
    titles = [f["layout"]["title"]["text"] for f in figures(at)]
    assert titles == [
        "Mejor AUC (weighted) por algoritmo, trabajo A y trabajo B",
        "AUC (weighted) en ambos trabajos (en línea discontinua: el mejor de cada trabajo)",
    ]
    assert {f["layout"]["separators"] for f in figures(at)} == {",."}
    text = shown(at)
    assert "Clasificaciones, puesto a puesto" in text and "Qué cambió" in text
    (changes,) = frames(at, "ajuste", "a", "b", "cambió")
    assert changes.iloc[0].tolist() == ["experimento", "job", "rerun", "sí"]
    assert "training_percent" in set(changes["ajuste"])  # a run's own setting keeps its name
    (board,) = frames(at, "puesto", "ejecución A", "ejecución B")
    assert board["ejecución B"].iloc[0] == "q_1" and board["valor B"].iloc[0] == "0,9700"
    at.selectbox(key="automl_second").set_value("sample").run()  # 20 runs against job A's 5
    (board,) = frames(at, "puesto", "ejecución A", "ejecución B")
    assert list(board["ejecución A"])[-1] == "—" and list(board["valor A"])[-1] == "—"
    assert re.fullmatch(r"0,\d{4}", board["valor B"].iloc[-1])
    options = at.selectbox(key="automl_second").options
    assert options[0] == "Muestra incluida" and options[-1] == "Subir un archivo"
    assert set(options[1:-1]) == {"Descarga en caché: job.json", "Descarga en caché: rerun.json"}


def test_switching_the_language_keeps_the_model_file_and_says_its_refusal_again(tmp_path):
    at = explorer(SPANISH | {"automl_view": "Best model"}, secrets=STUDENT)
    at.file_uploader(key="automl_model_upload").set_value(("cut.pkl", automl_model()[:-1], "x")).run()
    assert [e.value for e in at.error] == [
        "cut.pkl: truncado: el pickle termina antes de su opcode STOP (1.837 bytes leídos)"
    ]
    at.radio(key="pilab_lang").set_value("en").run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "cut.pkl: truncated: the pickle ends before its STOP opcode (1,837 bytes read)"
    ]
