"""AutoML child runs from an MLflow tracking server (the path for Azure ML SDK v2 workspaces), read lazily.

Every tracking URI is checked against the operator's allow-lists (``check_tracking_uri``) before MLflow is
asked for anything, and MLflow's HTTP requests follow no redirect, so a URI cannot reach another service.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from core.automl import params as run_params
from core.automl.analysis.artifacts import MAX_ARTIFACT_BYTES, read_downloaded
from core.automl.model import AutoMLData, AutoMLError, NoChildren
from core.automl.sources import cache
from core.automl.sources.parse import ARTIFACT_SCHEMAS, parse_metrics
from core.runtime.access import Settings
from core.runtime.i18n import N_
from core.runtime.message import Message

MAX_CHILDREN = 5_000
MAX_ARTIFACT_RUNS = 200
MODEL_PATHS = ("outputs/model.pkl", "model/model.pkl", "model.pkl")  # AutoML's, MLflow sklearn flavour's
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,200}$")
_ALGORITHM_KEYS = ("run_algorithm", "algorithm", "estimator", "model_name", "estimator_name")
_PREPROCESSOR_KEYS = ("run_preprocessor", "preprocessor")
HOST_SCHEMES = ("http", "https", "azureml", "mlflow-artifacts")  # URIs that name a host to connect to
PATH_SCHEMES = ("sqlite", "file", "")  # URIs that name a database or folder on this machine ("": a path)
_HOST_NAME = re.compile(r"^[a-z0-9.:-]{1,253}$")
REDIRECTS_ENV = "MLFLOW_ALLOW_HTTP_REDIRECTS"  # read by mlflow.utils.request_utils on every request
_NONE = Message(N_("none"))  # an empty allow-list


def check_tracking_uri(
    uri: str, *, schemes: Sequence[str], hosts: Sequence[str], data_dir: str | Path
) -> str:
    """``uri`` (stripped) when this server may open it, else ``AutoMLError`` in one line.

    The scheme must be in ``schemes``. http, https and azureml need a host in ``hosts``, exactly or under a
    ``*.suffix`` wildcard, and no user name or password in the URI. sqlite needs an existing database file,
    and file (or a bare path, where ``file`` is allowed) an existing folder, inside ``data_dir`` once
    symlinks are resolved. Messages echo the scheme and host only: a URI may carry a token.
    """
    text = uri.strip() if isinstance(uri, str) else ""
    if not text or not text.isprintable():
        raise AutoMLError(N_("MLflow: give a tracking URI on one line, without control characters"))
    try:
        parts = urlsplit(text)
        _ = parts.port  # ValueError when not a number in range
    except ValueError:
        raise AutoMLError(N_("MLflow: the tracking URI cannot be parsed (a bad port or [address])")) from None
    scheme = parts.scheme.lower() if len(parts.scheme) > 1 else ""  # "" is a path ("c:/x" too)
    if not (scheme in schemes or (scheme == "" and "file" in schemes)):
        allowed = ", ".join(schemes) or _NONE
        if scheme:
            raise AutoMLError(
                N_(
                    "MLflow: tracking URIs of scheme {scheme} are not allowed on this server "
                    "(allowed: {allowed}; [pilab] mlflow_schemes)"
                ),
                scheme=repr(scheme),
                allowed=allowed,
            )
        raise AutoMLError(
            N_(
                "MLflow: a bare path as a tracking URI is not allowed on this server "
                "(allowed: {allowed}; [pilab] mlflow_schemes)"
            ),
            allowed=allowed,
        )
    if scheme in HOST_SCHEMES:
        _check_host(parts.netloc, (parts.hostname or "").lower(), hosts)
    elif scheme in PATH_SCHEMES:
        _check_local(text, scheme, Path(data_dir))
    else:
        raise AutoMLError(
            N_("MLflow: Pi Lab opens sqlite, file, http, https or azureml URIs, not {scheme}"),
            scheme=repr(scheme),
        )
    return text


def host_allowed(host: str, hosts: Sequence[str]) -> bool:
    """``host`` is one of ``hosts``, or under one of its ``*.suffix`` wildcards."""
    host = host.lower()
    return any(host == h or (h.startswith("*.") and host.endswith(h[1:])) for h in hosts)


def _check_host(netloc: str, host: str, hosts: Sequence[str]) -> None:
    if "@" in netloc:
        raise AutoMLError(
            N_(
                "MLflow: a tracking URI may not carry a user name or password "
                "(use MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD)"
            )
        )
    if not (_HOST_NAME.match(host) and host_allowed(host, hosts)):
        raise AutoMLError(
            N_(
                "MLflow: host {host} is not allowed on this server (allowed: {allowed}; [pilab] mlflow_hosts)"
            ),
            host=repr(host or "(none)"),
            allowed=", ".join(hosts) or _NONE,
        )


def _local_path(text: str, scheme: str) -> str | None:
    """The file or folder a sqlite/file URI or bare path names, as MLflow will read it (None: not one)."""
    if scheme == "sqlite":
        from sqlalchemy.engine import make_url  # how MLflow's SQLAlchemy store reads the URI

        try:
            url = make_url(text)
        except Exception:  # sqlalchemy.exc.ArgumentError: not a URL it can read
            return None
        name = url.database or ""
        odd = url.host or url.username or url.query or name.startswith("file:") or name == ":memory:"
        return None if odd or not name else name
    if scheme == "file":
        parts = urlsplit(text)
        return None if parts.netloc not in ("", "localhost") or parts.query else unquote(parts.path)
    return text


def _check_local(text: str, scheme: str, data_dir: Path) -> None:
    """A sqlite database file, or a file store folder, that exists inside ``data_dir``."""
    name = _local_path(text, scheme)
    try:
        path = Path(name).expanduser().resolve() if name else None
        inside = path is not None and path.is_relative_to(data_dir.expanduser().resolve())
        ok = inside and (path.is_file() if scheme == "sqlite" else path.is_dir())
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte, a name too long …
        ok = False
    if not ok:
        if scheme == "sqlite":
            what = Message(N_("an existing database file"))
        else:
            what = Message(N_("an existing folder"))
        raise AutoMLError(
            N_("MLflow: a {scheme} tracking URI must name {what} inside {folder} ([pilab] data_dir)"),
            scheme=scheme or "path",
            what=what,
            folder=str(data_dir),
        )


def _checked(tracking_uri: str, settings: Settings | None) -> str:
    """The URI after ``check_tracking_uri`` with ``settings``' lists (None: ``PILAB_*`` and defaults)."""
    try:
        rules = settings or Settings.from_mapping({})
    except ValueError as exc:
        raise AutoMLError(str(exc)) from None
    return check_tracking_uri(
        tracking_uri, schemes=rules.mlflow_schemes, hosts=rules.mlflow_hosts, data_dir=rules.data_dir
    )


