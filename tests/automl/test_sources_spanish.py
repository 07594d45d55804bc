"""The AutoML explorer's sources in Spanish: each picker's labels, help and captions, and the errors a source
gives (a malformed upload, a cached pull too large, an MLflow URI this server may not reach) in the reader's
language with their numbers written the Spanish way, no English sentence left; the same errors in English
read as they always did."""

import re

import pytest

from core.automl.model import AutoMLError
from core.automl.sources.parse import MAX_RUNS, load_bytes
from core.runtime.i18n import catalog_path, translator
from tests.runtime.test_i18n import catalog, shown
from tests.support.apptest import STUDENT, press
from tests.support.automl_apptest import explorer

pytestmark = pytest.mark.usefixtures("cache_dir")  # tests/automl/conftest.py
SPANISH = {"lang": "es"}


def english_left(text: str) -> list[str]:
    """The English messages (the longest piece of each, between placeholders) found in ``text``, as the
    lessons' Spanish test finds them: a piece of one word (``Parameter `` of ``Parameter {name}``) is no
    sentence."""
    english = {m for m, es in catalog(catalog_path("es")).items() if es != m and " " in m}
    fragments = {max(re.split(r"\{\w*\}", m), key=len) for m in english}
    return sorted(f for f in fragments if " " in f.strip() and f in text)


def errors(at) -> list[str]:
    """The errors' text (one that quotes a name Markdown could render comes in a code span: ui.safe_text)."""
    return [e.value.removeprefix("`").removesuffix("`") for e in at.error]


def test_a_malformed_upload_says_what_is_wrong_in_spanish():
    at = explorer({**SPANISH, "source": "upload"})
    assert at.file_uploader[0].label.startswith("Un archivo de métricas: `{run_id: {metric: [value]}}`")
    assert "Sube un archivo para explorarlo." in [i.value for i in at.info]
    at.file_uploader[0].set_value(
        ("metrics_data.json", b'{"run_1": {"accuracy": [0.9],}}', "application/json")
    )
    at.run()
    assert not at.exception and not at.metric
    assert errors(at) == [
        "metrics_data.json: JSON inválido en la línea 1, columna 30: "
        "se esperaba un nombre de propiedad entre comillas dobles"
    ]
    assert not english_left(shown(at)), english_left(shown(at))
    at.radio(key="pilab_lang").set_value("en").run()  # the same error, written again in English
    assert errors(at) == [
        "metrics_data.json: not valid JSON at line 1, column 30: "
        "Expecting property name enclosed in double quotes"
    ]


def test_an_upload_with_too_many_runs_writes_its_numbers_the_spanish_way():
    runs = ",".join(f'"r_{i}": {{}}' for i in range(MAX_RUNS + 1))
    at = explorer({**SPANISH, "source": "upload"})
    at.file_uploader[0].set_value(("big.json", ("{" + runs + "}").encode(), "application/json")).run()
    assert errors(at) == ["big.json: 20.001 ejecuciones superan el límite de 20.000"]


def test_cached_pulls_in_spanish_a_bad_one_and_one_too_large(cache_dir):
    at = explorer({**SPANISH, "source": "cached"})
    (empty,) = [i.value for i in at.info]
    assert empty.startswith("Todavía no hay descargas en caché en `") and "primero el operador" in empty
    cache_dir.mkdir(parents=True, exist_ok=True)
    (cache_dir / "mlflow-bad.json").write_text('[{"run_1": {"accuracy": [0.9]}}]')
    with (cache_dir / "mlflow-huge.json").open("wb") as huge:
        huge.truncate(21 * 2**20)  # over the 20 MB limit (never read: its size is enough)
    at = explorer({**SPANISH, "source": "cached"})
    assert at.selectbox(key="automl_cached").label == "Descarga en caché"
    at.selectbox(key="automl_cached").set_value(cache_dir / "mlflow-bad.json").run()
    assert errors(at) == [
        "mlflow-bad.json: el nivel superior es una lista; se esperaba un objeto {run_id: {metric: [value]}}"
    ]
    at.selectbox(key="automl_cached").set_value(cache_dir / "mlflow-huge.json").run()
    assert errors(at) == ["mlflow-huge.json: 21,0 MB supera el límite de 20,0 MB para un archivo de métricas"]
    assert not english_left(shown(at)), english_left(shown(at))


