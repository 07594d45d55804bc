"""Views derived from the tidy metrics: ranking, wide table, baseline deltas, correlation, best-so-far."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from core.automl.catalogue import metric_info
from core.automl.model import AutoMLData, AutoMLError
from core.runtime.i18n import N_, Translate, english

NO_ALGORITHM = N_("(not recorded)")  # a run whose source names no algorithm (in English in exports)


@dataclass(kw_only=True, frozen=True)
class Summary:
    """The headline of one AutoML run, as the summary cards and ``summary --json`` show it."""

    source: str
    runs: int
    metrics: int
    task: str
    primary_metric: str
    direction: str
    best_run: str
    best_iteration: int | None
    best_value: float
    skipped: int

    def to_dict(self) -> dict:
        return asdict(self)


def best_run(data: AutoMLData, metric: str) -> tuple[str, float]:
    """The run with the best value of ``metric`` (direction from the catalogue; ties: lowest iteration)."""
    data.require_metric(metric)
    values = data.tidy[data.tidy["metric"] == metric]
    ascending = metric_info(metric).lower_is_better
    top = values.sort_values(["value", "iteration"], ascending=[ascending, True], kind="stable").iloc[0]
    return str(top["run_id"]), float(top["value"])


def summarize(data: AutoMLData, primary_metric: str | None = None) -> Summary:
    """Runs, metrics, task and the best run by the primary metric."""
    metric = data.primary_metric(primary_metric)
    run_id, value = best_run(data, metric)
    iteration = data.runs.loc[data.runs["run_id"] == run_id, "iteration"].iloc[0]
    return Summary(
        source=data.source,
        runs=len(data.runs),
        metrics=len(data.metrics),
        task=data.task,
        primary_metric=metric,
        direction=metric_info(metric).direction,
        best_run=run_id,
        best_iteration=None if pd.isna(iteration) else int(iteration),
        best_value=value,
        skipped=data.skipped_total,
    )


def wide(
    data: AutoMLData,
    metrics: list[str] | None = None,
    *,
    only_differing: bool = False,
    _: Translate = english,
) -> pd.DataFrame:
    """One row per run in iteration order: run_id, iteration, algorithm (a missing one said in ``_``'s
    language), then one column per metric."""
    chosen = list(metrics) if metrics else data.metrics
    for m in chosen:
        data.require_metric(m)
    table = data.tidy[data.tidy["metric"].isin(chosen)].pivot(
        index="run_id", columns="metric", values="value"
    )
    if only_differing:
        chosen = [m for m in chosen if table[m].nunique(dropna=False) > 1]
    meta = data.runs[["run_id", "iteration", "algorithm"]].copy()
    meta["algorithm"] = meta["algorithm"].fillna(_(NO_ALGORITHM))
    out = meta.merge(table.reindex(columns=chosen), left_on="run_id", right_index=True, how="left")
    return out.reset_index(drop=True)


def ranking(data: AutoMLData, metric: str | None = None) -> pd.DataFrame:
    """Runs that have ``metric``, best first: rank, run_id, iteration, algorithm, value, gap to the best."""
    metric = data.primary_metric(metric)
    table = wide(data, [metric]).dropna(subset=[metric])
    ascending = metric_info(metric).lower_is_better
    table = table.sort_values([metric, "iteration"], ascending=[ascending, True], kind="stable")
    table = table.rename(columns={metric: "value"}).reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table["gap_to_best"] = (table["value"] - table["value"].iloc[0]).abs()
    return table


def baseline_deltas(data: AutoMLData, baseline: str, metrics: list[str] | None = None) -> pd.DataFrame:
    """Each run's metrics minus the baseline run's, signed so that a positive number is always better."""
    data.require_run(baseline)
    table = wide(data, metrics)
    chosen = [c for c in table.columns if c not in ("run_id", "iteration", "algorithm")]
    base = table.loc[table["run_id"] == baseline, chosen].iloc[0]
    out = table[["run_id", "iteration", "algorithm"]].copy()
    for m in chosen:
        sign = -1.0 if metric_info(m).lower_is_better else 1.0
        out[m] = sign * (table[m] - base[m])
    return out


def correlation(data: AutoMLData, metrics: list[str] | None = None, method: str = "spearman") -> pd.DataFrame:
    """Correlation between metrics across runs (Spearman by default: rank agreement)."""
    table = wide(data, metrics)
    values = table.drop(columns=["run_id", "iteration", "algorithm"])
    values = values.loc[:, values.nunique() > 1]  # a constant column has no correlation
    return values.corr(method=method)


def best_so_far(data: AutoMLData, metric: str | None = None) -> pd.DataFrame:
    """Per iteration: the run's value, the best value up to it, and whether it improved on all before."""
    metric = data.primary_metric(metric)
    table = wide(data, [metric]).dropna(subset=[metric, "iteration"]).sort_values("iteration")
    values = table[metric].to_numpy(dtype=float)
    if metric_info(metric).lower_is_better:
        best = np.minimum.accumulate(values)
        improved = np.concatenate([[True], values[1:] < best[:-1]]) if len(values) else np.array([], bool)
    else:
        best = np.maximum.accumulate(values)
        improved = np.concatenate([[True], values[1:] > best[:-1]]) if len(values) else np.array([], bool)
    return pd.DataFrame(
        {
            "iteration": table["iteration"].astype(int).to_numpy(),
            "run_id": table["run_id"].to_numpy(),
            "value": values,
            "best_so_far": best,
            "improved": improved,
        }
    )


def last_improvement(curve: pd.DataFrame) -> tuple[int, int]:
    """(iteration of the last improvement, iterations run after it) from a ``best_so_far`` table."""
    if curve.empty:
        raise AutoMLError("no iterations to look at")
    last = int(curve.loc[curve["improved"], "iteration"].iloc[-1])
    after = int((curve["iteration"] > last).sum())
    return last, after


def per_algorithm(data: AutoMLData, metric: str | None = None) -> pd.DataFrame:
    """Per algorithm: runs, best, median and worst of ``metric``, best algorithm first."""
    metric = data.primary_metric(metric)
    table = wide(data, [metric]).dropna(subset=[metric])
    ascending = metric_info(metric).lower_is_better
    grouped = table.groupby("algorithm")[metric]
    out = pd.DataFrame(
        {
            "runs": grouped.size(),
            "best": grouped.min() if ascending else grouped.max(),
            "median": grouped.median(),
            "worst": grouped.max() if ascending else grouped.min(),
        }
    )
    return out.sort_values("best", ascending=ascending).reset_index()
