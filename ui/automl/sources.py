"""The AutoML explorer's source pickers: the widgets of each source, and the data they give (parsed once).

A student may use the bundled sample, an upload and the operator's cached pulls; the File path, MLflow and
Azure ML sources reach beyond the browser and are drawn for the operator only (``offered``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from typing import NoReturn

import streamlit as st

from core import automl
from core.automl.sources import cache
from core.automl.sources import watch as live
from core.runtime.access import Settings
from core.runtime.i18n import N_, Translate, english
from core.runtime.message import in_language
from ui.automl import watch as automl_watch
from ui.runtime.access import secrets
from ui.safe_text import MESSAGE_LIMIT, bounded, code, plain

SOURCES = {
    "sample": N_("Bundled sample"),
    "upload": N_("Upload a file"),
    "path": N_("File path"),
    "cached": N_("Cached pulls"),
    "mlflow": N_("MLflow"),
    "azure": N_("Azure ML workspace"),
}
STUDENT_SOURCES = ("sample", "upload", "cached")  # the rest read the server's files or services
FORMAT = "{run_id: {metric: [value]}}"  # the cached format, as code


def offered(*, operator: bool, automl_dir: str | None) -> list[str]:
    """The sources this visitor may use: a student the sample, an upload and the cached pulls; the operator
    every source, File path only where a directory is named for it (``settings().automl_dir``)."""
    if not operator:
        return list(STUDENT_SOURCES)
    return [s for s in SOURCES if s != "path" or automl_dir]


def load_source(
    source: str, *, operator: bool, config: Settings, _: Translate = english
) -> automl.AutoMLData | None:
    """The widgets of the chosen source, then its data (None until there is some), in ``_``'s language."""
    if source == "sample":
        return sample()
    if source == "upload":
        return upload_source(_=_)
    if source == "cached":
        return cached_source(operator=operator, _=_)
    if not operator:  # never reached: a student's radio offers none of the sources below
        return sample()
    if source == "path":
        return path_source(config.automl_dir, _=_)
    if source == "mlflow":
        return mlflow_source(config, _=_)
    return azure_source(_=_)


def stop_with_error(message: str, *, _: Translate = english) -> NoReturn:
    """Show what went wrong (a ``Message`` in ``_``'s language, as text: it may quote a file's or a run's
    name), then stop this run of the script (``st.stop``); the widgets above stay usable."""
    st.error(plain(in_language(message, _), MESSAGE_LIMIT), icon="⚠️")
    st.stop()


def show_error(exc: automl.AutoMLError, *, _: Translate = english) -> None:
    """A source's error in ``_``'s language; the page goes on."""
    st.error(plain(exc.text(_), MESSAGE_LIMIT), icon="⚠️")


@st.cache_resource(show_spinner=False)
def sample() -> automl.AutoMLData:
    """Parsed once per server; the analysis functions never change it."""
    return automl.SampleSource().load()


def parse_once(
    signature: tuple, parse: Callable[[], automl.AutoMLData], *, _: Translate = english
) -> automl.AutoMLData:
    """``parse()`` once per signature (file id, path and mtime …), kept in the session; a parse error is kept
    too (its ``Message``, so that a switch of language rewrites it), and shown with ``stop_with_error`` on
    every run until the signature changes."""
    held = st.session_state.get("automl_loaded")
    if held is None or held[0] != signature:
        try:
            held = (signature, parse(), None)
        except automl.AutoMLError as exc:
            held = (signature, None, exc.message)
        st.session_state.automl_loaded = held
    if held[2]:
        stop_with_error(held[2], _=_)
    return held[1]


def upload_source(*, _: Translate = english) -> automl.AutoMLData | None:
    up = st.file_uploader(
        _("A metrics file: `{format}` (a pipeline's metrics_data, or a Pi Lab export)", format=FORMAT),
        key="automl_upload",
    )
    if up is None:
        st.info(_("Upload a file to explore it."))
        return None
    return parse_once(("upload", up.file_id), lambda: automl.UploadSource(up.name, up.getvalue()).load(), _=_)


def path_source(folder: str | None, *, _: Translate = english) -> automl.AutoMLData | None:
    """A file in the operator's AutoML directory, named relative to it; every refusal reads the same."""
    text = st.text_input(
        _("Name of a metrics file in the AutoML directory"),
        key="automl_path",
        help=_(
            "Relative to the directory the operator set (`PILAB_AUTOML_DIR` or `[pilab] automl_dir`); "
            "nothing outside it is read."
        ),
    )
    if not text:
        st.info(_("Type the name of a metrics file in the AutoML directory."))
        return None
    try:
        if not folder:
            raise automl.AutoMLError(automl.PATH_REFUSED)
        path = automl.confined_path(folder, text)
        stamp = path.stat().st_mtime_ns
    except (automl.AutoMLError, OSError):
        stop_with_error(automl.PATH_REFUSED, _=_)
    return parse_once(("path", str(path), stamp), lambda: automl.FileSource(path).load(), _=_)