def _client(tracking_uri: str, settings: Settings | None):
    """A client for a checked URI; nothing is read, written or requested before the check passes."""
    uri = _checked(tracking_uri, settings)
    os.environ[REDIRECTS_ENV] = "false"  # a redirect could lead to a host the check never saw
    try:
        from mlflow.tracking import MlflowClient
    except ImportError as exc:  # pragma: no cover - mlflow is in requirements.lock
        raise AutoMLError(
            N_("MLflow is not installed ({reason}); add mlflow-skinny"), reason=str(exc)
        ) from None
    try:
        return MlflowClient(tracking_uri=uri)
    except Exception as exc:  # e.g. azureml: without the azureml-mlflow plugin
        raise _fail(Message(N_("cannot open the tracking URI")), exc) from None


def _artifacts_allowed(artifact_uri: str | None, settings: Settings | None) -> bool:
    """A run's artifact root is read when it goes through the tracking server (``mlflow-artifacts:`` or
    ``azureml:`` without a host) or passes the tracking URI's own check (with file folders allowed)."""
    try:
        parts = urlsplit(artifact_uri or "")
        if parts.scheme in ("mlflow-artifacts", "azureml") and not parts.netloc:
            return True
        rules = settings or Settings.from_mapping({})
        schemes = (*rules.mlflow_schemes, "file", "mlflow-artifacts")
        check_tracking_uri(
            artifact_uri or "", schemes=schemes, hosts=rules.mlflow_hosts, data_dir=rules.data_dir
        )
    except ValueError:
        return False
    return True


def _fail(what: Message, exc: Exception) -> AutoMLError:
    text = " ".join(str(exc).split())[:300]
    return AutoMLError(N_("MLflow: {what}: {error}: {text}"), what=what, error=type(exc).__name__, text=text)


