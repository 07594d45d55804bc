"""The AutoML explorer's view in its URL: ``?source=sample&metric=log_loss&metrics=a,b&params=p,q&by=p
&second=sample``, read once a session, written on every run."""

from __future__ import annotations

import streamlit as st

from ui import url


def read_url(sources: list[str]) -> str | None:
    """The view in a link, once: its source is returned (to give the Source radio as its default), the rest
    kept for the widgets drawn later."""
    link = url.read_once("automl")
    if link.get("metric"):
        st.session_state.automl_url_metric = link["metric"]
    if link.get("metrics"):
        st.session_state.automl_url_metrics = [m for m in link["metrics"].split(",") if m][:50]
    if link.get("params"):
        st.session_state.automl_url_params = [p for p in link["params"].split(",") if p][:50]
    if link.get("by"):
        st.session_state.automl_url_by = link["by"]
    if link.get("second"):
        st.session_state.automl_second = link["second"]  # checked against the choices in its tab
    return link.get("source") if link.get("source") in sources else None


def write_url(source: str, metric: str, chosen: list[str], *, params: list[str] = (), by: str = "") -> None:
    """The view into the URL; the parameters' keys and AutoML run B only when set (an upload has no link)."""
    second = st.session_state.get("automl_second", "")
    extra = {
        "params": ",".join(params),
        "by": by if by != "algorithm" else "",
        "second": second if second != "upload" else "",
    }
    url.write(
        {
            "source": source,
            "metric": metric,
            "metrics": ",".join(chosen),
            **{k: v for k, v in extra.items() if v},
        }
    )
    for key in [k for k, v in extra.items() if not v and k in st.query_params]:
        del st.query_params[key]
