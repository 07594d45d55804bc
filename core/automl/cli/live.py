"""``watch``, ``pipelines`` and ``trigger`` from a terminal: follow a running AutoML run child by child, list
an Azure ML workspace's published pipelines and start one (settings as ``pull`` reads them)."""

from __future__ import annotations

import json
import time
from argparse import Namespace
from pathlib import Path
from typing import Any

from core.automl.catalogue import metric_info
from core.automl.cli import pull
from core.automl.model import AutoMLData, AutoMLError
from core.automl.sources.watch import CANCELLED, COMPLETED, FAILED, MAX_EVERY_S, MIN_EVERY_S, RUNNING, Watch
from core.runtime.checks import Refusal
from core.runtime.i18n import N_, Translate, english, translator

EVERY_OUT_OF_RANGE = N_("--every {every} is not in [{low}, {high}] seconds")
STATE_NAMES = {  # a run's state (the watch's four) as a terminal line names it
    RUNNING: N_("running"),
    COMPLETED: N_("completed"),
    FAILED: N_("failed"),
    CANCELLED: N_("canceled"),
}


def add_parsers(sub: Any, *, _: Translate = english) -> None:
    """The three sub-commands, on the command line's sub-parsers, their help in ``_``'s language."""
    w = sub.add_parser("watch", help=_("follow a running AutoML job: one line per child that ends"), _=_)
    live = w.add_mutually_exclusive_group(required=True)
    live.add_argument("--mlflow", metavar="URI", help=_(pull.MLFLOW_URI_HELP))
    live.add_argument("--azure", action="store_true", help=_("an Azure ML workspace (settings as for pull)"))
    w.add_argument("--parent", help=_("MLflow: the parent run (the AutoML job)"))
    w.add_argument("--experiment", help=_("Azure ML: the experiment"))
    w.add_argument("--run", help=_("Azure ML: the AutoML or pipeline run"))
    w.add_argument("--every", type=float, default=10.0, help=_("seconds between polls (default 10)"))
    w.add_argument("--primary-metric", help=_("metric of the best-so-far (default: the job's)"))
    w.add_argument("--out", help=_("a folder for the cache file (default: the cache folder the page reads)"))
    p = sub.add_parser("pipelines", help=_("the Azure ML workspace's published pipelines"), _=_)
    p.add_argument("--all", action="store_true", help=_("also the disabled and deprecated ones"))
    p.add_argument("--json", action="store_true", help=_("print a JSON list"))
    t = sub.add_parser("trigger", help=_("run a published pipeline (by name or id) in an experiment"), _=_)
    t.add_argument("name", help=_("the published pipeline's name or id"))
    t.add_argument("--experiment", required=True, help=_("the experiment the run goes into"))
    t.add_argument("--version", help=_("which version, where several share the name"))
    t.add_argument(
        "--param", action="append", default=[], metavar="K=V", help=_("a pipeline parameter (repeatable)")
    )


def watch_command(args: Namespace) -> int:
    """Poll until the parent ends; print each child as it ends; exit 0 when the parent run completed, else
    1. A first poll that fails ends the command (status 2); later failures are retried, backing off."""
    if not MIN_EVERY_S <= args.every <= MAX_EVERY_S:
        raise Refusal(
            EVERY_OUT_OF_RANGE, every=float(args.every), low=float(MIN_EVERY_S), high=float(MAX_EVERY_S)
        )
    _ = translator(args.lang)
    args.no_artifacts = False
    source, name = pull.source(args)
    directory = Path(args.out) if args.out else None
    watch = Watch(source, name, args.every, directory=directory)
    best: tuple[str, float] | None = None
    while True:
        snap = watch.poll()
        if snap.error and snap.polls == 1:  # a first poll that fails is bad input, not a passing fault
            raise AutoMLError(snap.error)
        if snap.error:
            wait = f"{snap.next_at - time.time():.0f}"
            print(
                _("poll failed ({error}); next try in {seconds} s", error=snap.error, seconds=wait),
                flush=True,
            )
        if snap.data is not None:
            primary = snap.data.primary_metric(args.primary_metric)
            for run_id in snap.ended_now:
                line, best = child_line(snap.data, run_id, primary=primary, best=best, _=_)
                print(line, flush=True)
        if snap.done:
            ended = ", ".join(f"{_(STATE_NAMES.get(k, k))} {v}" for k, v in snap.counts.items() if v)
            children = sum(snap.counts.values())
            print(
                _(
                    "parent {state}: {children} children ({ended}); cached as {path}",
                    state=_(STATE_NAMES.get(snap.state, snap.state)),
                    children=children,
                    ended=ended,
                    path=snap.path,
                )
            )
            return 0 if snap.state == COMPLETED else 1
        time.sleep(max(0.0, (snap.next_at or time.time()) - time.time()))


