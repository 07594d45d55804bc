"""Run parameters as a tidy table (run_id, name, value, kind), from what each source records about a run.

A source gives each run's parameters grouped by kind, ``{kind: {name: value}}`` (the cached form, too);
kinds are algorithm, preprocessor, hyperparameter and setting. Values are kept plain: a number where the
text is one (Azure properties and MLflow params are strings), else short text.
"""

from __future__ import annotations

import ast
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from core.automl.model import PARAM_COLUMNS, PARAM_KINDS, AutoMLData, empty_params
from core.runtime.i18n import N_

Grouped = dict[str, dict[str, Any]]  # {kind: {name: value}}

MAX_PARAMS_PER_RUN = 500
MAX_TEXT = 200  # a longer value is cut: a parameter is a label in a table, not a document
MAX_SPEC_CHARS = 200_000  # a pipeline_spec or an ensemble list longer than this is not parsed
NOT_RECORDED = "(not recorded)"  # a value no source recorded (data, as the page's tables write it)
NONE_RECORDED = N_(
    "no run parameters (a metrics_data file has none; pulls from MLflow or Azure ML record them)"
)

# Azure ML child-run properties and tags (AutoML, SDK v1) → kind and the name Pi Lab gives them
AZURE_NAMED = {
    "run_algorithm": ("algorithm", "algorithm"),
    "run_preprocessor": ("preprocessor", "preprocessor"),
    "training_percent": ("setting", "training_percent"),
    "ensembled_iterations": ("hyperparameter", "ensembled_iterations"),
    "ensembled_algorithms": ("hyperparameter", "ensembled_algorithms"),
    "ensemble_weights": ("hyperparameter", "ensemble_weights"),
    "best_individual_iteration": ("setting", "best_individual_iteration"),
}
# MLflow tags and params that name the algorithm or the preprocessor (AutoML's, sklearn autolog's)
MLFLOW_ALGORITHM = ("run_algorithm", "algorithm", "estimator_name", "estimator", "model_name")
MLFLOW_PREPROCESSOR = ("run_preprocessor", "preprocessor")
MLFLOW_SETTINGS = ("training_percent", "primary_metric", "task", "task_type", "iteration")
MLFLOW_SKIPPED_TAGS = ("mlflow.", "azureml.", "_aml_system")  # bookkeeping, not parameters


