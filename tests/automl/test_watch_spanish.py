"""The live watch and the published pipelines in Spanish, driven offline as ``test_watch_page`` drives them
(a real local MLflow store that this test grows, the Azure services faked at the transport): the watch's
status line, its controls, a failed poll and the trigger form read in Spanish, no English sentence left."""

import pytest

pytestmark = [  # every test here polls a real MLflow store or a faked workspace: slow, out of make check
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated"),
]
pytest.importorskip("mlflow")

from core.automl.sources import cache as automl_cache  # noqa: E402
from core.automl.sources import watch as live  # noqa: E402
from tests.automl.test_sources_spanish import english_left  # noqa: E402
from tests.runtime.test_i18n import shown  # noqa: E402
from tests.support.apptest import press, until  # noqa: E402
from tests.support.automl_apptest import cards, explorer  # noqa: E402

SPANISH = {"lang": "es"}


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch):
    """The page's watch polls every 0.3 s."""
    monkeypatch.setenv("PILAB_WATCH_EVERY", "0.3")
    assert live.stop_all(), "a watch thread outlived its test"
    yield
    assert live.stop_all()


def live_line(at) -> str:
    return " ".join(i.value for i in at.info) + " ".join(s.value for s in at.success)


def runs(at) -> int:
    return int(cards(at).get("Ejecuciones", 0))


def test_the_watch_reads_in_spanish_running_paused_failing_and_ended(automl_run, tmp_path):
    automl_run.add_child()
    at = explorer({**SPANISH, "source": "mlflow"})
    at.text_input(key="automl_mlflow_uri").input(automl_run.uri).run()
    at.button(key="automl_mlflow_list").click().run()
    assert at.button(key="automl_mlflow_pull").label == "Descargar ejecuciones hijas"
    assert at.button(key="automl_mlflow_watch").label == "Seguir en vivo"
    at.button(key="automl_mlflow_watch").click().run()
    assert not at.exception and not at.error, at.error
    until(at, lambda a: runs(a) == 1)
    line = live_line(at)
    assert line.startswith("En vivo: padre en curso · 0 en curso · 1 completadas · 0 fallidas"), line
    assert "actualizado a las " in line and "próxima en " in line
    assert at.toggle(key="automl_watch_pause").label == "Pausar actualizaciones en vivo"
    assert at.button(key="automl_watch_stop").label == "Dejar de seguir"
    assert not english_left(shown(at)), english_left(shown(at))

    at.toggle(key="automl_watch_pause").set_value(True).run()
    assert "Seguimiento en vivo en pausa: 0 en curso · 1 completadas" in live_line(at)
    at.toggle(key="automl_watch_pause").set_value(False).run()

    database = tmp_path / "mlflow.db"
    database.rename(tmp_path / "away.db")  # the store is gone: every poll fails until it is back
    try:
        until(at, lambda a: any("La última consulta falló" in w.value for w in a.warning))
        said = next(w.value for w in at.warning if "La última consulta falló" in w.value)
        failing = shown(at)
    finally:
        (tmp_path / "away.db").rename(database)  # at once: the polls back off while they fail
    assert "debe nombrar un archivo de base de datos existente" in said
    assert said.endswith("Los datos que ves son de la última descarga buena.")
    assert not english_left(failing), english_left(failing)
    automl_run.add_child()
    until(at, lambda a: runs(a) == 2)
    automl_run.finish()
    until(at, lambda a: "Seguimiento en vivo terminado: el trabajo terminó." in live_line(a))
    assert "2 completadas" in live_line(at)


def test_a_pull_reads_in_spanish(automl_run):
    automl_run.add_child()
    at = explorer({**SPANISH, "source": "mlflow"})
    at.text_input(key="automl_mlflow_uri").input(automl_run.uri).run()
    at.button(key="automl_mlflow_list").click().run()
    at.button(key="automl_mlflow_pull").click().run()
    assert not at.exception and not at.error, at.error
    (said,) = [s.value for s in at.success]
    assert said.startswith("Se descargaron 1 ejecuciones; guardadas en caché para usarlas sin conexión")
    assert runs(at) == 1 and automl_cache.list_cached()
    assert not english_left(shown(at)), english_left(shown(at))


def test_a_published_pipeline_is_triggered_and_watched_in_spanish(monkeypatch, tmp_path):
    pytest.importorskip("azureml.core")
    from tests.support.azure_fakes import SECRET, install

    install(monkeypatch, tmp_path)
    monkeypatch.setenv(automl_cache.ENV_CACHE_DIR, str(tmp_path / "cache"))
    for key, value in {
        "AZUREML_SUBSCRIPTION_ID": "sub",
        "AZUREML_RESOURCE_GROUP": "rg",
        "AZUREML_WORKSPACE_NAME": "ws",
        "AZURE_TENANT_ID": "tenant1",
        "AZURE_CLIENT_ID": "cid",
        "AZURE_CLIENT_SECRET": SECRET,
    }.items():
        monkeypatch.setenv(key, value)
    at = explorer({**SPANISH, "source": "azure"})
    assert any("secreto (encontrado)" in c.value for c in at.caption)
    press(at, "Conectar")
    assert "Pipelines publicados: vuelve a ejecutar uno" in [e.label for e in at.expander]
    assert any("Aquí aparecen los pipelines publicados" in c.value for c in at.caption)
    at.button(key="automl_pp_list").click().run()
    assert not at.exception and not at.error, at.error
    listed = next(d.value for d in at.dataframe if "endpoint" in d.value.columns)
    assert list(listed.columns) == ["nombre", "versión", "id", "estado", "endpoint"]
    assert list(listed["versión"]) == ["1.0", "2.0"]  # the data as the service wrote it
    at.selectbox(key="automl_pp_pick").select_index(1).run()
    assert at.selectbox(key="automl_pp_pick").label == "Pipeline"
    assert at.text_input(key="automl_pp_experiment").label == "Experimento de la nueva ejecución"
    param = at.text_input(key="automl_pp_param_experiment_timeout_minutes")
    assert param.label == "Parámetro experiment_timeout_minutes"
    at.text_input(key="automl_pp_experiment").input("bad name!")
    press(at, "Lanzar el pipeline")
    assert [e.value.strip("`") for e in at.error] == [  # a code span: it quotes what the person typed
        "experimento 'bad name!': letras, dígitos, _ y - (hasta 255), empezando por una letra o un dígito"
    ]
    at.text_input(key="automl_pp_experiment").input("bank")
    press(at, "Lanzar el pipeline")
    assert not at.exception and not at.error, [e.value for e in at.error]
    said = " ".join(s.value for s in at.success)
    assert "Enviado: ejecución `pipe_live_2` en el experimento `bank` · [ábrela en el studio](" in said
    assert said.endswith("; la sigues abajo.")
    until(at, lambda a: "Seguimiento en vivo terminado: el trabajo terminó." in live_line(a))
    assert runs(at) == 4 and cards(at)["Mejor valor"] == "0,9520"
    assert not english_left(shown(at)), english_left(shown(at))
