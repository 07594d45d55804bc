"""AutoML child runs from a live Azure ML workspace through ``azureml-core`` (SDK v1), imported lazily.

Credentials come from arguments (the page passes ``st.secrets``) or the environment; they are never
printed, logged or put in an error message.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from core.automl import params as run_params
from core.automl.analysis.artifacts import read_downloaded
from core.automl.model import AutoMLData, AutoMLError, NoChildren
from core.automl.sources import cache
from core.automl.sources.parse import ARTIFACT_SCHEMAS, iteration_of, parse_metrics
from core.runtime.i18n import N_
from core.runtime.message import Message

AUTH_KINDS = ("interactive", "cli", "service_principal")
ENV = {
    "subscription_id": "AZUREML_SUBSCRIPTION_ID",
    "resource_group": "AZUREML_RESOURCE_GROUP",
    "workspace_name": "AZUREML_WORKSPACE_NAME",
    "tenant_id": "AZURE_TENANT_ID",
    "client_id": "AZURE_CLIENT_ID",
    "client_secret": "AZURE_CLIENT_SECRET",
}
MAX_RUNS_LISTED = 100
MAX_ARTIFACT_RUNS = 25  # two small downloads each: the best child first, then in iteration order
MODEL_PATH = "outputs/model.pkl"  # where an AutoML child run keeps its fitted pipeline
SIGN_IN = Message(
    N_(
        "Azure ML: the sign-in is missing or has expired: sign in again (az login, or the interactive "
        "sign-in in the terminal that runs Pi Lab), or check the service principal's secret"
    )
)


@dataclass(kw_only=True)
class AzureSettings:
    """How to reach a workspace: a config.json, or explicit ids; and how to sign in."""

    config_path: str | None = None
    subscription_id: str | None = None
    resource_group: str | None = None
    workspace_name: str | None = None
    auth: str = "interactive"
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None = None, **overrides: Any) -> AzureSettings:
        """Settings from a mapping (``st.secrets["azureml"]``), then the environment, then ``overrides``."""
        values = dict(values or {})
        merged: dict[str, Any] = {k: values.get(k) or os.environ.get(env) for k, env in ENV.items()}
        merged["config_path"] = values.get("config_path")
        merged["auth"] = values.get("auth") or (
            "service_principal" if merged["client_secret"] else "interactive"
        )
        merged.update({k: v for k, v in overrides.items() if v not in (None, "")})
        return cls(**merged)

    def has_secret(self) -> bool:
        return bool(self.client_secret)


def make_auth(settings: AzureSettings):
    """The azureml-core authentication object the settings ask for (nothing is sent until it is used)."""
    from azureml.core.authentication import (
        AzureCliAuthentication,
        InteractiveLoginAuthentication,
        ServicePrincipalAuthentication,
    )

    if settings.auth == "cli":
        return AzureCliAuthentication()
    if settings.auth == "interactive":
        return InteractiveLoginAuthentication(tenant_id=settings.tenant_id) if settings.tenant_id else None
    if settings.auth == "service_principal":
        missing = [k for k in ("tenant_id", "client_id", "client_secret") if not getattr(settings, k)]
        if missing:
            names = ", ".join(f"{k} ({ENV[k]})" for k in missing)
            raise AutoMLError(N_("Azure ML: service-principal sign-in needs {names}"), names=names)
        return ServicePrincipalAuthentication(
            tenant_id=settings.tenant_id,
            service_principal_id=settings.client_id,
            service_principal_password=settings.client_secret,
        )
    raise AutoMLError(
        N_("Azure ML: auth {auth} is not one of {kinds}"),
        auth=repr(settings.auth),
        kinds=", ".join(AUTH_KINDS),
    )


def connect(settings: AzureSettings):
    """The ``Workspace``: from config.json when given (or when no ids are), else from the three ids."""
    from azureml.core import Workspace

    try:
        auth = make_auth(settings)
        ids = (settings.subscription_id, settings.resource_group, settings.workspace_name)
        if settings.config_path or not all(ids):
            return Workspace.from_config(path=settings.config_path, auth=auth)
        return Workspace(*ids, auth=auth)
    except AutoMLError:
        raise
    except Exception as exc:
        raise _fail(Message(N_("cannot open the workspace")), exc, settings) from None


def list_experiments(workspace) -> list[str]:
    """Experiment names in the workspace."""
    from azureml.core import Experiment

    try:
        return sorted(e.name for e in Experiment.list(workspace))
    except Exception as exc:
        raise _fail(Message(N_("cannot list experiments")), exc) from None


def list_runs(workspace, experiment: str, limit: int = MAX_RUNS_LISTED) -> list[dict[str, Any]]:
    """The newest top-level runs of an experiment: id, type (automl, azureml.PipelineRun, …), status."""
    from azureml.core import Experiment

    out = []
    try:
        for run in Experiment(workspace, experiment).get_runs():
            out.append({"run_id": run.id, "type": run.type, "status": run.status})
            if len(out) >= limit:
                break
    except Exception as exc:
        raise _fail(
            Message(N_("cannot list the runs of {experiment}"), experiment=repr(experiment)), exc
        ) from None
    return out


@dataclass
class AzureMLSource:
    """One AutoML (or pipeline) run's children, with metrics from ``get_metrics(recursive=True)``."""

    workspace: Any
    experiment: str
    run_id: str
    _: KW_ONLY
    label: str = ""
    fetch_artifacts: bool = True

    def __post_init__(self) -> None:
        self.label = self.label or f"Azure ML {self.experiment} run {self.run_id}"

    def load(self) -> AutoMLData:
        return parse_metrics(self.pull(), source=self.label)

    def pull(self) -> dict[str, Any]:
        """Read the run, find its AutoML children, fetch every child's metrics in one call."""
        from azureml.core import Experiment, Run

        try:
            parent = Run(Experiment(self.workspace, self.experiment), self.run_id)
            automl = _automl_parent(parent)
            kids = list(automl.get_children())
            children = [c for c in kids if _is_child(c)] or kids
            if not children:
                raise NoChildren(
                    N_("Azure ML: run {run} has no child runs"), parent.status, run=repr(self.run_id)
                )
            everything = automl.get_metrics(recursive=True)
        except AutoMLError:
            raise
        except Exception as exc:
            raise _fail(Message(N_("cannot read run {run}"), run=repr(self.run_id)), exc) from None
        metrics = {c.id: everything.get(c.id, {}) for c in children}
        runs = {c.id: _run_info(c) for c in children}
        params = {c.id: run_params.from_azure(c.properties, c.tags) for c in children}
        props, tags = automl.properties or {}, automl.tags or {}
        info = {
            "run_id": automl.id,
            "pipeline_run_id": parent.id if automl is not parent else None,
            "experiment": self.experiment,
            "primary_metric": props.get("primary_metric"),
            "best_child_run_id": tags.get("automl_best_child_run_id"),
            "portal_url": _portal(automl),
            "status": parent.status,
        }
        found = _artifacts(children, metrics, info["best_child_run_id"]) if self.fetch_artifacts else {}
        return cache.document(
            metrics, source=self.label, parent=info, runs=runs, artifacts=found, params=params
        )


