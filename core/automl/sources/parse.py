"""Read the cached format ``{run_id: {metric: [value]}}`` (plus Pi Lab's metadata) into ``AutoMLData``."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from core.automl import params as run_params
from core.automl.catalogue import CATALOGUE
from core.automl.model import RUN_COLUMNS, TIDY_COLUMNS, AutoMLData, AutoMLError, Skipped
from core.runtime.i18n import N_
from core.runtime.message import Joined, Message, Number

MAX_BYTES = 20 * 2**20  # a real metrics_data file of 200 runs x 40 metrics is about 0.2 MB
MAX_RUNS = 20_000
MAX_METRICS_PER_RUN = 2_000
MAX_SKIPPED_KEPT = 500
MAX_INT_CHARS = 400  # a longer JSON integer is no float (> 1e308), and Python refuses one of over 4300 digits
META_KEY = "__pilab__"  # Pi Lab's metadata in cached pulls; run ids never start with "__"
ARTIFACT_SCHEMAS = ("confusion_matrix", "accuracy_table", "residuals", "predicted_true")
_ITERATION = re.compile(r"_(\d+)$")
# What json.loads says of the commonest mistakes, so that a page can say it in its reader's language
JSON_REASONS = (
    N_("Expecting value"),
    N_("Expecting property name enclosed in double quotes"),
    N_("Expecting ',' delimiter"),
    N_("Expecting ':' delimiter"),
    N_("Extra data"),
    N_("Unterminated string starting at"),
    N_("Invalid control character at"),
    N_("Invalid \\escape"),
)


class HugeInt(float):
    """Stands in for a JSON integer too long to read: a NaN to everything else, a skip (never echoed) here."""

    digits: int

    def __new__(cls, digits: int) -> HugeInt:
        obj = super().__new__(cls, "nan")
        obj.digits = digits
        return obj


def load_path(path: str | Path, *, max_bytes: int = MAX_BYTES) -> AutoMLData:
    """Read a cached metrics file (any extension) from disk."""
    p = Path(path)
    if not p.exists():
        raise AutoMLError(N_("{path}: no such file"), path=str(p))
    if not p.is_file():
        raise AutoMLError(N_("{path}: not a file"), path=str(p))
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise _too_large(p.name, size, max_bytes)
        data = p.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise AutoMLError(N_("{name}: cannot be read ({reason})"), name=p.name, reason=reason) from None
    return load_bytes(data, name=p.name, max_bytes=max_bytes)


def load_bytes(data: bytes, *, name: str = "upload", max_bytes: int = MAX_BYTES) -> AutoMLData:
    """Parse the bytes of a cached metrics file; ``name`` labels every message."""
    if len(data) > max_bytes:
        raise _too_large(name, len(data), max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AutoMLError(
            N_("{name}: not UTF-8 text (byte {byte}); expected a JSON metrics file"),
            name=name,
            byte=str(exc.start),
        ) from None
    if not text.strip():
        raise AutoMLError(
            N_("{name}: the file is empty; expected JSON {{run_id: {{metric: [value]}}}}"), name=name
        )
    try:
        obj = json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        hint = Message(N_(" (the file looks truncated)")) if _looks_truncated(text, exc.pos) else ""
        reason = Message(exc.msg) if exc.msg in JSON_REASONS else exc.msg
        raise AutoMLError(
            N_("{name}: not valid JSON at line {line}, column {column}: {reason}{hint}"),
            name=name,
            line=str(exc.lineno),
            column=str(exc.colno),
            reason=reason,
            hint=hint,
        ) from None
    except RecursionError:
        raise AutoMLError(
            N_("{name}: JSON nested too deeply; expected {{run_id: {{metric: [value]}}}}"), name=name
        ) from None
    return parse_metrics(obj, source=name)


def parse_metrics(obj: Any, *, source: str = "input") -> AutoMLData:
    """Turn the decoded JSON into tidy metrics; keep scalars, list everything skipped and why."""
    if not isinstance(obj, dict):
        raise AutoMLError(_TOP_LEVEL[_kind(obj)], source=source)
    meta = obj.get(META_KEY) if isinstance(obj.get(META_KEY), dict) else {}
    entries = [(k, v) for k, v in obj.items() if k != META_KEY]
    if not entries:
        raise AutoMLError(
            N_("{source}: no runs (an empty object); expected {{run_id: {{metric: [value]}}}}"), source=source
        )
    if len(entries) > MAX_RUNS:
        raise AutoMLError(
            N_("{source}: {runs} runs is over the limit of {limit}"),
            source=source,
            runs=len(entries),
            limit=MAX_RUNS,
        )

    run_meta = meta.get("runs") if isinstance(meta.get("runs"), dict) else {}
    artifacts = _artifacts(meta.get("artifacts"))
    skipped: list[Skipped] = []
    total = 0
    rows: list[tuple[str, int | None, str, float]] = []
    run_rows: list[dict[str, Any]] = []

    def skip(run_id: str, metric: str, reason: str) -> None:
        nonlocal total
        total += 1
        if len(skipped) < MAX_SKIPPED_KEPT:
            skipped.append(Skipped(run_id, metric, reason))

    for position, (run_id, metrics) in enumerate(entries):
        if not isinstance(metrics, dict):
            skip(run_id, "", Message(_NOT_METRICS[_kind(metrics)]))
            continue
        if len(metrics) > MAX_METRICS_PER_RUN:  # the run is not named: the file may not be metrics at all
            raise AutoMLError(
                N_(
                    "{source}: run {position} of {runs} has {entries} entries, "
                    "over the limit of {limit} metrics per run"
                ),
                source=source,
                position=position + 1,
                runs=len(entries),
                entries=len(metrics),
                limit=MAX_METRICS_PER_RUN,
            )
        info = run_meta.get(run_id) if isinstance(run_meta.get(run_id), dict) else {}
        iteration = _iteration(run_id, info)
        kept = 0
        for metric, raw in metrics.items():
            value, reason = scalar(raw)
            if reason is None:
                rows.append((run_id, iteration, metric, value))
                kept += 1
                continue
            if isinstance(raw, dict) and raw.get("schema_type") in ARTIFACT_SCHEMAS:
                artifacts.setdefault(run_id, {})[str(raw["schema_type"])] = raw
            skip(run_id, metric, reason)
        if kept == 0 and metrics:
            continue  # the run's values were all skipped (and listed); it has nothing to show
        run_rows.append({"run_id": run_id, "iteration": iteration, "_pos": position, **_run_fields(info)})

    if not rows:
        if skipped and _looks_like_automl(skipped[0]):
            first = skipped[0]
            detail = Message(
                N_("; first skipped: {run} {metric}: {reason}"),
                run=first.run_id,
                metric=first.metric,
                reason=first.reason,
            )
        else:  # maybe not metrics at all (a token cache, a config): its shape only, never a key or value
            detail = Message(
                N_("; found {shape}, expected {{run_id: {{metric: [number]}}}}"), shape=_shape(entries)
            )
        raise AutoMLError(
            N_("{source}: no numeric metric values in {runs} run(s){detail}"),
            source=source,
            runs=str(len(entries)),
            detail=detail,
        )

    runs = pd.DataFrame(run_rows)
    if runs["iteration"].isna().all():
        runs["iteration"] = runs["_pos"]  # no numbers anywhere: the source's order is the iteration
    runs["iteration"] = runs["iteration"].astype("Int64")
    runs = runs.sort_values(["iteration", "_pos"], na_position="last", kind="stable").drop(columns="_pos")
    runs = runs.reset_index(drop=True)[RUN_COLUMNS]

    tidy = pd.DataFrame(rows, columns=TIDY_COLUMNS).drop(columns="iteration")
    tidy = runs[["run_id", "iteration"]].merge(tidy, on="run_id", how="inner")[TIDY_COLUMNS]
    tidy["value"] = tidy["value"].astype(float)
    parent = meta.get("parent") if isinstance(meta.get("parent"), dict) else {}
    label = str(meta.get("source") or source)
    params = run_params.table(meta.get("params") or {}, runs["run_id"])  # older caches have none
    return AutoMLData(
        tidy=tidy,
        runs=runs,
        source=label,
        skipped=skipped,
        skipped_total=total,
        parent=dict(parent),
        artifacts=artifacts,
        params=params,
    )


def scalar(raw: Any) -> tuple[float, None] | tuple[None, str]:
    """A value as the cached format holds it → ``(number, None)``, or ``(None, why it was skipped)`` (a
    ``Message``: English, and translated where shown)."""
    if isinstance(raw, list):
        if not raw:
            return None, Message(N_("an empty list"))
        raw = raw[-1]  # logged several times: the last value counts
        if isinstance(raw, list | dict):
            return None, Message(_LIST_ENDING[_kind(raw)])
    if isinstance(raw, HugeInt):
        return None, Message(N_("an integer of {digits} digits, too large for a float"), digits=raw.digits)
    if raw is None:
        return None, Message(N_("missing (null)"))
    if isinstance(raw, bool):
        return None, Message(N_("a boolean, not a number"))
    if isinstance(raw, int | float):
        try:
            value = float(raw)
        except OverflowError:
            return None, Message(N_("an integer too large for a float"))
        if math.isnan(value):
            return None, "NaN"
        if math.isinf(value):
            return None, Message(N_("infinite"))
        return value, None
    if isinstance(raw, str):
        if raw.startswith("aml://"):
            return None, Message(N_("an artifact (aml://…), not a scalar"))
        try:
            float(raw)
        except ValueError:
            return None, Message(N_("a string, not a number"))  # its text is not echoed: it may be anything
        return None, Message(N_("a string ({text}), not a number"), text=repr(raw.strip()[:30]))
    if isinstance(raw, dict):
        kind = raw.get("schema_type")
        if isinstance(kind, str):
            return None, Message(N_("a {kind} artifact, not a scalar"), kind=kind)
        return None, Message(N_("an object, not a number"))
    return None, f"{_kind(raw)}, not a number"  # no JSON value comes here


def iteration_of(run_id: str) -> int | None:
    """The iteration an AutoML child run id ends with (``<parent>_<iteration>``), if it has one."""
    match = _ITERATION.search(run_id)
    return int(match.group(1)) if match else None


def _iteration(run_id: str, info: dict[str, Any]) -> int | None:
    if (found := iteration_of(run_id)) is not None:
        return found
    stated = info.get("iteration")
    if isinstance(stated, int) and not isinstance(stated, bool):
        return stated
    if isinstance(stated, str) and stated.isdigit():
        return int(stated)
    return None


def _run_fields(info: dict[str, Any]) -> dict[str, Any]:
    def text(key: str) -> str | None:
        value = info.get(key)
        return str(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else None

    duration = info.get("duration_s")
    ok = isinstance(duration, int | float) and not isinstance(duration, bool) and math.isfinite(duration)
    return {
        "algorithm": text("algorithm"),
        "preprocessor": text("preprocessor"),
        "status": text("status"),
        "duration_s": float(duration) if ok else None,
        "portal_url": text("portal_url"),
    }


def _artifacts(raw: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(raw, dict):
        return {}
    return {
        str(run): {k: v for k, v in arts.items() if k in ARTIFACT_SCHEMAS and isinstance(v, dict)}
        for run, arts in raw.items()
        if isinstance(arts, dict)
    }


def _json_int(text: str) -> int | HugeInt:
    """``json.loads``' ``parse_int``: an integer, or a ``HugeInt`` for one too long to be a metric value."""
    return int(text) if len(text) <= MAX_INT_CHARS else HugeInt(len(text.lstrip("-")))


