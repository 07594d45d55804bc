"""What a visitor, a file or a workspace supplies is shown as text: ``ui.safe_text`` keeps ordinary names as
they are, puts anything Markdown could render in a code span, escapes what Plotly would read as HTML, and
cuts every value to a bounded length with the cut marked."""

from __future__ import annotations

import json
import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from ui.automl import charts, param_charts
from ui.layout import layout
from ui.safe_text import CUT, LIMIT, bounded, code, figure_text, plain, plotly_template, plotly_text

HOSTILE = [
    "[Session expired: sign in again](http://127.0.0.9:9/login)",
    "![x](http://127.0.0.9:9/t.png)",
    "<b>x</b>",
    "<a href=http://127.0.0.9:9/>y</a>",
    "<http://127.0.0.9:9/>",
    "www.example.org",
    "mail@example.org",
    "http://127.0.0.9:9/",
    "**bold** and _em_",
    ":red[alarm] :material/home:",
    "$x^2$",
    "# heading",
    "- item",
    "1. item",
    "> quote",
    "a `tick` and ``two``",
    "[ref][1]",
    "[1]: http://127.0.0.9:9/",
    "&lt;b&gt;",
    "back\\slash",
    "~~gone~~",
]
ORDINARY = [
    "log_loss",
    "AUC_weighted",
    "norm_macro_recall",
    "AutoML_40b56796_12",
    "n=abc",
    "'r2_score'",
    "#12 · LightGBM",
    "1.5 MB",
    "metrics_data: the top level is a list; expected an object {run_id: {metric: [value]}}",
    "msal_token_cache.json: no numeric metric values in 2 run(s); found objects of objects",
    "Máquina de vectores · núcleos",
]


def in_code_span(text: str) -> str:
    """The content of ``text`` if it is one whole code span (CommonMark's rules), else fail."""
    fence = re.match(r"`+", text).group()
    assert text.endswith(fence) and len(text) > 2 * len(fence)
    inner = text[len(fence) : -len(fence)]
    assert not re.search(rf"(?<!`){fence}(?!`)", inner), "the fence closes inside"
    if inner.startswith(" ") and inner.endswith(" ") and inner.strip():
        inner = inner[1:-1]
    return inner


@pytest.mark.parametrize("text", HOSTILE)
def test_anything_markdown_could_render_is_one_code_span_of_the_text(text):
    assert in_code_span(plain(text)) == text


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_names_and_messages_read_as_before(text):
    assert plain(text, limit=400) == text


def test_a_code_span_holds_backticks_and_runs_of_them():
    for text in ("`", "a`b", "``x``", "ends with `", "```fence```"):
        assert in_code_span(code(text)) == text
    assert code("p_1") == "`p_1`" and code("") == ""


def test_a_long_value_is_cut_with_the_cut_marked():
    long = "A" * 20_000
    assert plain(long) == "A" * (LIMIT - 1) + CUT and len(plain(long)) == LIMIT
    hostile = "[x](http://127.0.0.9:9/" + "a" * 20_000 + ")"
    shown = in_code_span(plain(hostile))
    assert len(shown) == LIMIT and shown.endswith(CUT) and hostile.startswith(shown[:-1])
    assert bounded("abc", 2) == "a" + CUT and bounded("abc", 3) == "abc"


def test_line_breaks_and_invisible_characters_become_one_space():
    assert bounded("a\n\n# b\r\n\tc\u202ed\u200be") == "a # b c d e"
    assert plain("x\n# heading") == "x # heading"  # one line: no heading starts on a second one


def test_plotly_text_escapes_what_plotly_reads_as_html():
    assert plotly_text("<a href=http://127.0.0.9:9/>y</a> & <b>") == (
        "&lt;a href=http://127.0.0.9:9/&gt;y&lt;/a&gt; &amp; &lt;b&gt;"
    )
    assert plotly_text("x" * 500).endswith(CUT) and len(plotly_text("x" * 500)) == LIMIT
    template = "%{customdata[0]}<br><b>m</b> %{x:.4f}<br>a&b<extra></extra>"
    assert plotly_template(template) == (
        "%{customdata[0]}<br>&lt;b&gt;m&lt;/b&gt; %{x:.4f}<br>a&amp;b<extra></extra>"
    )


HOSTILE_RUNS = pd.DataFrame(
    {
        "run_id": ["<b>x</b>_1", "<a href=http://127.0.0.9:9/>y</a>_2", "r_3"],
        "iteration": [1, 2, 3],
        "algorithm": ["<b>A</b>", "<img src=http://127.0.0.9:9/t.png>", "B"],
        "<i>m</i>": [0.1, 0.2, 0.3],
        "v": [1.0, 2.0, 3.0],
        "<b>p</b>": ["<a href=http://127.0.0.9:9/>q</a>", "z", "z"],
    }
)
METRIC = "<i>m</i>"


def figures() -> dict[str, go.Figure]:
    ranked = HOSTILE_RUNS.rename(columns={METRIC: "value"})
    return {
        "ranking": charts.ranking_bars(ranked, METRIC),
        "scatter": charts.scatter(HOSTILE_RUNS, METRIC, "v", best="r_3"),
        "parallel": charts.parallel(HOSTILE_RUNS, [METRIC, "v"], METRIC),
        "heatmap": charts.heatmap(HOSTILE_RUNS[[METRIC, "v"]].corr()),
        "boxes": charts.boxes(HOSTILE_RUNS, METRIC, ["<b>A</b>", "B"]),
        "by parameter": param_charts.by_parameter(
            HOSTILE_RUNS, METRIC, "<b>p</b>", facet="algorithm", numeric=False
        ),
        "parameter axes": param_charts.parallel(
            HOSTILE_RUNS, [METRIC, "<b>p</b>"], METRIC, numeric={"<b>p</b>": False}
        ),
    }


@pytest.mark.parametrize("name", list(figures()))
def test_no_name_reaches_a_figure_as_html(name):
    spec = json.loads(figures()[name].to_json())
    spec["layout"].pop("template", None)
    spec = json.dumps(spec)
    assert not re.search(r"<(?!br>|extra>|/extra>)", spec), "a tag from a name is in the figure"
    assert "&lt;" in spec  # the names are there, escaped


def test_categories_stay_one_per_value_and_in_their_order():
    long = ["L" * 100 + "1", "L" * 100 + "2"]
    fig = go.Figure(go.Bar(x=long, y=[1, 2]))
    fig.update_xaxes(categoryorder="array", categoryarray=long[::-1])
    shown = figure_text(fig)
    labels = list(shown.data[0].x)
    assert len(set(labels)) == 2 and all(len(label) <= LIMIT for label in labels)
    assert list(shown.layout.xaxis.categoryarray) == labels[::-1]


def test_the_figures_own_text_reads_as_before():
    fig = layout(go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="numpy")), "Speed-up of numpy & numba")
    assert fig.layout.title.text == "Speed-up of numpy &amp; numba"  # Plotly shows "&"
    assert fig.data[0].name == "numpy" and list(fig.data[0].x) == [1, 2]