def fetch_model(workspace, experiment: str, run_id: str, *, max_bytes: int) -> bytes:
    """The bytes of a child run's ``outputs/model.pkl`` (read statically by ``core.automl.modelfile.report``,
    never unpickled); ``AutoMLError`` when the run has none or it is over ``max_bytes``."""
    from azureml.core import Experiment, Run

    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / "model.pkl"
        try:
            Run(Experiment(workspace, experiment), run_id).download_file(
                MODEL_PATH, output_file_path=str(local)
            )
        except Exception as exc:
            what = Message(N_("cannot fetch {path} of run {run}"), path=MODEL_PATH, run=repr(run_id))
            raise _fail(what, exc) from None
        size = local.stat().st_size if local.is_file() else -1
        if size < 0:
            raise AutoMLError(N_("Azure ML: run {run} has no {path}"), run=repr(run_id), path=MODEL_PATH)
        if size > max_bytes:
            raise AutoMLError(
                N_("Azure ML: {path} of run {run} is {size} bytes, over {limit}"),
                path=MODEL_PATH,
                run=repr(run_id),
                size=size,
                limit=max_bytes,
            )
        return local.read_bytes()


def _artifacts(children: list, metrics: dict[str, dict], best: str | None) -> dict[str, dict]:
    """The confusion matrices and accuracy tables that ``get_metrics`` names as ``aml://`` artifacts in the
    run's own container, downloaded with ``Run.download_file`` for up to ``MAX_ARTIFACT_RUNS`` children."""

    def rank(child) -> tuple[bool, int]:
        found = iteration_of(child.id)
        return child.id != best, 1 << 62 if found is None else found

    out: dict[str, dict] = {}
    for child in sorted(children, key=rank)[:MAX_ARTIFACT_RUNS]:
        prefix = f"aml://artifactId/ExperimentRun/dcid.{child.id}/"
        for name in ARTIFACT_SCHEMAS:
            where = metrics.get(child.id, {}).get(name)
            where = where[-1] if isinstance(where, list) and where else where
            if isinstance(where, str) and where.startswith(prefix):
                doc = _download(child, where.removeprefix(prefix), name)
                if doc is not None:
                    out.setdefault(child.id, {})[name] = doc
    return out


