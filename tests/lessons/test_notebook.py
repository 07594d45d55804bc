"""A lesson as a notebook to take home: its text in the reader's language, its code, the parameters and the
measured numbers of the run; it runs top to bottom with only requirements.txt (no Pi Lab import)."""

import inspect
import re

import nbformat
import pytest

from core.lessons import get
from core.lessons.notebook import lesson_notebook, standalone
from core.lessons.pool_map import PoolMapResult
from core.lessons.race import RaceResult
from core.runtime.i18n import translator
from tests.support.apptest import app
from tests.support.notebooks import execute, markdown, printed

RACE = RaceResult(
    processes=2, increments=2_000, unlocked=[3_100], locked=[4_000], unlocked_s=[0.1], locked_s=[0.2]
)
POOL = PoolMapResult(
    workers=2,
    tiny_items=1_000,
    heavy_tasks=2,
    heavy_steps=1_000,
    startup_s=0.2,
    tiny_map_s=0.001,
    tiny_pool_s=0.01,
    heavy_map_s=0.002,
    heavy_pool_s=0.003,
)
CASES = {"race": RACE, "pool_vs_map": POOL}


def build(name: str, lang: str, **params) -> nbformat.NotebookNode:
    lesson = get(name)
    return nbformat.reads(lesson_notebook(lesson, lesson.check(params), CASES[name], _=translator(lang)), 4)


PARAMS = {"race": {"increments": 2_000}, "pool_vs_map": {"workers": 2}}


@pytest.mark.parametrize("name", list(CASES))
def test_a_lesson_notebook_holds_its_code_its_parameters_and_the_measured_numbers(name):
    book = build(name, "en", **PARAMS[name])
    nbformat.validate(book)
    lesson, result = get(name), CASES[name]
    code = "\n".join(c.source for c in book.cells if c.cell_type == "code")
    for function in (*lesson.shows, lesson.function):
        assert inspect.getsource(function) in code  # as the lecture wrote it
    assert not re.search(r"^\s*(from|import) core\b", code, re.MULTILINE)  # nothing of Pi Lab is imported
    used = lesson.check(PARAMS[name])
    assert f"params = dict({', '.join(f'{k}={v!r}' for k, v in used.items())})" in code
    run = book.cells[-2]
    assert run.outputs[0].text.splitlines()[0] == result.headline()  # this run's numbers, first
    assert f"{lesson.function.__name__}(**params)" in run.source
    text = markdown(book)
    assert text.startswith(f"# {lesson.title}") and "## The parameters you used" in text
    assert "## Your turn" in book.cells[-1].source


@pytest.mark.parametrize("name", list(CASES))
def test_a_lesson_notebook_speaks_the_readers_language(name):
    text = markdown(build(name, "es"))
    assert "## Los parámetros que usaste" in text and "## Ejecútalo" in text and "**Por qué.**" in text
    assert "## Tu turno" in text and "ejecuta la celda para medirlo en tu computador" in text
    english = ("## The parameters you used", "## Run it", "## Your turn", "**Why.**", "run the cell to")
    assert not [e for e in english if e in text]
    assert nbformat.reads(
        lesson_notebook(get(name), {}, CASES[name], _=translator("es")), 4
    ).metadata.pilab == {"lang": "es"}


def test_a_lesson_that_runs_pi_labs_own_engine_has_no_notebook():
    assert not standalone(get("dask_pi"))
    assert all(standalone(get(name)) for name in ("processes", "pool_vs_map", "race", "joblib", "fork_rng"))


@pytest.mark.slow
def test_the_race_notebook_runs_top_to_bottom_and_prints_its_headline(tmp_path):
    book = execute(
        lesson_notebook(get("race"), get("race").check({"increments": 2_000, "trials": 1}), RACE), tmp_path
    )
    out = printed(book.cells[-2])
    assert out.startswith("3 processes × 2,000 increments should give 6,000: without a lock ")
    assert "with the lock 6,000\n" in out and "with the lock: 6,000 exact" in out
    assert (tmp_path / "pilab_race.py").exists()  # where the spawned processes found their functions


@pytest.mark.slow
def test_the_pool_notebook_runs_its_spawned_pool_top_to_bottom(tmp_path):
    params = get("pool_vs_map").check(
        {"tiny_items": 1_000, "heavy_tasks": 2, "heavy_steps": 1_000, "workers": 2}
    )
    out = printed(
        execute(lesson_notebook(get("pool_vs_map"), params, POOL, _=translator("es")), tmp_path).cells[-2]
    )
    # re-run on the laptop, it speaks the notebook's language too
    assert out.startswith("tareas diminutas: Pool(2).map ") and "iniciar el pool tomó" in out
    assert "speed-up del pool, tareas pesadas: ×" in out


@pytest.mark.parametrize(
    ("lang", "label"), [("en", "Download as notebook"), ("es", "Descargar como notebook")]
)
def test_the_lesson_page_offers_the_notebook_under_a_result(lang, label):
    at = app("pages/parallelism.py", query={"lang": lang, "lesson": "Race and Lock"})
    at.session_state["lesson:race"] = RACE
    at.run()
    assert not at.exception, at.exception
    (button,) = at.get("download_button")
    assert button.proto.label == label
