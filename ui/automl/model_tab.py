"""The Best model tab: a model file (uploaded, or fetched for the best child by the operator from a live
source) read statically, never unpickled, and drawn as a tree with its safety verdict."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import automl
from core.automl.modelfile import report as modelfile
from core.runtime.i18n import N_, Translate, english
from ui.automl.view import View
from ui.i18n import readable, translator
from ui.runtime.access import is_operator, settings
from ui.safe_text import MESSAGE_LIMIT, plain

MAX_TREE_LINES = 400
TOP = N_("(top)")  # where the root estimator sits
MAX_PARAM_ROWS = 2_000
MAX_UPLOAD_BYTES = 64 * 2**20  # the server's maxUploadSize (.streamlit/config.toml)
PARAMETER_COLUMNS = [N_("where"), N_("estimator"), N_("parameter"), N_("value")]


def model_tab(v: View) -> None:
    """Upload a model file (anyone), or fetch the best child's (the operator, from MLflow or Azure ML)."""
    _ = translator()
    st.markdown(
        _(
            "A model file (a pipeline's `model_data` output, a child run's `outputs/model.pkl`) is **read, "
            "never loaded**: its pickle opcodes are analysed as data with "
            "[fickling](https://github.com/trailofbits/fickling), so nothing in it is imported or run. "
            "Every global it would import is listed; anything outside the ML libraries is a warning."
        )
    )
    up = st.file_uploader(_("A model file (.pkl, model_data)"), key="automl_model_upload")
    if up is not None:
        _read(("upload", up.file_id, _.lang), lambda: up.getvalue(), up.name, _=_)  # read again in another
    elif is_operator() and v.source in ("mlflow", "azure"):
        best = v.summary.best_run
        fetch = _("Fetch the best child's model file ({run})", run=plain(best[-24:]))
        if st.button(fetch, key="automl_model_fetch"):
            read = lambda: _fetch(v.source, best, _=_)  # noqa: E731
            _read(("fetch", v.source, best), read, f"{best}/model.pkl", force=True, _=_)
    held = st.session_state.get("automl_model_report")
    if held is not None and up is None and held[0][0] == "upload":  # the upload was removed
        held = st.session_state.automl_model_report = None
    if held is None:
        st.info(_("Upload a model file to see what it is made of.") + _fetch_hint(v, _))
        return
    _key, report, error = held
    if error:
        st.error(plain(error, MESSAGE_LIMIT), icon="⚠️")
        return
    draw(report, _=_)


def _fetch_hint(v: View, _: Translate) -> str:
    if is_operator() and v.source not in ("mlflow", "azure"):
        return " " + _("Pulled from MLflow or Azure ML, the best child's model can be fetched here too.")
    return ""


def _fetch(source: str, run_id: str, *, _: Translate) -> bytes:
    """The best child's model file from the live source this session pulled from (operator only)."""
    if source == "mlflow":
        from core.automl.sources.mlflow_runs import fetch_model

        uri = st.session_state.get("automl_mlflow_uri", "")
        return fetch_model(uri, run_id, MAX_UPLOAD_BYTES, settings=settings())
    from core.automl.sources.azureml_v1 import fetch_model

    workspace = st.session_state.get("automl_az_workspace")
    experiment = st.session_state.get("automl_az_exp")
    if workspace is None or not experiment:
        raise automl.AutoMLError(_("Azure ML: connect to the workspace first"))
    return fetch_model(workspace, experiment, run_id, max_bytes=MAX_UPLOAD_BYTES)


def _read(key: tuple, get_bytes, name: str, *, force: bool = False, _: Translate) -> None:
    """Read the file once per ``key`` (a new upload, a fetch) and keep the report in the session."""
    held = st.session_state.get("automl_model_report")
    if held is not None and held[0] == key and not force:
        return
    with st.spinner(_("Reading the model file statically …")):
        try:
            report, error = modelfile.read_bytes(get_bytes(), name, MAX_UPLOAD_BYTES, _=_), None
        except automl.AutoMLError as exc:
            report, error = None, str(exc)
    st.session_state.automl_model_report = (key, report, error)


def draw(report: modelfile.ModelReport, *, _: Translate = english) -> None:
    """The verdict, the tree, every estimator's parameters and every global, in ``_``'s language (what the
    file itself names as it is)."""
    verdict = report.verdict
    box = {"allow-listed": st.success, "warning": st.warning, "malicious": st.error}[verdict.level]
    box(f"**{plain(report.name)}** · {verdict.headline(_=_)}", icon="🛡️" if verdict.safe else "⚠️")
    for line in verdict.reasons(_=_)[:20] + [f"fickling: {f}" for f in verdict.findings[:10]]:
        st.text(f"• {line}")  # plain text: what a pickle says is never rendered as Markdown
    lines = modelfile.tree_lines(report.root, _=_)
    st.code("\n".join(lines[:MAX_TREE_LINES]) + ("\n…" if len(lines) > MAX_TREE_LINES else ""), language=None)
    protocol = "0/1" if report.protocol is None else str(report.protocol)
    st.caption(
        _(
            "{size} bytes · pickle protocol {protocol} · {opcodes} opcodes. The same from a terminal: "
            "`python -m core.automl model FILE`.",
            size=_.number(report.size),
            protocol=protocol,
            opcodes=_.number(report.opcodes),
        )
        + "".join(" " + _("Note: {note}.", note=n) for n in report.notes[:3])
    )
    shown = parameters(report.root).head(MAX_PARAM_ROWS)
    shown = shown.assign(where=[_(w) if w == TOP else w for w in shown["where"]])
    st.dataframe(readable(shown, _), hide_index=True, width="stretch")
    with st.expander(_("Globals it would import ({n})", n=_.number(len(verdict.imports)))):
        st.dataframe(readable(verdict.imports.head(MAX_PARAM_ROWS), _), hide_index=True, width="stretch")


def parameters(root: modelfile.Estimator) -> pd.DataFrame:
    """Every estimator's plain parameters: where it sits in the tree, its class, name and value (as text)."""
    rows: list[tuple[str, str, str, str]] = []

    def walk(node: modelfile.Estimator, path: str) -> None:
        for name, value in node.params.items():
            rows.append((path, node.name, name, repr(value)))
        for member in node.children:
            walk(member.node, member.role if path == TOP else f"{path} / {member.role}")

    walk(root, TOP)
    return pd.DataFrame(rows, columns=PARAMETER_COLUMNS)