def _download(child, path: str, name: str) -> dict[str, Any] | None:
    """One artifact of a child run, or ``None``: one that cannot be fetched is left out, the metrics load."""
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / name
        try:
            child.download_file(path, output_file_path=str(local))
        except Exception:
            return None
        return read_downloaded(local, name)


def _automl_parent(run):
    """The run itself, or for a pipeline run the step whose children are AutoML child runs."""
    if run.type != "azureml.PipelineRun":
        return run
    for step in run.get_children():
        if any(_is_child(c) for c in step.get_children()):
            return step
    raise NoChildren(
        N_("Azure ML: pipeline run {run} has no AutoML step with child runs"), run.status, run=repr(run.id)
    )


def _is_child(run) -> bool:
    return (run.properties or {}).get("runTemplate") == "automl_child"


def _run_info(run) -> dict[str, Any]:
    props = run.properties or {}
    dto = getattr(run, "_run_dto", None) or {}
    start, end = dto.get("start_time_utc"), dto.get("end_time_utc")
    iteration = props.get("iteration")
    return {
        "iteration": int(iteration) if str(iteration).isdigit() else None,
        "algorithm": props.get("run_algorithm"),
        "preprocessor": props.get("run_preprocessor"),
        "score": props.get("score"),
        "status": dto.get("status"),
        "duration_s": _seconds(start, end),
        "portal_url": _portal(run),
    }


def _seconds(start: Any, end: Any) -> float | None:
    try:
        a = (
            start
            if isinstance(start, datetime)
            else datetime.fromisoformat(str(start).replace("Z", "+00:00"))
        )
        b = end if isinstance(end, datetime) else datetime.fromisoformat(str(end).replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return (b - a).total_seconds()


def _portal(run) -> str | None:
    try:
        return run.get_portal_url()
    except Exception:
        return None


def signed_out(exc: Exception) -> bool:
    """Whether ``exc`` says the sign-in is missing, expired or refused (an SDK auth error, HTTP 401)."""
    names = " ".join(t.__name__ for t in type(exc).__mro__)
    status = getattr(getattr(exc, "response", None), "status_code", None)
    try:
        text = str(exc)
    except Exception:  # some SDK exceptions fail in __str__ when the service sent no details
        text = ""
    return "Authentication" in names or status == 401 or "AADSTS" in text


def _fail(what: Message, exc: Exception, settings: AzureSettings | None = None) -> AutoMLError:
    if signed_out(exc):
        return sign_in_again(what)
    try:
        text = str(exc)
    except Exception:  # some SDK exceptions fail in __str__ when the service sent no details
        text = str(getattr(exc, "message", "") or "")
    text = " ".join(text.split())[:300]
    secret = settings.client_secret if settings else None
    if secret:
        text = text.replace(secret, "***")
    return AutoMLError(
        N_("Azure ML: {what}: {error}: {text}"), what=what, error=type(exc).__name__, text=text
    )


def sign_in_again(what: Message | str) -> AutoMLError:
    """``SIGN_IN``, naming what the missing or expired sign-in stopped."""
    return AutoMLError(N_("{sign_in} ({what})"), sign_in=SIGN_IN, what=what)
