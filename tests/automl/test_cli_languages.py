"""``python -m core.automl CMD --lang es|en``: every command's human-readable output in the language asked
for (headers, decimal commas, its lines and refusals), English as before; ``--json`` and ``--csv`` the same
in both languages."""

import json

import pytest

from core.automl.analysis.tables import NO_ALGORITHM
from core.automl.cli.live import child_line
from core.automl.params import NOT_RECORDED
from core.automl.sources import SAMPLE_PATH
from core.automl.sources import cache as automl_cache
from core.automl.sources.parse import load_path
from core.runtime.i18n import translator
from tests.automl.test_compare import A, B

ES = translator("es")
SAMPLE = str(SAMPLE_PATH)
RUN = "40b56796-43ac-479b-b4f0-e90715560b60"


@pytest.fixture(autouse=True)
def english_environment(monkeypatch):
    """No language from the environment: only --lang names one."""
    monkeypatch.setenv("LC_ALL", "C.UTF-8")


def test_table_in_spanish_has_spanish_headers_and_decimal_commas(run):
    es, en = run("table", SAMPLE, "--lang", "es"), run("table", SAMPLE, "--lang", "en")
    assert es.returncode == en.returncode == 0, es.stderr + en.stderr
    header, first = es.stdout.splitlines()[:2]
    assert header.split()[:3] == ["run_id", "iteración", "algoritmo"] and "weighted_accuracy" in header
    assert first.split()[0] == f"{RUN}_0" and ES(NO_ALGORITHM) in first and "0,9513" in first
    assert en.stdout == run("table", SAMPLE).stdout  # English reads as before --lang
    assert en.stdout.splitlines()[0].split()[:3] == ["run_id", "iteration", "algorithm"]
    assert "(not recorded)" in en.stdout and "0.9513" in en.stdout and "0,9513" not in en.stdout
    csv = [run("table", SAMPLE, "--csv", "--lang", lang).stdout for lang in ("es", "en")]
    assert csv[0] == csv[1] and csv[0].startswith("run_id,iteration,algorithm,")


def test_params_in_spanish_with_and_without_parameters(run, tmp_path):
    none = run("params", SAMPLE, "--lang", "es").stdout.strip()
    assert none == (
        f"bank_marketing_metrics_output.json: {ES(NOT_RECORDED)}: no hay parámetros de ejecución (un archivo "
        "metrics_data no los tiene; las descargas desde MLflow o Azure ML los registran)"
    )
    assert (
        run("params", SAMPLE, "--lang", "en")
        .stdout.strip()
        .endswith(
            ": (not recorded): no run parameters "
            "(a metrics_data file has none; pulls from MLflow or Azure ML record them)"
        )
    )
    path = str(automl_cache.write(A, "a", tmp_path))
    header = run("params", path, "--lang", "es").stdout.splitlines()[0].split()
    assert header == ["run_id", "iteración", "tipo", "nombre", "valor"]
    assert run("params", path, "--lang", "en").stdout.splitlines()[0].split() == [
        "run_id",
        "iteration",
        "kind",
        "name",
        "value",
    ]
    csv = [run("params", path, "--csv", "--lang", lang).stdout for lang in ("es", "en")]
    assert csv[0] == csv[1] and csv[0].startswith("run_id,iteration,kind,name,value")


def test_model_and_compare_take_lang_and_their_json_never_changes(run, tmp_path):
    from tests.support.automl_pickles import automl_model

    model = tmp_path / "model.pkl"
    model.write_bytes(automl_model())
    docs = [run("model", str(model), "--json", "--lang", lang) for lang in ("es", "en")]
    assert [d.returncode for d in docs] == [0, 0] and docs[0].stdout == docs[1].stdout
    spanish = run("model", str(model), "--lang", "es")
    assert spanish.returncode == 0 and "leído estáticamente, nunca deserializado" in spanish.stdout
    assert "veredicto: en la lista permitida" in spanish.stdout and "peso 0,6" in spanish.stdout
    assert "read statically, never unpickled" in run("model", str(model)).stdout
    a, b = (str(automl_cache.write(doc, name, tmp_path)) for doc, name in ((A, "a"), (B, "b")))
    docs = [run("compare", a, b, "--json", "--lang", lang) for lang in ("es", "en")]
    assert [d.returncode for d in docs] == [0, 0] and json.loads(docs[0].stdout) == json.loads(docs[1].stdout)
    spanish = run("compare", a, b, "--lang", "es")
    assert spanish.returncode == 0 and "B - A" in spanish.stdout, spanish.stdout
    assert spanish.stdout != run("compare", a, b).stdout  # its words are Spanish


def test_summary_json_is_the_same_in_both_languages(run):
    docs = [run("summary", SAMPLE, "--json", "--lang", lang).stdout for lang in ("es", "en")]
    assert docs[0] == docs[1] and json.loads(docs[0])["runs"] == 20


@pytest.mark.parametrize(
    ("args", "spanish", "english"),
    [
        (
            ["pull", "--mlflow", "sqlite:///x.db"],
            "pull --mlflow necesita --parent RUN_ID (la ejecución padre del trabajo de AutoML)",
            "pull --mlflow needs --parent RUN_ID (the AutoML job's parent run)",
        ),
        (
            ["pull", "--azure", "--run", "x"],
            "pull --azure necesita --experiment NAME y --run RUN_ID",
            "pull --azure needs --experiment NAME and --run RUN_ID",
        ),
        (
            ["watch", "--mlflow", "sqlite:///x.db"],
            "watch --mlflow necesita --parent RUN_ID",
            "watch --mlflow needs --parent RUN_ID",
        ),
        (
            ["watch", "--mlflow", "sqlite:///x.db", "--parent", "p", "--every", "0.1"],
            "--every 0,1 no está entre 0,2 y 3600 segundos",
            "--every 0.1 is not in [0.2, 3600] seconds",
        ),
    ],
)
def test_refusals_of_the_live_commands_in_spanish_and_english(
    run, tmp_path, monkeypatch, args, spanish, english
):
    monkeypatch.chdir(tmp_path)
    es, en = run(*args, "--lang", "es"), run(*args, "--lang", "en")
    assert es.returncode == en.returncode == 2 and es.stdout == en.stdout == ""
    assert es.stderr.startswith("python -m core.automl: error: ") and spanish in es.stderr, es.stderr
    assert english in en.stderr and len(es.stderr.splitlines()) == 1


def test_a_command_without_a_command_says_so_in_spanish(run, monkeypatch):
    monkeypatch.setenv("LC_ALL", "es_CL.UTF-8")
    out = run()
    assert out.returncode == 2 and "indica un comando: summary PATH" in out.stderr


def test_the_watchs_child_lines_in_spanish_and_english():
    data = load_path(SAMPLE_PATH)
    first, second = data.run_ids[:2]
    line, best = child_line(data, first, primary="AUC_weighted", best=None, _=translator("es"))
    assert line.startswith("#0 (algoritmo no registrado) AUC_weighted=0,")
    assert "· mejor hasta ahora 0," in line
    assert line.endswith("(#0)") and best[0] == "#0"
    english, _ = child_line(data, first, primary="AUC_weighted", best=None)
    assert english.startswith("#0 (algorithm not recorded) AUC_weighted=0.") and "· best so far 0." in english
    missing, _ = child_line(data, "nope", primary="AUC_weighted", best=best, _=translator("es"))
    assert missing == "nope: terminó sin un valor de AUC_weighted"
    assert child_line(data, second, primary="AUC_weighted", best=best)[0].startswith("#")
