"""A lesson's code listings on the page, bounded: one group at a time, each listing in a collapsible panel
with its highlighted lines first, the lines before them, a note of what was cut and the whole text to
download; never more than ``core.lessons.listing.BOUND`` lines sent at once."""

from __future__ import annotations

import streamlit as st

from core.lessons.listing import BOUND, Listing, excerpt, shares
from core.runtime.i18n import Translate, english
from ui.widgets import held_index


def show_listings(listings: list[Listing], *, key: str, _: Translate = english) -> None:
    """The listings of the group picked (a radio when there are several), within ``BOUND`` lines."""
    if not listings:
        return
    groups = list(dict.fromkeys(item.group for item in listings))
    group = groups[0]
    if len(groups) > 1:
        group = st.radio(
            _("What the compiler emitted for"),
            groups,
            index=held_index(key, groups, groups[0]),
            horizontal=True,
            key=key,
        )
    chosen = [item for item in listings if item.group == group]
    for number, (item, budget) in enumerate(zip(chosen, shares(chosen, BOUND), strict=True)):
        with st.expander(item.title):
            panel(item, budget, key=f"{key}:{group}:{number}", _=_)


def panel(item: Listing, budget: int, *, key: str, _: Translate = english) -> None:
    """One listing: its highlighted lines, the lines just before them, what was cut, and a download."""
    part = excerpt(item, budget)
    total = len(item.text.splitlines())
    if part.highlighted:
        last = part.highlighted_from + len(part.highlighted.splitlines()) - 1
        st.markdown(
            ":orange-background["
            + _(
                "Highlighted: lines {first}–{last} of {total}",
                first=_.number(part.highlighted_from),
                last=_.number(last),
                total=_.number(total),
            )
            + "]"
        )
        st.code(part.highlighted, language=item.language)
    if part.context:
        last = part.context_from + len(part.context.splitlines()) - 1
        caption = (
            _("Just before it: lines {first}–{last}", first=_.number(part.context_from), last=_.number(last))
            if part.highlighted
            else _(
                "Lines {first}–{last} of {total}",
                first=_.number(1),
                last=_.number(last),
                total=_.number(total),
            )
        )
        st.caption(caption)
        st.code(part.context, language=item.language)
    if part.cut:
        st.caption(_("{cut} more lines are not shown here: download the whole text.", cut=_.number(part.cut)))
    st.download_button(
        _("Download the whole text"),
        lambda: item.text,
        item.file_name,
        "text/plain",
        key=f"download:{key}",
        on_click="ignore",
    )