def list_experiments(
    tracking_uri: str, max_results: int = 200, *, settings: Settings | None = None
) -> list[dict[str, str]]:
    """Experiments on the server: id and name. ``settings`` holds the allow-lists (None: from PILAB_*)."""
    client = _client(tracking_uri, settings)
    try:
        found = client.search_experiments(max_results=max_results)
    except Exception as exc:
        raise _fail(Message(N_("cannot list experiments at {uri}"), uri=tracking_uri), exc) from None
    return [{"experiment_id": e.experiment_id, "name": e.name} for e in found]


def list_parent_runs(
    tracking_uri: str, experiment_id: str, max_results: int = 100, *, settings: Settings | None = None
) -> list[dict[str, Any]]:
    """Top-level runs of an experiment (those without a parent), newest first."""
    _check_id(experiment_id, Message(N_("experiment id")))
    client = _client(tracking_uri, settings)
    try:
        runs = client.search_runs(
            [experiment_id], order_by=["attributes.start_time DESC"], max_results=max_results
        )
    except Exception as exc:
        raise _fail(Message(N_("cannot list runs of experiment {id}"), id=experiment_id), exc) from None
    return [
        {"run_id": r.info.run_id, "name": r.info.run_name, "status": r.info.status}
        for r in runs
        if "mlflow.parentRunId" not in r.data.tags
    ]


@dataclass
class MlflowSource:
    """The children of one parent run (``tags.mlflow.parentRunId``) on an MLflow tracking URI, which must
    pass ``check_tracking_uri`` with ``settings``' lists (None: ``PILAB_*`` variables and defaults)."""

    tracking_uri: str
    parent_run_id: str
    _: KW_ONLY
    fetch_artifacts: bool = True
    label: str = ""
    settings: Settings | None = None

    def __post_init__(self) -> None:
        _check_id(self.parent_run_id, Message(N_("parent run id")))
        self.label = self.label or f"MLflow {self.tracking_uri} run {self.parent_run_id}"

    def load(self) -> AutoMLData:
        return parse_metrics(self.pull(), source=self.label)

    def pull(self) -> dict[str, Any]:
        """Fetch the parent and its children once; return the cached-format document."""
        client = _client(self.tracking_uri, self.settings)
        try:
            parent = client.get_run(self.parent_run_id)
        except Exception as exc:
            raise _fail(_no_run(self.parent_run_id, self.tracking_uri), exc) from None
        children = self._children(client, parent.info.experiment_id)
        if not children:
            raise NoChildren(
                N_("MLflow: run {run} has no child runs"), parent.info.status, run=repr(self.parent_run_id)
            )
        metrics, runs, artifacts, run_parameters = {}, {}, {}, {}
        for position, child in enumerate(sorted(children, key=lambda r: r.info.start_time or 0)):
            rid = child.info.run_id
            metrics[rid] = dict(child.data.metrics)
            runs[rid] = _run_info(child, position)
            run_parameters[rid] = run_params.from_mlflow(child.data.params, child.data.tags)
            if self.fetch_artifacts and position < MAX_ARTIFACT_RUNS:
                found = _artifacts(client, child, self.settings)
                if found:
                    artifacts[rid] = found
        tags, params = parent.data.tags, parent.data.params
        info = {
            "run_id": self.parent_run_id,
            "experiment_id": parent.info.experiment_id,
            "primary_metric": tags.get("primary_metric") or params.get("primary_metric"),
            "best_child_run_id": tags.get("automl_best_child_run_id"),
            "name": parent.info.run_name,
            "status": parent.info.status,
        }
        return cache.document(
            metrics, source=self.label, parent=info, runs=runs, artifacts=artifacts, params=run_parameters
        )

    def _children(self, client, experiment_id: str) -> list:
        found, token = [], None
        while True:
            try:
                page = client.search_runs(
                    [experiment_id],
                    filter_string=f"tags.mlflow.parentRunId = '{self.parent_run_id}'",
                    max_results=1000,
                    page_token=token,
                )
            except Exception as exc:
                what = Message(N_("cannot search the children of {run}"), run=repr(self.parent_run_id))
                raise _fail(what, exc) from None
            found.extend(page)
            token = getattr(page, "token", None)
            if not token or len(found) >= MAX_CHILDREN:
                return found[:MAX_CHILDREN]


