"""Non-scalar AutoML artifacts as tables: the confusion matrix, and ROC curves from an accuracy_table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.automl.model import AutoMLError

MAX_CLASSES = 100
MAX_ARTIFACT_BYTES = 4 * 2**20  # a confusion matrix is a few hundred bytes; an accuracy table ~100 kB


def read_downloaded(path: Path, name: str) -> dict[str, Any] | None:
    """A downloaded artifact file (``confusion_matrix``, ``accuracy_table`` …) as its JSON object, or
    ``None`` when it is too big, not JSON or not an object: a bad artifact is left out, never fatal."""
    try:
        if path.stat().st_size > MAX_ARTIFACT_BYTES:
            return None
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    doc.setdefault("schema_type", name)
    return doc


def confusion_matrix(artifact: dict[str, Any]) -> pd.DataFrame:
    """A ``confusion_matrix`` artifact (``data``: ``class_labels``, ``matrix``) → true × predicted counts."""
    data = _data(artifact, "confusion_matrix")
    labels = [str(x) for x in _list(data, "class_labels")]
    matrix = _array(data, "matrix")
    n = len(labels)
    if not 0 < n <= MAX_CLASSES or matrix.shape != (n, n):
        raise AutoMLError(f"confusion_matrix: matrix of shape {matrix.shape} does not fit {n} class labels")
    frame = pd.DataFrame(matrix, index=labels, columns=labels)
    frame.index.name, frame.columns.name = "true", "predicted"
    return frame


def roc_curves(artifact: dict[str, Any]) -> pd.DataFrame:
    """ROC per class from an accuracy_table's ``probability_tables`` (TP, FP, TN, FN per threshold).

    Returns class, threshold, fpr, tpr rows ordered by falling threshold (from (0, 0) towards (1, 1)).
    """
    data = _data(artifact, "accuracy_table")
    labels = [str(x) for x in _list(data, "class_labels")]
    thresholds = _array(data, "probability_thresholds")
    tables = _array(data, "probability_tables")
    if tables.shape != (len(labels), len(thresholds), 4) or not 0 < len(labels) <= MAX_CLASSES:
        raise AutoMLError(
            f"accuracy_table: probability_tables of shape {tables.shape}, expected "
            f"({len(labels)} classes, {len(thresholds)} thresholds, 4)"
        )
    order = np.argsort(-thresholds, kind="stable")
    frames = []
    for label, table in zip(labels, tables, strict=True):
        tp, fp, tn, fn = (table[order, k] for k in range(4))
        with np.errstate(invalid="ignore", divide="ignore"):
            tpr = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
            fpr = np.where(fp + tn > 0, fp / (fp + tn), 0.0)
        frames.append(pd.DataFrame({"class": label, "threshold": thresholds[order], "fpr": fpr, "tpr": tpr}))
    return pd.concat(frames, ignore_index=True)


def roc_auc(curves: pd.DataFrame) -> dict[str, float]:
    """Area under each class's ROC curve (trapezoids over the thresholds in the table)."""
    out = {}
    for label, curve in curves.groupby("class", sort=False):
        fpr = np.concatenate([[0.0], curve["fpr"].to_numpy(), [1.0]])
        tpr = np.concatenate([[0.0], curve["tpr"].to_numpy(), [1.0]])
        out[str(label)] = float(np.trapezoid(tpr, fpr))
    return out


def _data(artifact: Any, kind: str) -> dict[str, Any]:
    if not isinstance(artifact, dict) or artifact.get("schema_type", kind) != kind:
        raise AutoMLError(f"{kind}: not a {kind} artifact")
    data = artifact.get("data", artifact)
    if not isinstance(data, dict):
        raise AutoMLError(f"{kind}: 'data' is not an object")
    return data


def _list(data: dict[str, Any], key: str) -> list:
    value = data.get(key)
    if not isinstance(value, list):
        raise AutoMLError(f"artifact: {key!r} is missing or not a list")
    return value


def _array(data: dict[str, Any], key: str) -> np.ndarray:
    try:
        return np.asarray(_list(data, key), dtype=float)
    except (TypeError, ValueError):
        raise AutoMLError(f"artifact: {key!r} is not a regular array of numbers") from None
