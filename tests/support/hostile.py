"""Values a curious class would put in a link, a file's name or a run's name, and the checks that what the
page renders of them is text: no link, image or tag of theirs outside a code span."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

ADDRESS = "127.0.0.9:9"  # nothing listens there: a request for it is a leak
SIGN_IN = f"[Session expired: sign in again](http://{ADDRESS}/login)"
TRACKER = f"![x](http://{ADDRESS}/t.png)"
BOLD = "<b>x</b>"
ANCHOR = f"<a href=http://{ADDRESS}/>y</a>"
LONG = "L" * 20_000
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_RENDERED = re.compile(r"\]\(|\]\[|<[a-z/!]|www\.|://", re.IGNORECASE)


def outside_code(markdown: str) -> str:
    """``markdown`` with its code spans taken out: what Markdown would render."""
    return _CODE_SPAN.sub("", markdown)


def markdown_texts(at: AppTest) -> list[str]:
    """Every text the page sent to be rendered as Markdown: messages, captions, toasts, cards and their
    tooltips, headers."""
    found = [
        e.value
        for kind in ("markdown", "caption", "warning", "error", "info", "success")
        for e in at.get(kind)
    ]
    found += [t.value for t in at.toast] + [h.value for h in [*at.title, *at.header, *at.subheader]]
    for metric in at.metric:
        found += [metric.label, metric.value, metric.proto.help]
    return found


def rendered_from(texts: list[str], ours: tuple[str, ...] = ()) -> list[str]:
    """The texts in which Markdown would render a link, an image, a tag or an address (outside code spans),
    leaving out ``ours``: the page's own links."""
    left = []
    for text in texts:
        rest = outside_code(text)
        for own in ours:
            rest = rest.replace(own, "")
        if _RENDERED.search(rest):
            left.append(text)
    return left