def _run_info(run, position: int) -> dict[str, Any]:
    tags, params = run.data.tags, run.data.params

    def first(keys: tuple[str, ...]) -> str | None:
        for k in keys:
            if tags.get(k) or params.get(k):
                return tags.get(k) or params.get(k)
        return None

    start, end = run.info.start_time, run.info.end_time
    iteration = tags.get("iteration") or params.get("iteration")
    return {
        "iteration": int(iteration) if iteration and str(iteration).isdigit() else position,
        "algorithm": first(_ALGORITHM_KEYS),
        "preprocessor": first(_PREPROCESSOR_KEYS),
        "status": run.info.status,
        "duration_s": (end - start) / 1000 if start and end else None,
        "name": run.info.run_name,
    }


def _artifacts(client, run, settings: Settings | None) -> dict[str, Any]:
    """confusion_matrix / accuracy_table JSON files at the run's artifact root (small ones only), where
    that root is one the allow-lists let this server read."""
    out: dict[str, Any] = {}
    run_id = run.info.run_id
    if not _artifacts_allowed(run.info.artifact_uri, settings):
        return out
    try:
        listed = client.list_artifacts(run_id)
    except Exception:
        return out
    for item in listed:
        stem = Path(item.path).name.removesuffix(".json")
        if item.is_dir or stem not in ARTIFACT_SCHEMAS or (item.file_size or 0) > MAX_ARTIFACT_BYTES:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            try:
                local = Path(client.download_artifacts(run_id, item.path, tmp))
            except Exception:
                continue  # an unreadable artifact is left out; the metrics still load
            doc = read_downloaded(local, stem)
        if doc is not None:
            out[stem] = doc
    return out


def fetch_model(tracking_uri: str, run_id: str, max_bytes: int, *, settings: Settings | None = None) -> bytes:
    """The bytes of a run's pickled model (``outputs/model.pkl``, ``model/model.pkl`` or ``model.pkl``),
    for ``core.automl.modelfile.report`` to read statically, never to unpickle; ``AutoMLError`` when the run
    has none, it is over ``max_bytes``, or its artifact root is one this server may not read."""
    _check_id(run_id, Message(N_("run id")))
    client = _client(tracking_uri, settings)
    try:
        run = client.get_run(run_id)
    except Exception as exc:
        raise _fail(_no_run(run_id, tracking_uri), exc) from None
    if not _artifacts_allowed(run.info.artifact_uri, settings):
        raise AutoMLError(
            N_(
                "MLflow: run {run} has no artifacts this server may read (none yet, or outside the "
                "allow-lists: [pilab] data_dir, mlflow_hosts)"
            ),
            run=repr(run_id),
        )
    found = {}
    for folder in ("", "outputs", "model"):
        try:
            found.update({i.path: i for i in client.list_artifacts(run_id, folder or None) if not i.is_dir})
        except Exception:
            continue
    path = next((p for p in MODEL_PATHS if p in found), None)
    if path is None:
        raise AutoMLError(
            N_("MLflow: run {run} has no {paths}"), run=repr(run_id), paths=" or ".join(MODEL_PATHS)
        )
    if (found[path].file_size or 0) > max_bytes:
        raise _too_large(path, run_id, max_bytes)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            local = Path(client.download_artifacts(run_id, path, tmp))
            if local.stat().st_size > max_bytes:
                raise _too_large(path, run_id, max_bytes)
            return local.read_bytes()
        except AutoMLError:
            raise
        except Exception as exc:
            what = Message(N_("cannot fetch {path} of run {run}"), path=path, run=repr(run_id))
            raise _fail(what, exc) from None


def _no_run(run_id: str, tracking_uri: str) -> Message:
    return Message(N_("no run {run} at {uri}"), run=repr(run_id), uri=tracking_uri)


def _too_large(path: str, run_id: str, max_bytes: int) -> AutoMLError:
    return AutoMLError(
        N_("MLflow: {path} of run {run} is over {limit} bytes"), path=path, run=repr(run_id), limit=max_bytes
    )


def _check_id(value: str, what: Message) -> None:
    if not isinstance(value, str) or not _SAFE_ID.match(value):
        raise AutoMLError(
            N_("MLflow: {what} {value} is not a run id (letters, digits, _ . : - only)"),
            what=what,
            value=repr(value),
        )
