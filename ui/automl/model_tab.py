"""The Best model tab: a model file (uploaded, or fetched for the best child by the operator from a live
source) read statically, never unpickled, and drawn as a tree with its safety verdict."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import automl
from core.automl.modelfile import report as modelfile
from ui.automl.view import View
from ui.runtime.access import is_operator, settings
from ui.safe_text import MESSAGE_LIMIT, plain

MAX_TREE_LINES = 400
TOP = "(top)"
MAX_PARAM_ROWS = 2_000
MAX_UPLOAD_BYTES = 64 * 2**20  # the server's maxUploadSize (.streamlit/config.toml)


def model_tab(v: View) -> None:
    """Upload a model file (anyone), or fetch the best child's (the operator, from MLflow or Azure ML)."""
    st.markdown(
        "A model file (a pipeline's `model_data` output, a child run's `outputs/model.pkl`) is **read, never "
        "loaded**: its pickle opcodes are analysed as data with "
        "[fickling](https://github.com/trailofbits/fickling), so nothing in it is imported or run. "
        "Every global it would import is listed; anything outside the ML libraries is a warning."
    )
    up = st.file_uploader("A model file (.pkl, model_data)", key="automl_model_upload")
    if up is not None:
        _read(("upload", up.file_id), lambda: up.getvalue(), up.name)
    elif is_operator() and v.source in ("mlflow", "azure"):
        best = v.summary.best_run
        if st.button(f"Fetch the best child's model file ({plain(best[-24:])})", key="automl_model_fetch"):
            _read(("fetch", v.source, best), lambda: _fetch(v.source, best), f"{best}/model.pkl", force=True)
    held = st.session_state.get("automl_model_report")
    if held is not None and up is None and held[0][0] == "upload":  # the upload was removed
        held = st.session_state.automl_model_report = None
    if held is None:
        st.info("Upload a model file to see what it is made of." + _fetch_hint(v))
        return
    _, report, error = held
    if error:
        st.error(plain(error, MESSAGE_LIMIT), icon="⚠️")
        return
    draw(report)


def _fetch_hint(v: View) -> str:
    if is_operator() and v.source not in ("mlflow", "azure"):
        return " Pulled from MLflow or Azure ML, the best child's model can be fetched here too."
    return ""


def _fetch(source: str, run_id: str) -> bytes:
    """The best child's model file from the live source this session pulled from (operator only)."""
    if source == "mlflow":
        from core.automl.sources.mlflow_runs import fetch_model

        uri = st.session_state.get("automl_mlflow_uri", "")
        return fetch_model(uri, run_id, MAX_UPLOAD_BYTES, settings=settings())
    from core.automl.sources.azureml_v1 import fetch_model

    workspace = st.session_state.get("automl_az_workspace")
    experiment = st.session_state.get("automl_az_exp")
    if workspace is None or not experiment:
        raise automl.AutoMLError("Azure ML: connect to the workspace first")
    return fetch_model(workspace, experiment, run_id, max_bytes=MAX_UPLOAD_BYTES)


def _read(key: tuple, get_bytes, name: str, *, force: bool = False) -> None:
    """Read the file once per ``key`` (a new upload, a fetch) and keep the report in the session."""
    held = st.session_state.get("automl_model_report")
    if held is not None and held[0] == key and not force:
        return
    with st.spinner("Reading the model file statically …"):
        try:
            report, error = modelfile.read_bytes(get_bytes(), name, MAX_UPLOAD_BYTES), None
        except automl.AutoMLError as exc:
            report, error = None, str(exc)
    st.session_state.automl_model_report = (key, report, error)


def draw(report: modelfile.ModelReport) -> None:
    """The verdict, the tree, every estimator's parameters and every global."""
    verdict = report.verdict
    box = {"allow-listed": st.success, "warning": st.warning, "malicious": st.error}[verdict.level]
    box(f"**{plain(report.name)}** · {verdict.headline()}", icon="🛡️" if verdict.safe else "⚠️")
    for line in verdict.warnings[:20] + [f"fickling: {f}" for f in verdict.findings[:10]]:
        st.text(f"• {line}")  # plain text: what a pickle says is never rendered as Markdown
    lines = modelfile.tree_lines(report.root)
    st.code("\n".join(lines[:MAX_TREE_LINES]) + ("\n…" if len(lines) > MAX_TREE_LINES else ""), language=None)
    st.caption(
        f"{report.size:,} bytes · pickle protocol {'0/1' if report.protocol is None else report.protocol} · "
        f"{report.opcodes:,} opcodes. The same from a terminal: `python -m core.automl model FILE`."
        + "".join(f" Note: {n}." for n in report.notes[:3])
    )
    st.dataframe(parameters(report.root).head(MAX_PARAM_ROWS), hide_index=True, width="stretch")
    with st.expander(f"Globals it would import ({len(verdict.imports)})"):
        st.dataframe(verdict.imports.head(MAX_PARAM_ROWS), hide_index=True, width="stretch")


def parameters(root: modelfile.Estimator) -> pd.DataFrame:
    """Every estimator's plain parameters: where it sits in the tree, its class, name and value (as text)."""
    rows: list[tuple[str, str, str, str]] = []

    def walk(node: modelfile.Estimator, path: str) -> None:
        for name, value in node.params.items():
            rows.append((path, node.name, name, repr(value)))
        for member in node.children:
            walk(member.node, member.role if path == TOP else f"{path} / {member.role}")

    walk(root, TOP)
    return pd.DataFrame(rows, columns=["where", "estimator", "parameter", "value"])
