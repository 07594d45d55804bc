"""The operator's published pipelines: list the workspace's, pick one, give the experiment and its declared
parameters, trigger it; the new run's id and studio link are shown, and the page watches it live."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import automl
from core.runtime.i18n import N_, Translate, english
from ui.i18n import readable
from ui.safe_text import MESSAGE_LIMIT, bounded, code, plain

COLUMNS = (N_("name"), N_("version"), N_("id"), N_("status"), N_("endpoint"))  # the list's, as shown


def pipelines_panel(workspace, *, _: Translate = english) -> tuple[str, str] | None:
    """The list and the trigger form, in ``_``'s language; ``(experiment, run id)`` of a run triggered in
    this script run."""
    from core.automl.sources import pipelines

    if st.button(_("List published pipelines"), key="automl_pp_list"):
        try:
            st.session_state.automl_pp_found = pipelines.list_published(workspace)
        except automl.AutoMLError as exc:
            st.error(plain(exc.text(_), MESSAGE_LIMIT), icon="⚠️")
    found: list[pipelines.Published] = st.session_state.get("automl_pp_found", [])
    if not found:
        st.caption(_("Pipelines published from a notebook (`pipeline.publish(...)`) are listed here."))
        return None
    rows = [{k: v for k, v in p.to_dict().items() if k != "parameters"} for p in found]
    listed = pd.DataFrame(rows)[list(COLUMNS)]
    st.dataframe(readable(listed, _), hide_index=True, width="stretch")
    chosen = st.selectbox(
        _("Pipeline"),
        found,
        format_func=lambda p: bounded(f"{p.name} v{p.version or '?'} · {p.status}"),
        key="automl_pp_pick",
    )
    with st.form("automl_pp_form"):
        experiment = st.text_input(_("Experiment for the new run"), key="automl_pp_experiment")
        values = {
            name: st.text_input(
                _("Parameter {name}", name=plain(name)), value=default, key=f"automl_pp_param_{name}"
            )
            for name, default in chosen.parameters.items()
        }
        pressed = st.form_submit_button(_("Trigger the pipeline"), type="primary")
    last = st.session_state.get("automl_pp_run")
    if pressed:
        try:
            with st.spinner(_("Submitting {pipeline} …", pipeline=plain(chosen.name))):
                last = pipelines.trigger(workspace, chosen, experiment=experiment.strip(), values=values)
        except automl.AutoMLError as exc:
            st.error(plain(exc.text(_), MESSAGE_LIMIT), icon="⚠️")
            return None
        st.session_state.automl_pp_run = last
    if last is not None:
        link = _(" · [open it in the studio]({url})", url=last.portal_url) if last.portal_url else ""
        st.success(
            _(
                "Submitted: run {run} in experiment {experiment}{link}; watching it below.",
                run=code(last.run_id),
                experiment=code(last.experiment),
                link=link,
            )
        )
    return (last.experiment, last.run_id) if pressed and last is not None else None