def cached_source(*, operator: bool, _: Translate = english) -> automl.AutoMLData | None:
    """A pull the operator cached. A student sees neither the cache's path nor where the pull came from
    (an MLflow URI, an Azure workspace's ids): its label becomes the file's name."""
    files = cache.list_cached()
    if not files:
        if operator:
            st.info(
                _(
                    "No cached pulls yet in `{folder}`: the operator pulls from MLflow or Azure ML first.",
                    folder=cache.cache_dir(),
                )
            )
        else:
            st.info(_("No cached pulls yet: the operator pulls from MLflow or Azure ML first."))
        return None
    chosen = st.selectbox(_("Cached pull"), files, format_func=lambda p: bounded(p.name), key="automl_cached")

    try:
        stamp = chosen.stat().st_mtime_ns
    except OSError:
        stop_with_error(_("{name}: no longer in the cache; pick another.", name=chosen.name))
    load = partial(cache.load_pull, chosen, operator=operator)
    return parse_once(("cached", str(chosen), stamp, operator), load, _=_)


# --- live sources (operator only): pull child runs, keep them in the session, cache them as JSON --------


def pulled(kind: str) -> automl.AutoMLData | None:
    """The last pull from a live source in this session, if any."""
    return st.session_state.get(f"automl_pulled_{kind}")


def pull_button(
    kind: str, key: str, make_source: Callable[[], automl.Source], *, name: str, _: Translate = english
) -> None:
    """A "Pull child runs" button: read the live source, keep it in the session, cache it as ``name``."""
    if not st.button(_("Pull child runs"), type="primary", key=key):
        return
    with st.spinner(_("Reading child runs and their metrics …")):
        try:
            with live.exclusive(name, timeout=30):  # never beside a watch's pull of the same source
                data, document = automl.load_live(make_source())
        except automl.AutoMLError as exc:
            stop_with_error(exc.message, _=_)
    st.session_state.pop(f"automl_watch_{kind}", None)  # this pull is the view now
    save_pull(kind, data, document, name=name, _=_)


def save_pull(
    kind: str, data: automl.AutoMLData, document: dict, *, name: str, _: Translate = english
) -> None:
    """Keep a pull in the session and write it to the cache; say where (or why not)."""
    st.session_state[f"automl_pulled_{kind}"] = data
    runs = _.number(len(data.runs))
    try:
        path = cache.write(document, name)
        st.success(
            _(
                "Pulled {runs} runs; cached for offline use as {path}.",
                runs=runs,
                path=code(path, MESSAGE_LIMIT),
            )
        )
    except OSError as exc:
        st.warning(
            _(
                "Pulled {runs} runs, but the cache could not be written: {reason}",
                runs=runs,
                reason=exc.strerror,
            )
        )


def mlflow_source(config: Settings, *, _: Translate = english) -> automl.AutoMLData | None:
    """Operator only: every URI is checked against ``config``'s allow-lists before MLflow sees it."""
    from core.automl.sources import mlflow_runs as ml

    uri = st.text_input(
        _("Tracking URI"),
        value=os.environ.get("MLFLOW_TRACKING_URI", ""),
        key="automl_mlflow_uri",
        placeholder=_(
            "azureml://<region>.api.azureml.ms/mlflow/… or sqlite:///{folder}/mlflow.db",
            folder=config.data_dir,
        ),
    )
    st.caption(
        _(
            "Allowed here: schemes {schemes}; hosts {hosts}; "
            "sqlite databases inside `{folder}` ({settings}).",
            schemes=", ".join(config.mlflow_schemes) or _("none"),
            hosts=", ".join(config.mlflow_hosts) or _("none"),
            folder=config.data_dir,
            settings="`[pilab]` mlflow_schemes, mlflow_hosts, data_dir",
        )
    )
    if not uri:
        st.info(_("Give a tracking URI (an Azure ML workspace's MLflow URI, or a local store)."))
        return pulled("mlflow")
    if st.button(_("List experiments"), key="automl_mlflow_list"):
        try:
            st.session_state.automl_mlflow_experiments = ml.list_experiments(uri, settings=config)
        except automl.AutoMLError as exc:
            st.error(plain(exc.text(_), MESSAGE_LIMIT))
    experiments = st.session_state.get("automl_mlflow_experiments", [])
    if experiments:
        exp = st.selectbox(
            _("Experiment"),
            experiments,
            format_func=lambda e: bounded(e["name"]),
            key="automl_mlflow_experiment",
        )
        try:
            parents = ml.list_parent_runs(uri, exp["experiment_id"], settings=config)
        except automl.AutoMLError as exc:  # a watch or pull below keeps its last data on screen
            show_error(exc, _=_)
            return pulled("mlflow")
        parent = st.selectbox(
            _("Parent run (AutoML job)"),
            parents,
            format_func=lambda r: bounded(f"{r['name'] or r['run_id']} · {r['status']}"),
            key="automl_mlflow_parent",
        )
        if parent:
            make = partial(ml.MlflowSource, uri, parent["run_id"], settings=config)
            pull_and_watch("mlflow", make, key="automl_mlflow", name=f"mlflow-{parent['run_id']}", _=_)
    return pulled("mlflow")


