"""Cached pulls: live results written as JSON in the ``metrics_data`` format plus Pi Lab's metadata."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from core.automl import params as run_params
from core.automl.model import AutoMLData
from core.automl.sources.parse import META_KEY, load_path
from core.runtime.access import DEFAULT_DATA_DIR
from core.runtime.i18n import N_
from core.runtime.message import Message

ENV_CACHE_DIR = "PILAB_AUTOML_CACHE"
LEGACY_CHARS = 120  # the longest file-safe name kept as it is (where older Pi Lab cut every name)
SLUG_CHARS = 80  # the readable part of a hashed cache file's name
HASH_CHARS = 16  # hex digits of the whole name's SHA-256 after it
# What a student may see of a pull's parent run (not its portal link, nor anything else a file may hold)
SHAREABLE_PARENT = (
    "run_id",
    "pipeline_run_id",
    "experiment",
    "experiment_id",
    "name",
    "primary_metric",
    "best_child_run_id",
    "status",
)


def cache_dir() -> Path:
    """``$PILAB_AUTOML_CACHE``, or ``~/.cache/pi-lab/automl``."""
    return Path(os.environ.get(ENV_CACHE_DIR) or DEFAULT_DATA_DIR / "automl")


def document(
    metrics: dict[str, dict[str, Any]],
    *,
    source: str,
    parent: dict[str, Any] | None = None,
    runs: dict[str, dict[str, Any]] | None = None,
    artifacts: dict[str, dict[str, Any]] | None = None,
    params: dict[str, dict[str, dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """A cached-format document: ``{run_id: {metric: [value]}}`` plus the ``__pilab__`` metadata key
    (``params``: ``{run_id: {kind: {name: value}}}``; a reader of format 1 ignores it)."""
    doc: dict[str, Any] = {run: {m: _as_list(v) for m, v in ms.items()} for run, ms in metrics.items()}
    doc[META_KEY] = {
        "format": 2,
        "source": source,
        "pulled_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "parent": parent or {},
        "runs": runs or {},
        "artifacts": artifacts or {},
        "params": params or {},
    }
    return doc


def to_document(data: AutoMLData) -> dict[str, Any]:
    """Any parsed data back in the cached format (what the page's JSON export of a source writes)."""
    metrics: dict[str, dict[str, Any]] = {rid: {} for rid in data.run_ids}
    for run_id, metric, value in data.tidy[["run_id", "metric", "value"]].itertuples(index=False):
        metrics[run_id][metric] = [value]
    runs = {
        row["run_id"]: {k: v for k, v in row.items() if k != "run_id" and v is not None and v == v}
        for row in data.runs.astype(object).to_dict("records")
    }
    for info in runs.values():
        if "iteration" in info:
            info["iteration"] = int(info["iteration"])
    return document(
        metrics,
        source=data.source,
        parent=data.parent,
        runs=runs,
        artifacts=data.artifacts,
        params=run_params.grouped(data),
    )


def shareable(data: AutoMLData, label: str) -> AutoMLData:
    """``data`` as a student may see it, labelled ``label``: its own label names the service (an MLflow URI
    holds a server path, or an Azure subscription, resource group and workspace), and its portal links
    (``wsid=/subscriptions/…``) are dropped, from the runs and the parent alike."""
    parent = {k: v for k, v in data.parent.items() if k in SHAREABLE_PARENT}
    return replace(data, source=label, runs=data.runs.assign(portal_url=None), parent=parent)


def path_for(name: str, directory: Path | None = None) -> Path:
    """Where a pull named ``name`` is cached, so that two names never share a file: ``<name>.json`` for a
    name that is file-safe as it is (letters, digits, ``_.-``, up to 120 characters: a link's
    ``cached:<file>`` keeps working), else ``<slug>~<hash>.json``, the name made file-safe and the first hex
    digits of the whole name's SHA-256 (``~`` is in no file-safe name, so the two kinds never meet)."""
    folder = directory or cache_dir()
    slug = _slug(name)
    if slug == name and len(name) <= LEGACY_CHARS:
        return folder / f"{name}.json"
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_CHARS]
    return folder / f"{slug[:SLUG_CHARS]}~{digest}.json"


def legacy_path_for(name: str, directory: Path | None = None) -> Path:
    """Where Pi Lab cached a pull named ``name`` before the hash: the file-safe name, cut at 120 characters
    (several names could share it)."""
    return (directory or cache_dir()) / f"{_slug(name)[:LEGACY_CHARS]}.json"


def find(name: str, directory: Path | None = None, *, source: str | None = None) -> Path:
    """The cached file of the pull ``name``: its own, else one an older Pi Lab wrote under the old name (with
    ``source``, only when that file's pull came from it), else (nothing cached yet) the path it will have."""
    path = path_for(name, directory)
    legacy = legacy_path_for(name, directory)
    if path.is_file() or not legacy.is_file():
        return path
    return legacy if source is None or _source_of(_read_or_none(legacy)) == source else path


def write(doc: dict[str, Any], name: str, directory: Path | None = None) -> Path:
    """Write ``doc`` as the pull ``name``'s file (see ``path_for``); return the path. The same source's copy
    under the old name, if any, is removed: the pull lives under its new name now."""
    path = write_file(doc, path_for(name, directory))
    legacy = legacy_path_for(name, directory)
    if legacy != path:
        _drop_legacy(doc, legacy)
    return path


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "pull"


def _drop_legacy(doc: dict[str, Any], legacy: Path) -> None:
    """Remove ``legacy`` when it holds an earlier pull of ``doc``'s source (never another source's pull that
    happened to share the old name)."""
    old = _read_or_none(legacy)
    if _source_of(old) is not None and _source_of(old) == _source_of(doc):
        with contextlib.suppress(OSError):
            legacy.unlink()


def _read_or_none(path: Path) -> dict[str, Any] | None:
    try:
        return read(path)
    except (OSError, ValueError):
        return None


def _source_of(doc: dict[str, Any] | None) -> Any:
    meta = (doc or {}).get(META_KEY)
    return meta.get("source") if isinstance(meta, dict) else None


def read(path: Path) -> dict[str, Any]:
    """A cached document (``OSError`` or ``ValueError`` when it cannot be read as one)."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: not a cached pull")
    return doc


def student_label(path: Path) -> Message:
    """What a student reads as the source of a cached pull: the file's name only."""
    return Message(N_("cached pull {name}"), name=Path(path).stem)


def load_pull(path: Path, *, operator: bool) -> AutoMLData:
    """A cached pull, parsed: whole for the operator; for a student its ``shareable`` form, labelled by the
    file's name (neither the cache's path nor where the pull came from)."""
    data = load_path(path)
    return data if operator else shareable(data, student_label(path))


def write_file(doc: dict[str, Any], path: Path) -> Path:
    """Write ``doc`` as JSON at ``path`` (its folder made; replaced whole, never half-written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1, allow_nan=True), encoding="utf-8")
    tmp.replace(path)
    return path


def list_cached(directory: Path | None = None) -> list[Path]:
    """Cached pulls in ``directory`` (files only), newest first."""
    folder = directory or cache_dir()
    if not folder.is_dir():
        return []
    files = [p for p in folder.glob("*.json") if p.is_file()]
    return sorted(files, key=lambda p: p.stat().st_mtime, reverse=True)


def _as_list(value: Any) -> Any:
    return value if isinstance(value, list | dict) else [value]