def _looks_like_automl(first: Skipped) -> bool:
    """An AutoML child run id (``<parent>_<iteration>``) with no metric or a catalogue one: safe to name."""
    named = isinstance(first.run_id, str) and iteration_of(first.run_id) is not None
    return named and (first.metric == "" or first.metric in CATALOGUE)


def _shape(entries: list[tuple[str, Any]]) -> Message:
    """What the runs of a document hold, by kind only (``objects of strings and lists``, ``numbers``)."""
    inner = {_PLURAL[_kind(x)] for _, v in entries if isinstance(v, dict) for x in v.values()}
    kinds = {_PLURAL[_kind(v)] for _, v in entries if not isinstance(v, dict)}
    if any(isinstance(v, dict) for _, v in entries):
        if inner:
            kinds.add(Message(N_("objects of {kinds}"), kinds=Joined(sorted(inner))))
        else:
            kinds.add(Message(N_("empty objects")))
    return Joined(sorted(kinds))


def _looks_truncated(text: str, pos: int) -> bool:
    """The error is at the very end, or more brackets open than close (a file cut short)."""
    opened = text.count("{") + text.count("[")
    return pos >= len(text.rstrip()) - 1 or opened > text.count("}") + text.count("]")


def _kind(obj: Any) -> str:
    if isinstance(obj, list):
        return "a list"
    if isinstance(obj, dict):
        return "an object"
    if isinstance(obj, str):
        return "a string"
    if obj is None:
        return "null"
    if isinstance(obj, bool):
        return "a boolean"
    return "a number"