def pull_and_watch(
    kind: str, make_source: Callable[[], automl.Source], *, key: str, name: str, _: Translate = english
) -> None:
    """A live source's two buttons side by side, keyed ``<key>_pull`` and ``<key>_watch``: pull it once into
    the cache, or watch it until its parent run ends (the source is made inside each one's error handling)."""
    pull, watch = st.columns(2)
    with pull:
        pull_button(kind, f"{key}_pull", make_source, name=name, _=_)
    with watch:
        automl_watch.start_button(kind, f"{key}_watch", make_source, name=name, _=_)


def published_pipelines(workspace, *, _: Translate = english) -> None:
    """Operator only: the workspace's published pipelines; trigger one, then watch its run."""
    from ui.automl.pipelines import pipelines_panel

    with st.expander(_("Published pipelines: run one again"), expanded=False):
        started = pipelines_panel(workspace, _=_)
    if started is not None:
        from core.automl.sources import azureml_v1 as az

        experiment, run_id = started
        source = az.AzureMLSource(workspace, experiment, run_id)
        automl_watch.start("azure", source, f"azureml-{experiment}-{run_id}")


def azure_source(*, _: Translate = english) -> automl.AutoMLData | None:
    """Operator only: the form shows the workspace's ids and names from secrets or the environment."""
    from core.automl.sources import azureml_v1 as az

    azureml = secrets("azureml")
    base = az.AzureSettings.from_mapping(azureml)
    with st.form("automl_azure_form"):
        left, right = st.columns(2)
        config = left.text_input(_("config.json (path; empty: the ids on the right)"), key="automl_az_config")
        auth = left.radio(
            _("Sign in with"),
            az.AUTH_KINDS,
            index=az.AUTH_KINDS.index(base.auth),
            horizontal=True,
            key="automl_az_auth",
        )
        sub = right.text_input(_("Subscription id"), value=base.subscription_id or "", key="automl_az_sub")
        rg = right.text_input(_("Resource group"), value=base.resource_group or "", key="automl_az_rg")
        ws = right.text_input(_("Workspace"), value=base.workspace_name or "", key="automl_az_ws")
        left.caption(
            _(
                "Service principal: tenant and client ids from `st.secrets['azureml']` or "
                "AZURE_TENANT_ID / AZURE_CLIENT_ID; secret ({found}) from st.secrets or AZURE_CLIENT_SECRET, "
                "never shown.",
                found=_("found") if base.has_secret() else _("not set"),
            )
        )
        connect = st.form_submit_button(_("Connect"))
    if connect:
        chosen = az.AzureSettings.from_mapping(
            azureml,
            config_path=config or None,
            subscription_id=sub,
            resource_group=rg,
            workspace_name=ws,
            auth=auth,
        )
        with st.spinner(_("Signing in …")):
            try:
                workspace = az.connect(chosen)
                st.session_state.automl_az_workspace = workspace
                st.session_state.automl_az_experiments = az.list_experiments(workspace)
            except automl.AutoMLError as exc:
                stop_with_error(exc.message, _=_)
    workspace = st.session_state.get("automl_az_workspace")
    if workspace is None:
        return pulled("azure")
    experiment = st.selectbox(
        _("Experiment"), st.session_state.automl_az_experiments, format_func=bounded, key="automl_az_exp"
    )
    if experiment:
        try:
            runs = az.list_runs(workspace, experiment)
        except automl.AutoMLError as exc:  # a watch or pull below keeps its last data on screen
            show_error(exc, _=_)
            return pulled("azure")
        run = st.selectbox(
            _("AutoML or pipeline run"),
            runs,
            format_func=lambda r: bounded(f"{r['run_id']} · {r['type']} · {r['status']}"),
            key="automl_az_run",
        )
        if run:
            make = partial(az.AzureMLSource, workspace, experiment, run["run_id"])
            name = f"azureml-{experiment}-{run['run_id']}"
            pull_and_watch("azure", make, key="automl_az", name=name, _=_)
    published_pipelines(workspace, _=_)
    return pulled("azure")