def plain(value: Any) -> str | int | float | bool | None:
    """A parameter value as a table holds it: numbers (from numeric text too), booleans, short text."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        text = value.strip()
        number = _number(text)
        return number if number is not None else text[:MAX_TEXT]
    try:
        text = json.dumps(value, default=str)
    except (TypeError, ValueError):
        text = str(value)
    return text[:MAX_TEXT]


def pipeline_spec(raw: Any) -> Grouped:
    """AutoML's ``pipeline_spec`` (a JSON string: ``objects`` with ``class_name``, ``spec_class`` and
    ``param_kwargs``): the estimator's class and hyperparameters, each preprocessor's class and kwargs."""
    spec = _json(raw)
    objects = spec.get("objects") if isinstance(spec, dict) else None
    out: Grouped = {}
    if not isinstance(objects, list):
        return out
    steps = []
    for obj in objects:
        if not isinstance(obj, dict) or not isinstance(obj.get("class_name"), str):
            continue
        name, kwargs = obj["class_name"], obj.get("param_kwargs")
        kwargs = kwargs if isinstance(kwargs, dict) else {}
        if obj.get("spec_class") == "preproc":
            steps.append(name)
            for key, value in kwargs.items():
                out.setdefault("preprocessor", {})[f"{name}.{key}"] = plain(value)
        else:
            out.setdefault("algorithm", {})["estimator"] = name
            for key, value in kwargs.items():
                out.setdefault("hyperparameter", {})[str(key)] = plain(value)
    if steps:
        out.setdefault("preprocessor", {})["preprocessor_steps"] = ", ".join(steps)
    return out


def from_azure(properties: Mapping[str, Any] | None, tags: Mapping[str, Any] | None) -> Grouped:
    """An AutoML child run's parameters from its properties and tags (azureml-core ``Run``): the algorithm,
    preprocessor, ``pipeline_spec``, ``training_percent`` and, for ensembles, members and weights."""
    found = {**dict(tags or {}), **dict(properties or {})}
    out = pipeline_spec(found.get("pipeline_spec"))
    for key, (kind, name) in AZURE_NAMED.items():
        value = found.get(key)
        if value in (None, ""):
            continue
        if key.startswith("ensemble"):
            value = _literal_list(value)
        out.setdefault(kind, {})[name] = plain(value)
    return _ordered(out)


def from_mlflow(params: Mapping[str, str] | None, tags: Mapping[str, str] | None) -> Grouped:
    """An MLflow child run's parameters: its params (hyperparameters unless they name the algorithm, the
    preprocessor or a setting), the tags that name the algorithm, and a ``pipeline_spec`` where logged."""
    params, tags = dict(params or {}), dict(tags or {})
    out: Grouped = {}
    for key, value in params.items():
        if key == "pipeline_spec":
            continue
        kind = (
            "algorithm"
            if key in MLFLOW_ALGORITHM
            else "preprocessor"
            if key in MLFLOW_PREPROCESSOR
            else "setting"
            if key in MLFLOW_SETTINGS
            else "hyperparameter"
        )
        out.setdefault(kind, {})[_name(key)] = plain(value)
    for key, value in tags.items():
        if key.startswith(MLFLOW_SKIPPED_TAGS) or value in (None, ""):
            continue
        if key in MLFLOW_ALGORITHM:
            out.setdefault("algorithm", {}).setdefault(_name(key), plain(value))
        elif key in MLFLOW_PREPROCESSOR:
            out.setdefault("preprocessor", {}).setdefault(_name(key), plain(value))
        elif key in AZURE_NAMED and key.startswith("ensemble"):
            out.setdefault("hyperparameter", {})[key] = plain(_literal_list(value))
    spec = pipeline_spec(params.get("pipeline_spec") or tags.get("pipeline_spec"))
    for kind, values in spec.items():
        for name, value in values.items():
            out.setdefault(kind, {}).setdefault(name, value)
    return _ordered(out)


def table(grouped: Mapping[str, Any], run_ids: Iterable[str]) -> pd.DataFrame:
    """The tidy table from ``{run_id: {kind: {name: value}}}`` (a cache's ``params``), in ``run_ids``'
    order; unknown kinds, odd shapes and runs not in ``run_ids`` are left out, values made plain."""
    rows = []
    for run_id in run_ids:
        kinds = grouped.get(run_id) if isinstance(grouped, Mapping) else None
        if not isinstance(kinds, Mapping):
            continue
        count = 0
        for kind in PARAM_KINDS:
            values = kinds.get(kind)
            if not isinstance(values, Mapping):
                continue
            for name, value in values.items():
                if count >= MAX_PARAMS_PER_RUN:
                    break
                rows.append((run_id, str(name)[:MAX_TEXT], plain(value), kind))
                count += 1
    if not rows:
        return empty_params()
    return pd.DataFrame(rows, columns=PARAM_COLUMNS).astype(object)


def grouped(data: AutoMLData) -> dict[str, Grouped]:
    """The parameter table back in the cached form ``{run_id: {kind: {name: value}}}``."""
    out: dict[str, Grouped] = {}
    for run_id, name, value, kind in data.params[PARAM_COLUMNS].itertuples(index=False):
        out.setdefault(run_id, {}).setdefault(kind, {})[name] = value
    return out


def listing(data: AutoMLData) -> pd.DataFrame:
    """The parameters with each run's iteration: run_id, iteration, kind, name, value (run order)."""
    iterations = data.runs[["run_id", "iteration"]]
    table = iterations.merge(data.params, on="run_id", how="inner")
    return table[["run_id", "iteration", "kind", "name", "value"]].reset_index(drop=True)


def wide(data: AutoMLData, names: list[str] | None = None) -> pd.DataFrame:
    """One row per run (``run_id``, then one column per parameter in ``names``, default all): numbers
    where every recorded value of a parameter is one, else text (``True`` as ``"True"``); a run without it
    has ``None``."""
    chosen = list(names) if names is not None else data.param_names
    rows = data.params[data.params["name"].isin(chosen)].drop_duplicates(["run_id", "name"])
    table = rows.pivot(index="run_id", columns="name", values="value").reindex(
        index=data.run_ids, columns=chosen
    )
    out = pd.DataFrame({"run_id": data.run_ids})
    for name in chosen:
        column = table[name].tolist()
        if is_numeric(column):
            out[name] = pd.Series(column, dtype=float)
        else:
            out[name] = pd.Series([None if _missing(v) else str(v) for v in column], dtype=object)
    return out


def is_numeric(values: Iterable[Any]) -> bool:
    """Every recorded value is a number (not a boolean), and there is at least one."""
    seen = [v for v in values if not _missing(v)]
    return bool(seen) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in seen)


def kinds(data: AutoMLData) -> dict[str, str]:
    """Each parameter name's kind (the first seen)."""
    return dict(zip(data.params["name"], data.params["kind"], strict=True)) if len(data.params) else {}


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _number(text: str) -> int | float | None:
    if not text or len(text) > 40 or text.lower() in ("nan", "inf", "-inf", "infinity", "-infinity"):
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _json(raw: Any) -> Any:
    if isinstance(raw, dict):
        return raw
    if not isinstance(raw, str) or len(raw) > MAX_SPEC_CHARS:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _literal_list(value: Any) -> Any:
    """``"[1, 0, 5]"`` or ``"['LightGBM', 'SGD']"`` (how AutoML stores an ensemble's members) as a list;
    read with ``ast.literal_eval``, which evaluates literals only."""
    if not isinstance(value, str) or len(value) > MAX_SPEC_CHARS:
        return value
    try:
        parsed = ast.literal_eval(value.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return value
    return parsed if isinstance(parsed, list | tuple) else value


def _name(key: str) -> str:
    return {"run_algorithm": "algorithm", "run_preprocessor": "preprocessor"}.get(key, key)


def _ordered(out: Grouped) -> Grouped:
    return {kind: out[kind] for kind in PARAM_KINDS if out.get(kind)}
