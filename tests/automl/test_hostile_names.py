"""Names from a link, a file or a workspace on the AutoML explorer are shown as text: the link's metric,
a file's name in its error, run and metric names in the cards, captions, warnings and every figure; a long
one cut with the cut marked."""

from __future__ import annotations

import json

import pytest

from core import automl
from tests.support.automl_apptest import cards, explorer, open_tab
from tests.support.hostile import ANCHOR, BOLD, LONG, SIGN_IN, TRACKER, markdown_texts, rendered_from
from ui.safe_text import CUT, LIMIT

pytestmark = pytest.mark.usefixtures("cache_dir")  # tests/automl/conftest.py
FICKLING = "[fickling](https://github.com/trailofbits/fickling)"  # the Best model tab's own link
METRIC_A, METRIC_B = TRACKER, BOLD
RUNS = {
    f"{ANCHOR}_1": {METRIC_A: [0.4], METRIC_B: [1.0]},
    f"{SIGN_IN}_2": {METRIC_A: [0.6], METRIC_B: [2.0]},
    "AutoML_plain_3": {METRIC_A: [0.5], METRIC_B: [3.0]},
}


def warnings(at) -> list[str]:
    return [w.value for w in at.warning]


def test_the_links_metric_is_named_as_text():
    at = explorer({"metric": TRACKER})
    (said,) = [w for w in warnings(at) if "is in no run" in w]
    assert said == f"The link's metric `{TRACKER!r}` is in no run here; using the default."
    assert not rendered_from(markdown_texts(at))


def test_a_20000_character_metric_in_the_link_is_cut():
    at = explorer({"metric": "[" + LONG + "](http://127.0.0.9:9/)"})
    (said,) = [w for w in warnings(at) if "is in no run" in w]
    quoted = said.removeprefix("The link's metric ").removesuffix(" is in no run here; using the default.")
    assert len(quoted) == LIMIT and quoted.endswith(CUT) and quoted.startswith("'[LLL")
    assert not rendered_from([said])  # cut before its "](": no link left to render


@pytest.fixture
def shared(tmp_path, monkeypatch):
    """An AutoML directory for the File path source (the operator's), empty to start with."""
    monkeypatch.setenv(automl.ENV_AUTOML_DIR, str(tmp_path))
    return tmp_path


def test_a_files_name_in_its_error_is_text(shared):
    name = f"{TRACKER.replace('/', '_')} {BOLD.replace('/', '')}.json"  # a file name has no slash
    (shared / name).write_text('[{"run_1": {"accuracy": [0.9]}}]')
    at = explorer({"source": "path"})
    at.text_input(key="automl_path").input(name).run()
    assert not at.exception
    (message,) = [e.value for e in at.error]
    assert message == f"`{name}: the top level is a list; expected an object {{run_id: {{metric: [value]}}}}`"
    assert not rendered_from(markdown_texts(at))


def test_run_and_metric_names_are_text_in_every_message_and_figure(shared):
    (shared / "m.json").write_text(json.dumps(RUNS))
    at = explorer({"source": "path"})
    at.text_input(key="automl_path").input("m.json").run()
    assert not at.exception and not at.error
    assert cards(at)["Runs"] == "3" and cards(at)["Primary metric"] == f"`{METRIC_A}`"
    assert any(f"`{METRIC_A!r}` is not in the metric catalogue" in w for w in warnings(at))
    texts, specs = markdown_texts(at), []
    for tab in ("Table", "Ranking", "Compare", "Correlation", "Search progress", "Algorithms", "Best model"):
        open_tab(at, tab)
        texts += markdown_texts(at)
        specs += [json.dumps(json.loads(c.proto.spec)) for c in at.get("plotly_chart")]  # "<" as itself
    assert not rendered_from(texts, ours=(FICKLING,)), rendered_from(texts, ours=(FICKLING,))
    assert len(specs) >= 6
    for spec in specs:
        for tag in ("<b>", "<a ", "<a>", "</a>", "<img"):
            assert tag not in spec, (tag, spec[:300])
    assert any("&lt;b&gt;x&lt;/b&gt;" in spec for spec in specs)  # the names are there, escaped


def test_in_spanish_the_source_line_keeps_the_run_in_code():
    at = explorer({"lang": "es"})
    caption = at.caption[0].value
    assert caption.startswith("Fuente: ") and "mejor ejecución `" in caption and "Source" not in caption