def test_mlflow_in_spanish_refuses_a_uri_this_server_may_not_reach(tmp_path, monkeypatch):
    monkeypatch.setenv("PILAB_DATA_DIR", str(tmp_path))
    at = explorer({**SPANISH, "source": "mlflow"})
    assert at.text_input(key="automl_mlflow_uri").label == "URI de seguimiento"
    caption = next(c.value for c in at.caption if c.value.startswith("Permitido aquí"))
    assert "esquemas sqlite, azureml, https; hosts *.api.azureml.ms" in caption
    at.text_input(key="automl_mlflow_uri").input("https://mlflow.example.com").run()
    at.button(key="automl_mlflow_list").click().run()
    assert errors(at) == [
        "MLflow: el host 'mlflow.example.com' no está permitido en este servidor "
        "(permitidos: *.api.azureml.ms; [pilab] mlflow_hosts)"
    ]
    at.text_input(key="automl_mlflow_uri").input(f"sqlite:///{tmp_path}/gone.db").run()
    at.button(key="automl_mlflow_list").click().run()
    assert errors(at) == [
        "MLflow: una URI de seguimiento sqlite debe nombrar un archivo de base de datos existente dentro de "
        f"{tmp_path} ([pilab] data_dir)"
    ]
    assert at.button(key="automl_mlflow_list").label == "Listar experimentos"
    assert not english_left(shown(at)), english_left(shown(at))


def test_the_azure_ml_workspace_form_in_spanish(monkeypatch):
    pytest.importorskip("azureml.core")
    monkeypatch.delenv("AZURE_CLIENT_SECRET", raising=False)
    at = explorer({**SPANISH, "source": "azure"})
    labels = {t.key: t.label for t in at.text_input}
    assert labels == {
        "automl_az_config": "config.json (ruta; vacío: los ids de la derecha)",
        "automl_az_sub": "Id de suscripción",
        "automl_az_rg": "Grupo de recursos",
        "automl_az_ws": "Workspace",
    }
    assert at.radio(key="automl_az_auth").label == "Iniciar sesión con"
    assert at.radio(key="automl_az_auth").options == ["interactive", "cli", "service_principal"]  # as set
    (caption,) = [c.value for c in at.caption if "Entidad de servicio" in c.value]
    assert "secreto (sin definir)" in caption and "nunca se muestra" in caption
    assert [b.label for b in at.button] == ["Conectar"]
    assert not english_left(shown(at)), english_left(shown(at))


def test_the_azure_ml_sign_in_refused_reads_in_spanish(monkeypatch, tmp_path):
    pytest.importorskip("azureml.core")
    monkeypatch.setenv("AZURE_TENANT_ID", "tenant1")
    monkeypatch.delenv("AZURE_CLIENT_ID", raising=False)
    monkeypatch.delenv("AZURE_CLIENT_SECRET", raising=False)
    at = explorer({**SPANISH, "source": "azure"})
    at.radio(key="automl_az_auth").set_value("service_principal")
    press(at, "Conectar")
    assert errors(at) == [
        "Azure ML: iniciar sesión con una entidad de servicio requiere client_id (AZURE_CLIENT_ID), "
        "client_secret (AZURE_CLIENT_SECRET)"
    ]


def test_a_sources_error_is_english_as_a_string_and_spanish_when_shown():
    with pytest.raises(AutoMLError) as raised:
        load_bytes(b'{"api-token": 1, "user": {"password": ["x"], "n": null}}', name="token.json")
    assert str(raised.value) == (
        "token.json: no numeric metric values in 2 run(s); "
        "found numbers and objects of lists and nulls, expected {run_id: {metric: [number]}}"
    )
    assert raised.value.text(translator("es")) == (
        "token.json: no hay valores numéricos de métricas en 2 ejecución(es); "
        "se encontraron números y objetos de listas y nulls, se esperaba {run_id: {metric: [number]}}"
    )


def test_a_skipped_values_reason_reads_in_spanish(tmp_path, monkeypatch):
    monkeypatch.setenv("PILAB_AUTOML_DIR", str(tmp_path))
    huge = "1" + "0" * 4999
    (tmp_path / "huge.json").write_text(f'{{"p_1": {{"accuracy": [{huge}], "AUC_weighted": [0.9]}}}}')
    at = explorer({**SPANISH, "source": "path"})
    label = at.text_input(key="automl_path").label
    assert label == "Nombre de un archivo de métricas en el directorio de AutoML"
    at.text_input(key="automl_path").input("huge.json").run()
    assert not at.exception and not at.error
    (skipped,) = [d.value for d in at.dataframe if "reason" in d.value.columns]
    assert list(skipped["reason"]) == ["un entero de 5.000 dígitos, demasiado grande para un float"]
    at.text_input(key="automl_path").input("../elsewhere.json").run()
    assert errors(at) == ["no hay un archivo legible con ese nombre en el directorio de AutoML"]


def test_a_student_reads_a_cached_pulls_label_in_spanish(cache_dir):
    cache_dir.mkdir(parents=True, exist_ok=True)
    (cache_dir / "mlflow-job.json").write_text(
        '{"p_1": {"AUC_weighted": [0.91]}, "p_2": {"AUC_weighted": [0.95]}}'
    )
    at = explorer({**SPANISH, "source": "cached"}, secrets=STUDENT)
    assert not at.error, errors(at)
    assert at.caption[0].value.startswith("Fuente: descarga en caché mlflow-job · tarea")
    at.radio(key="pilab_lang").set_value("en").run()
    assert at.caption[0].value.startswith("Source: cached pull mlflow-job · task")
