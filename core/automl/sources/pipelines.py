"""An Azure ML workspace's published pipelines: list them and trigger one, as the course notebook does.

The notebook posts ``{"ExperimentName": …, "ParameterAssignments": …}`` to the published pipeline's REST
endpoint with the SDK's authentication header; Pi Lab does the same with azureml-core's public objects (the
workspace's discovery URL, ``service_context.get_auth().get_authentication_header()``), so it needs no
azureml-pipeline-core. The header is sent only to the workspace's own pipelines service, never logged.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from core.automl.model import AutoMLError
from core.automl.sources.azureml_v1 import sign_in_again, signed_out
from core.runtime.i18n import N_
from core.runtime.message import Message

TIMEOUT_S = (10, 60)  # connect, read: every request has a deadline
ACTIVE = "Active"
_STATUS = {"0": "Active", "1": "Deprecated", "2": "Disabled"}  # EntityStatus as a number
_EXPERIMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$")  # what Azure ML accepts as a name
_PARAM = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")


@dataclass(kw_only=True, frozen=True)
class Published:
    """One published pipeline: its id, name, version, status (Active, Deprecated, Disabled), REST
    endpoint and the parameters it declares (name → default value)."""

    id: str
    name: str
    version: str | None
    status: str
    endpoint: str
    description: str = ""
    parameters: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Submitted:
    """A triggered run: its id, experiment and studio link."""

    run_id: str
    experiment: str
    portal_url: str | None


def _scope(workspace) -> str:
    return (
        f"/subscriptions/{workspace.subscription_id}/resourceGroups/{workspace.resource_group}"
        f"/providers/Microsoft.MachineLearningServices/workspaces/{workspace.name}"
    )


def _header(workspace) -> dict[str, str]:
    try:
        return dict(workspace.service_context.get_auth().get_authentication_header())
    except Exception as exc:
        raise _error(Message(N_("cannot sign in")), exc) from None


def _request(method: str, url: str, *, header: dict[str, str], what: Message, **kwargs: Any) -> Any:
    """One request with a deadline and no redirect (the header must not reach another host); JSON back."""
    import requests

    try:
        answer = requests.request(
            method, url, headers=header, timeout=TIMEOUT_S, allow_redirects=False, **kwargs
        )
    except requests.RequestException as exc:
        raise _error(what, exc) from None
    status = str(answer.status_code)
    if answer.status_code in (401, 403):
        raise sign_in_again(Message(N_("{what}: HTTP {status}"), what=what, status=status))
    if answer.status_code != 200:
        raise AutoMLError(
            N_("Azure ML: cannot {what}: HTTP {status}: {message}"),
            what=what,
            status=status,
            message=_message(answer),
        )
    try:
        return answer.json()
    except ValueError:
        raise AutoMLError(
            N_("Azure ML: cannot {what}: the service's answer is not JSON"), what=what
        ) from None


def _message(answer) -> str | Message:
    """The service's own error message (``{"error": {"message": …}}``), on one line."""
    try:
        body = answer.json()
        text = (body.get("error") or {}).get("message") or body.get("message") or ""
    except (ValueError, AttributeError):
        text = answer.text
    return " ".join(str(text).split())[:300] or Message(N_("(no message)"))


def _error(what: Message, exc: Exception) -> AutoMLError:
    if signed_out(exc):
        return sign_in_again(what)
    return AutoMLError(
        N_("Azure ML: cannot {what}: {error}: {text}"),
        what=what,
        error=type(exc).__name__,
        text=" ".join(str(exc).split())[:300],
    )


def service_url(workspace, header: dict[str, str]) -> str:
    """The workspace's pipelines service, from its discovery document."""
    what = Message(N_("find the workspace's services"))
    try:
        discovery = workspace.discovery_url
    except Exception as exc:
        raise _error(what, exc) from None
    found = _request("GET", discovery, header=header, what=what)
    url = found.get("pipelines") if isinstance(found, dict) else None
    if not isinstance(url, str) or urlsplit(url).scheme != "https":
        raise AutoMLError(N_("Azure ML: the workspace names no pipelines service"))
    return url.rstrip("/")


def list_published(workspace, *, active_only: bool = True) -> list[Published]:
    """The workspace's published pipelines (only the active ones unless ``active_only`` is False)."""
    header = _header(workspace)
    url = f"{service_url(workspace, header)}/pipelines/v1.0{_scope(workspace)}/Pipelines"
    found = _request(
        "GET",
        url,
        header=header,
        what=Message(N_("list the published pipelines")),
        params={"activeOnly": str(active_only).lower()},
    )
    if not isinstance(found, list):
        raise AutoMLError(N_("Azure ML: the published pipelines' list is not a list"))
    return [_published(e) for e in found if isinstance(e, dict) and e.get("Id")]


