"""The π page's "Ignored in the link" warning shows what a link carried as text: a Markdown link or image in
it is never rendered, a long value is cut with the cut marked, and only the first few are named."""

from __future__ import annotations

from tests.support.apptest import app
from tests.support.hostile import LONG, SIGN_IN, TRACKER, rendered_from
from ui.pi.settings import SHOWN_IGNORED
from ui.safe_text import CUT, LIMIT

PAGE = "pages/pi_estimate.py"


def toasts(query: dict) -> list[str]:
    at = app(PAGE, query=query)
    assert not at.exception, at.exception
    return [t.value for t in at.toast]


def test_a_link_or_an_image_in_the_link_is_shown_as_text():
    (said,) = toasts({"backends": f"{SIGN_IN},numpy", "n": TRACKER})
    assert said == f"Ignored in the link: `n={TRACKER}`, backend `{SIGN_IN}`"
    assert not rendered_from([said])


def test_a_20000_character_value_is_cut_with_the_cut_marked():
    (said,) = toasts({"backends": LONG})
    assert said == "Ignored in the link: backend " + "L" * (LIMIT - 1) + CUT
    assert len(said) < 200


def test_many_unknown_values_name_the_first_few_then_a_cut():
    names = [f"nope{i}" for i in range(1000)]
    (said,) = toasts({"backends": ",".join(names)})
    shown = ", ".join(f"backend {n}" for n in names[:SHOWN_IGNORED])
    assert said == f"Ignored in the link: {shown}, {CUT}"


def test_in_spanish_the_warning_keeps_the_value_as_text():
    (said,) = toasts({"backends": SIGN_IN, "lang": "es"})
    assert said.endswith(f"`{SIGN_IN}`") and "Ignored" not in said and not rendered_from([said])
