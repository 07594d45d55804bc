"""What a visitor, a file or a workspace supplies, shown as text only: never rendered as Markdown or HTML,
and cut to a bounded length with the cut marked (…).

``plain`` is for every Streamlit call that renders Markdown (messages, captions, toasts, help tooltips,
headers); ``bounded`` for widgets that show text as it is (a selectbox's options, a multiselect's chips);
``figure_text`` for Plotly, which renders a subset of HTML (``<a href>``, ``<b>``, ``<br>`` …) in every title,
label, legend, tick and hover text: ``ui.layout.layout`` passes every figure through it once.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import plotly.graph_objects as go

CUT = "…"
LIMIT = 80  # characters of a value shown in a sentence or a widget
MESSAGE_LIMIT = 400  # characters of a whole message that quotes values (an error about a file)
FIGURE_LIMIT = 200  # characters of a figure's own text that may quote values (a title, a hover template)

_BLANKS = re.compile(r"[\s\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]+")
# What Markdown (GitHub's, with Streamlit's additions) could make something of on one line: a link, an
# image or a reference ("](", "][", "]:"), HTML or an autolink ("<a", "</", "<!"), a literal autolink
# ("://", "www.", an e-mail's "@"), code, emphasis, strike-through, math, an escape or an entity, Streamlit's
# ":red[…]", ":material/…:" and emoji codes, an underscore that can open or close emphasis, and a heading,
# quote, list or rule at the start. Text with none of them reads the same rendered or not.
_ACTIVE = re.compile(
    r"\][(\[:]|<[A-Za-z/!?]|://|www\.|@|[`*~$\\&]|:[\w/-]+[:\[]"
    r"|(?<![^\W_])_|_(?![^\W_])|^(?:#{1,6}(?:\s|$)|>|[-+](?:\s|$)|-{3}|\d{1,9}[.)](?:\s|$))",
    re.IGNORECASE,
)
# The parts of a hover template that are Plotly's or Pi Lab's own, kept as they are: placeholders, line
# breaks and the secondary box.
_TEMPLATE_PARTS = re.compile(r"(%\{[^}]*\}|<br>|<extra>|</extra>)")
_LABEL_KEYS = {"x", "y", "ids", "parents", "labels", "categoryarray", "ticktext"}  # one label per value
_VALUE_KEYS = {"name", "hovertext", "customdata", "label"}
_TEXT_KEYS = {"text"}  # titles, annotations, cells: the figure's own words quoting values
_TEMPLATE_KEYS = {"hovertemplate", "texttemplate"}


def bounded(text: object, limit: int = LIMIT) -> str:
    """``text`` on one line (line breaks, control and direction characters as one space), cut to ``limit``
    characters with the cut marked: for widgets that show text as it is."""
    line = _BLANKS.sub(" ", str(text)).strip()
    return line if len(line) <= limit else line[: limit - 1] + CUT


def plain(text: object, limit: int = LIMIT) -> str:
    """``text`` for a Markdown context (a message, a caption, a toast, a tooltip), shown and never rendered:
    one line, cut to ``limit`` characters with the cut marked; as it is where Markdown would change nothing,
    else in a code span (links, images, HTML, emphasis and Streamlit's ``:colour[…]`` stay text)."""
    line = bounded(text, limit)
    return code(line, limit) if _ACTIVE.search(line) else line


def code(text: object, limit: int = LIMIT) -> str:
    """``text`` as a code span, whatever it holds (backticks too): one line, cut to ``limit`` characters."""
    line = bounded(text, limit)
    if not line:
        return ""
    fence = "`" * (max((len(run) for run in re.findall("`+", line)), default=0) + 1)
    pad = " " if line[0] == "`" or line[-1] == "`" else ""  # CommonMark takes one space off each side
    return f"{fence}{pad}{line}{pad}{fence}"


def plotly_text(text: object, limit: int = LIMIT) -> str:
    """``text`` for Plotly's text: one line, cut to ``limit`` characters, ``&``, ``<`` and ``>`` escaped
    (Plotly shows the characters themselves, never a tag)."""
    return html.escape(bounded(text, limit), quote=False)


def plotly_template(template: str, limit: int = FIGURE_LIMIT) -> str:
    """A hover or text template with the values written into it escaped and cut; its placeholders
    (``%{x}``), line breaks and ``<extra>`` box kept."""
    parts = _TEMPLATE_PARTS.split(template)
    return "".join(p if i % 2 else html.escape(p[:limit], quote=False) for i, p in enumerate(parts))


class _Labels:
    """Labels of one figure (categories, ids, ticks): each value escaped and cut, two values never one
    label (a category axis would merge them), the same value always the same label."""

    def __init__(self) -> None:
        self.shown: dict[str, str] = {}
        self.taken: set[str] = set()

    def __call__(self, value: str) -> str:
        if value not in self.shown:
            label, copy = plotly_text(value), 1
            while label in self.taken:
                copy += 1
                suffix = f" ({copy})"
                label = plotly_text(value, LIMIT - len(suffix)) + suffix
            self.shown[value] = label
            self.taken.add(label)
        return self.shown[value]


def figure_text(fig: go.Figure) -> go.Figure:
    """``fig`` with every text Plotly would render as HTML escaped and cut (trace names, categories, ticks,
    hover text and templates, titles, annotations, dimension labels); numbers, colours and settings as they
    are. Call it once per figure: escaping twice would show ``&amp;``."""
    labels = _Labels()

    def escape(key: str, text: str) -> str:
        if key in _TEMPLATE_KEYS:
            return plotly_template(text)
        if key in _LABEL_KEYS:
            return labels(text)
        if key in _VALUE_KEYS:
            return plotly_text(text)
        return plotly_text(text, FIGURE_LIMIT) if key in _TEXT_KEYS else text

    spec = fig.to_plotly_json()
    spec["layout"].pop("template", None)  # Plotly's defaults: no value of anyone's in them
    fig.update(data=_walk(spec["data"], "", escape), layout=_walk(spec["layout"], "", escape))
    return fig


def _walk(node: Any, key: str, escape: Callable[[str, str], str]) -> Any:
    if isinstance(node, str):
        return escape(key, node)
    if isinstance(node, dict):
        return {k: _walk(v, k, escape) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [_walk(v, key, escape) for v in node]
    if isinstance(node, np.ndarray) and node.dtype.kind in "OUS":
        return [_walk(v, key, escape) for v in node.tolist()]
    return node
