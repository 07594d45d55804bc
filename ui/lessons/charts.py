"""The Plotly figure of a lesson's result: grouped bars, or a timeline of processes, in the reader's
language (labels, legend, ticks and bar labels)."""

from __future__ import annotations

import re

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from core.lessons import Result
from core.runtime.i18n import Translate, english

HEIGHT = 320
MARGIN = {"l": 10, "r": 10, "t": 30, "b": 10}  # a compact figure under the lesson's metrics, no title
NUMBERED = re.compile(r"^(?P<words>.*?)(?P<tail> · #\d+| \d+)$")  # "together · #2", "trial 3"
COUNTED = re.compile(r"^(?P<count>\d{1,3}(?:,\d{3})*) (?P<words>\D+)$")  # "50,000 tiny", "8 heavy"


def cell(value: object, _: Translate = english) -> object:
    """A table cell for the eye: a text a lesson marked ``N_`` translated (also before its number: "trial
    3", or after a count: "50,000 tiny", the count then written the language's way); any other value as it
    is."""
    if not isinstance(value, str):
        return value
    counted = COUNTED.match(value)
    if counted and _(counted["words"]) != counted["words"]:
        return _.number(int(counted["count"].replace(",", ""))) + " " + _(counted["words"])
    found = NUMBERED.match(value)
    if found and _(found["words"]) != found["words"]:
        return _(found["words"]) + found["tail"]
    return _(value)


def cells(table: pd.DataFrame, _: Translate = english) -> pd.DataFrame:
    """``table`` with its text cells translated (see ``cell``); its columns as they are."""
    out = table.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = [cell(v, _) for v in out[column]]
    return out


def figure(result: Result, *, _: Translate = english) -> go.Figure | None:
    """The figure ``result.chart`` describes over its rows, or None when the lesson has no chart."""
    if result.chart is None:
        return None
    spec = result.chart
    data = cells(pd.DataFrame(result.chart_rows()), _)
    names = {c: _(c) for c in data.columns}
    if spec.kind == "timeline":
        label, start, end = spec.x, spec.y, spec.colour
        data["seconds"] = data[end] - data[start]
        fig = px.bar(
            data,
            y=label,
            x="seconds",
            base=start,
            orientation="h",
            color="run",
            labels=names | {label: "", "seconds": _("seconds")},
        )
        fig.update_yaxes(autorange="reversed")
        fig.update_xaxes(title=_(spec.axis))
    else:
        heights = data[spec.y]
        text = heights.map(lambda s: seconds(s, _=_)) if spec.y == "seconds" else heights.map(_.number)
        fig = px.bar(data, x=spec.x, y=spec.y, color=spec.colour, barmode="group", text=text, labels=names)
    fig.update_traces(textposition="outside", textangle=0, cliponaxis=False)
    fig.update_layout(height=HEIGHT, margin=MARGIN, legend_title_text="", separators=_.separators)
    return fig


def seconds(s: float, *, _: Translate = english) -> str:
    """A duration as a bar's label: µs, ms or s."""
    if s < 1e-3:
        return _.number(s * 1e6, decimals=0) + " µs"
    return _.number(s * 1e3, decimals=0) + " ms" if s < 1 else _.number(s, decimals=2) + " s"
