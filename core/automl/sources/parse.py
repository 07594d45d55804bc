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

MAX_BYTES = 20 * 2**20  # a real metrics_data file of 200 runs x 40 metrics is about 0.2 MB
MAX_RUNS = 20_000
MAX_METRICS_PER_RUN = 2_000
MAX_SKIPPED_KEPT = 500
MAX_INT_CHARS = 400  # a longer JSON integer is no float (> 1e308), and Python refuses one of over 4300 digits
META_KEY = "__pilab__"  # Pi Lab's metadata in cached pulls; run ids never start with "__"
ARTIFACT_SCHEMAS = ("confusion_matrix", "accuracy_table", "residuals", "predicted_true")
_ITERATION = re.compile(r"_(\d+)$")


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
        raise AutoMLError(f"{p}: no such file")
    if not p.is_file():
        raise AutoMLError(f"{p}: not a file")
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise AutoMLError(f"{p.name}: {_mb(size)} is over the {_mb(max_bytes)} limit for a metrics file")
        data = p.read_bytes()
    except OSError as exc:
        raise AutoMLError(f"{p.name}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    return load_bytes(data, name=p.name, max_bytes=max_bytes)


def load_bytes(data: bytes, *, name: str = "upload", max_bytes: int = MAX_BYTES) -> AutoMLData:
    """Parse the bytes of a cached metrics file; ``name`` labels every message."""
    if len(data) > max_bytes:
        raise AutoMLError(f"{name}: {_mb(len(data))} is over the {_mb(max_bytes)} limit for a metrics file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AutoMLError(
            f"{name}: not UTF-8 text (byte {exc.start}); expected a JSON metrics file"
        ) from None
    if not text.strip():
        raise AutoMLError(f"{name}: the file is empty; expected JSON {{run_id: {{metric: [value]}}}}")
    try:
        obj = json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        hint = " (the file looks truncated)" if _looks_truncated(text, exc.pos) else ""
        raise AutoMLError(
            f"{name}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}{hint}"
        ) from None
    except RecursionError:
        raise AutoMLError(
            f"{name}: JSON nested too deeply; expected {{run_id: {{metric: [value]}}}}"
        ) from None
    return parse_metrics(obj, source=name)


def parse_metrics(obj: Any, *, source: str = "input") -> AutoMLData:
    """Turn the decoded JSON into tidy metrics; keep scalars, list everything skipped and why."""
    if not isinstance(obj, dict):
        raise AutoMLError(
            f"{source}: the top level is {_kind(obj)}; expected an object {{run_id: {{metric: [value]}}}}"
        )
    meta = obj.get(META_KEY) if isinstance(obj.get(META_KEY), dict) else {}
    entries = [(k, v) for k, v in obj.items() if k != META_KEY]
    if not entries:
        raise AutoMLError(f"{source}: no runs (an empty object); expected {{run_id: {{metric: [value]}}}}")
    if len(entries) > MAX_RUNS:
        raise AutoMLError(f"{source}: {len(entries):,} runs is over the limit of {MAX_RUNS:,}")

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
            skip(run_id, "", f"{_kind(metrics)} instead of an object of metrics")
            continue
        if len(metrics) > MAX_METRICS_PER_RUN:  # the run is not named: the file may not be metrics at all
            raise AutoMLError(
                f"{source}: run {position + 1:,} of {len(entries):,} has {len(metrics):,} entries, "
                f"over the limit of {MAX_METRICS_PER_RUN:,} metrics per run"
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
            detail = f"; first skipped: {skipped[0].run_id} {skipped[0].metric}: {skipped[0].reason}"
        else:  # maybe not metrics at all (a token cache, a config): its shape only, never a key or value
            detail = f"; found {_shape(entries)}, expected {{run_id: {{metric: [number]}}}}"
        raise AutoMLError(f"{source}: no numeric metric values in {len(entries)} run(s){detail}")

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
    """A value as the cached format holds it → ``(number, None)``, or ``(None, why it was skipped)``."""
    if isinstance(raw, list):
        if not raw:
            return None, "an empty list"
        raw = raw[-1]  # logged several times: the last value counts
        if isinstance(raw, list | dict):
            return None, f"a list ending in {_kind(raw)}, not a number"
    if isinstance(raw, HugeInt):
        return None, f"an integer of {raw.digits:,} digits, too large for a float"
    if raw is None:
        return None, "missing (null)"
    if isinstance(raw, bool):
        return None, "a boolean, not a number"
    if isinstance(raw, int | float):
        try:
            value = float(raw)
        except OverflowError:
            return None, "an integer too large for a float"
        if math.isnan(value):
            return None, "NaN"
        if math.isinf(value):
            return None, "infinite"
        return value, None
    if isinstance(raw, str):
        if raw.startswith("aml://"):
            return None, "an artifact (aml://…), not a scalar"
        try:
            float(raw)
        except ValueError:
            return None, "a string, not a number"  # its text is not echoed: it may be anything
        return None, f"a string ({raw.strip()[:30]!r}), not a number"
    if isinstance(raw, dict):
        kind = raw.get("schema_type")
        return None, f"a {kind} artifact, not a scalar" if isinstance(
            kind, str
        ) else "an object, not a number"
    return None, f"{_kind(raw)}, not a number"


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


def _shape(entries: list[tuple[str, Any]]) -> str:
    """What the runs of a document hold, by kind only (``objects of strings and lists``, ``numbers``)."""
    inner = {_PLURAL[_kind(x)] for _, v in entries if isinstance(v, dict) for x in v.values()}
    kinds = {_PLURAL[_kind(v)] for _, v in entries if not isinstance(v, dict)}
    if any(isinstance(v, dict) for _, v in entries):
        kinds.add(f"objects of {' and '.join(sorted(inner))}" if inner else "empty objects")
    return " and ".join(sorted(kinds))


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


_PLURAL = {
    "a list": "lists",
    "an object": "objects",
    "a string": "strings",
    "null": "nulls",
    "a boolean": "booleans",
    "a number": "numbers",
}


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB"
