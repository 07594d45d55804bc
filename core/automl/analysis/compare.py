"""Two AutoML runs side by side: the best per algorithm in each, aligned leaderboards, the primary metric's
values in both, and what changed between their settings where the sources record them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.automl.analysis.tables import per_algorithm, ranking
from core.automl.catalogue import metric_info
from core.automl.model import AutoMLData, AutoMLError
from core.runtime.i18n import N_, Translate, english
from core.runtime.message import in_language

MAX_LEADERBOARD = 50  # ranks shown side by side
MAX_LISTED = 12  # names listed in one "what changed" cell
SETTINGS = (  # the settings every comparison lists (a run's own setting parameters keep their names)
    N_("runs"),
    N_("task"),
    N_("stated primary metric"),
    N_("experiment"),
    N_("metrics"),
    N_("metrics only in one job"),
    N_("algorithms tried"),
)
COLUMNS = (  # every column of the tables, translated where shown (``ui.i18n.readable``)
    N_("job"),
    N_("run_id"),
    N_("algorithm"),
    N_("value"),
    N_("runs_a"),
    N_("best_a"),
    N_("runs_b"),
    N_("best_b"),
    N_("difference"),
    N_("rank"),
    N_("run_a"),
    N_("algorithm_a"),
    N_("value_a"),
    N_("run_b"),
    N_("algorithm_b"),
    N_("value_b"),
    N_("setting"),
    N_("changed"),
)


@dataclass(kw_only=True, frozen=True)
class Comparison:
    """AutoML run A against run B by one metric; differences are signed so that a positive number means B is
    better (higher where higher is better, lower where lower is)."""

    metric: str
    direction: str
    labels: tuple[str, str]
    best: pd.DataFrame  # job (A or B), run_id, algorithm, value (one row a side)
    per_algorithm: pd.DataFrame  # algorithm, runs_a, best_a, runs_b, best_b, difference
    leaderboard: pd.DataFrame  # rank, run_a, algorithm_a, value_a, run_b, algorithm_b, value_b
    values: pd.DataFrame  # job (A or B), run_id, algorithm, value: every child run of both
    changes: pd.DataFrame  # setting, a, b, changed

    @property
    def difference(self) -> float:
        """B's best minus A's best, signed so that positive means B did better."""
        a, b = self.best["value"].tolist()
        return _better(b - a, self.direction)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON: the tables as lists of records (NaN as null)."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return frame.astype(object).where(frame.notna(), None).to_dict("records")

        return {
            "metric": self.metric,
            "direction": self.direction,
            "a": self.labels[0],
            "b": self.labels[1],
            "difference": self.difference,
            "best": records(self.best),
            "per_algorithm": records(self.per_algorithm),
            "leaderboard": records(self.leaderboard),
            "changes": records(self.changes[self.changes["changed"]]),
        }

    def text(self, *, _: Translate = english) -> str:
        """What a terminal shows: the bests, per algorithm, and what changed, in ``_``'s language."""
        if self.direction == "min":
            lines = [_("{metric} (lower is better)", metric=self.metric)]
        else:
            lines = [_("{metric} (higher is better)", metric=self.metric)]
        for label, row in zip(self.labels, self.best.itertuples(index=False), strict=True):
            lines.append(
                _(
                    "{job}: {label}: best {run} · {algorithm} = {value}",
                    job=row.job,
                    label=label,
                    run=row.run_id,
                    algorithm=row.algorithm,
                    value=_.significant(row.value, digits=6),
                )
            )
        if self.difference == 0:
            who = _("neither is better: a tie")
        else:
            who = _("B is better") if self.difference > 0 else _("A is better")
        difference = ("+" if self.difference >= 0 else "-") + _.significant(abs(self.difference), digits=6)
        lines.append(f"B - A: {difference} ({who})")
        table = self.per_algorithm.rename(columns={c: _(c) for c in self.per_algorithm.columns})
        lines += ["", table.to_string(index=False, float_format=lambda v: _.number(v, decimals=4))]
        changed = self.changes[self.changes["changed"]]
        if len(changed):
            lines += ["", _("what changed:")]
            for r in changed.itertuples():
                setting = _(r.setting) if r.setting in SETTINGS else r.setting
                lines.append(f"  {setting}: {r.a} → {r.b}")
        return "\n".join(lines)


