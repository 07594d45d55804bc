"""The operator's published pipelines: list the workspace's, pick one, give the experiment and its declared
parameters, trigger it; the new run's id and studio link are shown, and the page watches it live."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import automl
from ui.safe_text import MESSAGE_LIMIT, bounded, code, plain


def pipelines_panel(workspace) -> tuple[str, str] | None:
    """The list and the trigger form; ``(experiment, run id)`` of a run triggered in this script run."""
    from core.automl.sources import pipelines

    if st.button("List published pipelines", key="automl_pp_list"):
        try:
            st.session_state.automl_pp_found = pipelines.list_published(workspace)
        except automl.AutoMLError as exc:
            st.error(plain(str(exc), MESSAGE_LIMIT), icon="⚠️")
    found: list[pipelines.Published] = st.session_state.get("automl_pp_found", [])
    if not found:
        st.caption("Pipelines published from a notebook (`pipeline.publish(...)`) are listed here.")
        return None
    rows = [{k: v for k, v in p.to_dict().items() if k != "parameters"} for p in found]
    st.dataframe(
        pd.DataFrame(rows)[["name", "version", "id", "status", "endpoint"]], hide_index=True, width="stretch"
    )
    chosen = st.selectbox(
        "Pipeline",
        found,
        format_func=lambda p: bounded(f"{p.name} v{p.version or '?'} · {p.status}"),
        key="automl_pp_pick",
    )
    with st.form("automl_pp_form"):
        experiment = st.text_input("Experiment for the new run", key="automl_pp_experiment")
        values = {
            name: st.text_input(f"Parameter {plain(name)}", value=default, key=f"automl_pp_param_{name}")
            for name, default in chosen.parameters.items()
        }
        pressed = st.form_submit_button("Trigger the pipeline", type="primary")
    last = st.session_state.get("automl_pp_run")
    if pressed:
        try:
            with st.spinner(f"Submitting {plain(chosen.name)} …"):
                last = pipelines.trigger(workspace, chosen, experiment=experiment.strip(), values=values)
        except automl.AutoMLError as exc:
            st.error(plain(str(exc), MESSAGE_LIMIT), icon="⚠️")
            return None
        st.session_state.automl_pp_run = last
    if last is not None:
        link = f" · [open it in the studio]({last.portal_url})" if last.portal_url else ""
        st.success(
            f"Submitted: run {code(last.run_id)} in experiment {code(last.experiment)}{link}; "
            "watching it below."
        )
    return (last.experiment, last.run_id) if pressed and last is not None else None