# Every message that names a kind, whole (a language's article agrees with the kind)
_TOP_LEVEL = {
    "a list": N_("{source}: the top level is a list; expected an object {{run_id: {{metric: [value]}}}}"),
    "a string": N_("{source}: the top level is a string; expected an object {{run_id: {{metric: [value]}}}}"),
    "null": N_("{source}: the top level is null; expected an object {{run_id: {{metric: [value]}}}}"),
    "a boolean": N_(
        "{source}: the top level is a boolean; expected an object {{run_id: {{metric: [value]}}}}"
    ),
    "a number": N_("{source}: the top level is a number; expected an object {{run_id: {{metric: [value]}}}}"),
}
_NOT_METRICS = {
    "a list": N_("a list instead of an object of metrics"),
    "a string": N_("a string instead of an object of metrics"),
    "null": N_("null instead of an object of metrics"),
    "a boolean": N_("a boolean instead of an object of metrics"),
    "a number": N_("a number instead of an object of metrics"),
}
_LIST_ENDING = {
    "a list": N_("a list ending in a list, not a number"),
    "an object": N_("a list ending in an object, not a number"),
}
_PLURAL = {
    "a list": Message(N_("lists")),
    "an object": Message(N_("objects")),
    "a string": Message(N_("strings")),
    "null": Message(N_("nulls")),
    "a boolean": Message(N_("booleans")),
    "a number": Message(N_("numbers")),
}


def _too_large(name: str, size: int, limit: int) -> AutoMLError:
    return AutoMLError(
        N_("{name}: {size} MB is over the {limit} MB limit for a metrics file"),
        name=name,
        size=Number(size / 2**20, decimals=1),
        limit=Number(limit / 2**20, decimals=1),
    )