def compare(a: AutoMLData, b: AutoMLData, metric: str | None = None, *, _: Translate = english) -> Comparison:
    """Compare AutoML run ``b`` with run ``a`` by ``metric`` (default: ``a``'s primary metric, which ``b``
    must have too); the labels and the refusal in ``_``'s language."""
    metric = a.primary_metric(metric)
    if metric not in b.metrics:
        both = ", ".join(m for m in a.metrics if m in b.metrics)[:300] or _("none")
        raise AutoMLError(
            _(
                "{job}: metric {metric} (job A's) is in no run; give one both jobs have: {both}",
                job=in_language(b.source, _) if b.source else _("job B"),
                metric=repr(metric),
                both=both,
            )
        )
    direction = metric_info(metric).direction
    ranked = [ranking(data, metric) for data in (a, b)]
    best = pd.DataFrame(
        [
            {"job": side, **r.iloc[0][["run_id", "algorithm", "value"]].to_dict()}
            for side, r in zip("AB", ranked, strict=True)
        ]
    )
    return Comparison(
        metric=metric,
        direction=direction,
        labels=(
            in_language(a.source, _) if a.source else _("job A"),
            in_language(b.source, _) if b.source else _("job B"),
        ),
        best=best,
        per_algorithm=_per_algorithm(a, b, metric, direction=direction),
        leaderboard=_leaderboard(*ranked),
        values=pd.concat(
            [
                r.assign(job=side)[["job", "run_id", "algorithm", "value"]]
                for side, r in zip("AB", ranked, strict=True)
            ],
            ignore_index=True,
        ),
        changes=changes(a, b),
    )


def _per_algorithm(a: AutoMLData, b: AutoMLData, metric: str, *, direction: str) -> pd.DataFrame:
    left, right = (per_algorithm(data, metric)[["algorithm", "runs", "best"]] for data in (a, b))
    both = left.merge(right, on="algorithm", how="outer", suffixes=("_a", "_b"))
    for column in ("runs_a", "runs_b"):
        both[column] = both[column].fillna(0).astype(int)
    both["difference"] = _better(both["best_b"] - both["best_a"], direction)
    order = (
        both[["best_a", "best_b"]].max(axis=1)
        if direction == "max"
        else both[["best_a", "best_b"]].min(axis=1)
    )
    both = both.assign(_key=order).sort_values("_key", ascending=direction == "min", kind="stable")
    return both.drop(columns="_key").reset_index(drop=True)[
        ["algorithm", "runs_a", "best_a", "runs_b", "best_b", "difference"]
    ]


def _leaderboard(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    cols = ["run_id", "algorithm", "value"]
    left = a[cols].head(MAX_LEADERBOARD).add_suffix("_a").rename(columns={"run_id_a": "run_a"})
    right = b[cols].head(MAX_LEADERBOARD).add_suffix("_b").rename(columns={"run_id_b": "run_b"})
    board = pd.concat([left, right], axis=1)
    board.insert(0, "rank", np.arange(1, len(board) + 1))
    return board


def changes(a: AutoMLData, b: AutoMLData) -> pd.DataFrame:
    """Settings of each AutoML run and whether they differ: size, metrics, the stated primary metric and
    experiment, algorithms tried, and every setting parameter that holds one value across its child runs."""
    rows: list[tuple[str, Any, Any]] = [
        ("runs", len(a.runs), len(b.runs)),
        ("task", a.task, b.task),
        ("stated primary metric", a.parent.get("primary_metric"), b.parent.get("primary_metric")),
        ("experiment", a.parent.get("experiment"), b.parent.get("experiment")),
        ("metrics", len(a.metrics), len(b.metrics)),
    ]
    only_a = [m for m in a.metrics if m not in b.metrics]
    only_b = [m for m in b.metrics if m not in a.metrics]
    if only_a or only_b:
        rows.append(("metrics only in one job", _names(only_a), _names(only_b)))
    tried = [sorted(set(data.runs["algorithm"].dropna())) for data in (a, b)]
    if tried[0] or tried[1]:
        rows.append(("algorithms tried", _names(tried[0]), _names(tried[1])))
    settings = [_constant_settings(data) for data in (a, b)]
    for name in dict.fromkeys([*settings[0], *settings[1]]):
        rows.append((name, settings[0].get(name), settings[1].get(name)))
    frame = pd.DataFrame(rows, columns=["setting", "a", "b"]).astype(object)
    known = frame["a"].notna() | frame["b"].notna()
    frame = frame[known].reset_index(drop=True)
    frame["changed"] = [str(x) != str(y) for x, y in zip(frame["a"], frame["b"], strict=True)]
    return frame


def _constant_settings(data: AutoMLData) -> dict[str, Any]:
    settings = data.params[data.params["kind"] == "setting"]
    out = {}
    for name, group in settings.groupby("name", sort=False):
        values = {str(v) for v in group["value"]}
        if len(values) == 1 and len(group) == len(data.runs):
            out[str(name)] = group["value"].iloc[0]
    return out


def _names(names: list[str]) -> str | None:
    if not names:
        return None
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (f" … ({len(names)})" if len(names) > MAX_LISTED else "")


def _better(delta, direction: str):
    return -delta if direction == "min" else delta