def _published(entity: dict[str, Any]) -> Published:
    status = str(entity.get("EntityStatus") if entity.get("EntityStatus") is not None else ACTIVE)
    params = entity.get("ParameterAssignments") or {}
    return Published(
        id=str(entity["Id"]),
        name=str(entity.get("Name") or entity["Id"]),
        version=None if entity.get("Version") is None else str(entity["Version"]),
        status=_STATUS.get(status, status),
        endpoint=str(entity.get("Url") or ""),
        description=str(entity.get("Description") or ""),
        parameters={str(k): "" if v is None else str(v) for k, v in params.items()},
    )


def choose(found: list[Published], name: str, version: str | None = None) -> Published:
    """The pipeline whose id is ``name``, else the one named ``name`` (and ``version`` where several are)."""
    by_id = [p for p in found if p.id == name]
    if by_id:
        return by_id[0]
    named = [p for p in found if p.name == name and (version is None or p.version == version)]
    if len(named) == 1:
        return named[0]
    if not named:
        known = ", ".join(sorted({p.name for p in found})) or "none"
        raise AutoMLError(f"no published pipeline named {name!r}{_v(version)} (published: {known})")
    versions = ", ".join(sorted(str(p.version) for p in named))
    raise AutoMLError(
        f"{len(named)} published pipelines are named {name!r} (versions {versions}): give --version"
    )


def _v(version: str | None) -> str:
    return f" version {version!r}" if version else ""


def parse_params(items: list[str]) -> dict[str, str]:
    """``["k=v", …]`` as a mapping; ``AutoMLError`` naming an item without ``=`` or with a bad name."""
    values: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not _PARAM.match(key.strip()):
            raise AutoMLError(f"--param {item!r}: give NAME=VALUE (a name of letters, digits, _ . -)")
        values[key.strip()] = value
    return values


def check(pipeline: Published, experiment: str, values: dict[str, str]) -> None:
    """``AutoMLError`` when the experiment name is not one Azure ML accepts, a parameter is not one the
    pipeline declares, or the pipeline is not active."""
    if not _EXPERIMENT.match(experiment or ""):
        raise AutoMLError(
            N_("experiment {experiment}: letters, digits, _ and - (up to 255), a letter or digit first"),
            experiment=repr(experiment),
        )
    unknown = sorted(set(values) - set(pipeline.parameters))
    if unknown:
        raise AutoMLError(
            N_("{pipeline} declares no parameter {unknown} (declared: {declared})"),
            pipeline=pipeline.name,
            unknown=", ".join(unknown),
            declared=", ".join(pipeline.parameters) or Message(N_("none")),
        )
    if pipeline.status != ACTIVE:
        raise AutoMLError(
            N_("{pipeline} v{version} is {status}, not Active"),
            pipeline=pipeline.name,
            version=str(pipeline.version),
            status=pipeline.status,
        )


def trigger(
    workspace, pipeline: Published, *, experiment: str, values: dict[str, str] | None = None
) -> Submitted:
    """Post a run of ``pipeline`` into ``experiment`` to its REST endpoint, as the notebook does; the new
    run's id and studio link."""
    values = dict(values or {})
    check(pipeline, experiment, values)
    header = _header(workspace)
    service = urlsplit(service_url(workspace, header))
    target = urlsplit(pipeline.endpoint)
    if (target.scheme, target.netloc) != (service.scheme, service.netloc):
        raise AutoMLError(
            N_("Azure ML: {pipeline}'s endpoint is not on the workspace's pipelines service"),
            pipeline=pipeline.name,
        )
    body = {"ExperimentName": experiment, "ParameterAssignments": values}
    what = Message(N_("trigger {pipeline}"), pipeline=pipeline.name)
    found = _request("POST", pipeline.endpoint, header=header, what=what, json=body)
    run_id = found.get("Id") if isinstance(found, dict) else None
    if not isinstance(run_id, str) or not run_id:
        raise AutoMLError(
            N_("Azure ML: the service accepted {pipeline} but named no run"), pipeline=pipeline.name
        )
    return Submitted(run_id, experiment, portal_url(workspace, experiment, run_id))


def portal_url(workspace, experiment: str, run_id: str) -> str | None:
    """The studio link of a run (None when the run cannot be read yet)."""
    from azureml.core import Experiment, Run

    try:
        return Run(Experiment(workspace, experiment), run_id).get_portal_url()
    except Exception:
        return None