def child_line(
    data: AutoMLData,
    run_id: str,
    *,
    primary: str,
    best: tuple[str, float] | None,
    _: Translate = english,
) -> tuple[str, tuple[str, float] | None]:
    """A line for a child that ended (iteration, algorithm, primary metric, best so far), in ``_``'s
    language; the new best."""
    runs = data.runs.set_index("run_id")
    if run_id not in runs.index:
        return _("{run_id}: ended without a {metric} value", run_id=run_id, metric=primary), best
    row = runs.loc[run_id]
    values = data.tidy[(data.tidy.run_id == run_id) & (data.tidy.metric == primary)]["value"]
    algorithm = row["algorithm"] or _("(algorithm not recorded)")
    label = f"#{row['iteration']} {algorithm}"
    if values.empty:
        status = row["status"] or ""
        # TRANSLATORS: as written ("no" is Spanish too): the pages' tests read ": no " as English left
        return _("{label} {status}: no {metric}", label=label, status=status, metric=primary).strip(), best
    value, lower = float(values.iloc[-1]), metric_info(primary).lower_is_better
    if best is None or (value < best[1] if lower else value > best[1]):
        best = (label.split()[0], value)
    line = _(
        "{label} {metric}={value} · best so far {best} ({iteration})",
        label=label,
        metric=primary,
        value=fixed(value, _),
        best=fixed(best[1], _),
        iteration=best[0],
    )
    return line, best


def fixed(value: float, _: Translate) -> str:
    """A metric's value with four decimals, in ``_``'s decimal mark (0.9123, 0,9123), never grouped."""
    return f"{value:.4f}".replace(".", _.separators[0])


def pipelines_command(args: Namespace) -> int:
    from core.automl.sources import pipelines

    found = pipelines.list_published(_workspace(), active_only=not args.all)
    _ = translator(args.lang)
    if args.json:
        print(json.dumps([p.to_dict() for p in found]))
    elif not found:
        print(_("no published pipelines in this workspace"))
    for p in [] if args.json else found:
        declared = ", ".join(f"{k}={v}" for k, v in p.parameters.items()) or _("no parameters")
        print(f"{p.name} v{p.version or '?'} · {p.status} · id {p.id} · {declared} · {p.endpoint}")
    return 0


def trigger_command(args: Namespace) -> int:
    from core.automl.sources import pipelines

    workspace = _workspace()
    chosen = pipelines.choose(pipelines.list_published(workspace), args.name, args.version)
    values = pipelines.parse_params(args.param)
    run = pipelines.trigger(workspace, chosen, experiment=args.experiment, values=values)
    _ = translator(args.lang)
    submitted = _(
        "submitted {name} v{version} as run {run} in {experiment}",
        name=chosen.name,
        version=chosen.version or "?",
        run=run.run_id,
        experiment=run.experiment,
    )
    print(submitted)
    print(_("studio: {link}", link=run.portal_url or _("(no link)")))
    command = f"python -m core.automl watch --azure --experiment {run.experiment} --run {run.run_id}"
    print(_("watch it: {command}", command=command))
    return 0


def _workspace():
    from core.automl.sources import azureml_v1 as az

    return az.connect(az.AzureSettings.from_mapping(pull.secrets("azureml")))
