"""``python -m core.automl``: a metrics file's summary, table and run parameters; a model file read
statically; two AutoML runs compared; a live source pulled into the cache the page reads, or watched until
its parent run ends; an Azure ML workspace's published pipelines listed and triggered."""

from __future__ import annotations

import json
import sys
from argparse import Namespace

from core.automl import params as run_params
from core.automl.analysis import compare as comparison
from core.automl.analysis.tables import summarize, wide
from core.automl.catalogue import task_name
from core.automl.cli import live as live_commands
from core.automl.cli import pull
from core.automl.model import AutoMLError
from core.automl.modelfile import report as modelfile
from core.automl.sources.parse import load_path
from core.runtime.cli import Parser, add_lang_argument, fail, run
from core.runtime.i18n import translator

PROG = "python -m core.automl"
COMMANDS = "summary,table,params,model,compare,pull,watch,pipelines,trigger"
USAGE = (
    "give a command: summary PATH [--primary-metric M] [--json] | table PATH [--csv] | params PATH [--csv] | "
    "model FILE [--json] | compare A B [--json] | pull (--mlflow URI --parent RUN_ID | --azure "
    "--experiment NAME --run RUN_ID) [--out PATH] | watch --mlflow URI --parent RUN_ID [--every 10] | "
    "pipelines [--json] | trigger NAME --experiment E [--param K=V]"
)
METRICS_FILE = "a cached metrics file: {run_id: {metric: [value]}}"


def parser() -> Parser:
    """The command line's parser: one sub-command a view."""
    top = Parser(prog=PROG, description=__doc__)
    sub = top.add_subparsers(dest="command", parser_class=Parser, metavar="{" + COMMANDS + "}")
    s = sub.add_parser("summary", help="runs, metrics, task, best run and value by the primary metric")
    s.add_argument("path", help=METRICS_FILE)
    s.add_argument("--primary-metric", help="metric to rank by (default: the source's, else AUC_weighted/…)")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    add_lang_argument(s)
    t = sub.add_parser("table", help="one row per child run in iteration order")
    t.add_argument("path", help=METRICS_FILE)
    t.add_argument("--csv", action="store_true", help="print CSV instead of an aligned table")
    p = sub.add_parser("params", help="each run's parameters: run_id, iteration, kind, name, value")
    p.add_argument("path", help=METRICS_FILE)
    p.add_argument("--csv", action="store_true", help="print CSV instead of an aligned table")
    m = sub.add_parser("model", help="a pickled model read statically (never unpickled): tree and verdict")
    m.add_argument("file", help="a pickle: a pipeline's model_data output, a child's outputs/model.pkl")
    m.add_argument("--json", action="store_true", help="print one JSON object")
    c = sub.add_parser("compare", help="two AutoML jobs side by side: per algorithm, leaderboards, settings")
    c.add_argument("a", help="the first job's metrics file")
    c.add_argument("b", help="the second job's metrics file")
    c.add_argument("--primary-metric", help="metric to compare by (default: the first job's primary metric)")
    c.add_argument("--json", action="store_true", help="print one JSON object")
    u = sub.add_parser("pull", help="read a live AutoML job's child runs into the cache the page reads")
    live = u.add_mutually_exclusive_group(required=True)
    live.add_argument("--mlflow", metavar="URI", help="an MLflow tracking URI (checked like the page's)")
    live.add_argument(
        "--azure",
        action="store_true",
        help="an Azure ML workspace (settings: environment, .streamlit/secrets.toml [azureml])",
    )
    u.add_argument("--parent", help="MLflow: the parent run (the AutoML job)")
    u.add_argument("--experiment", help="Azure ML: the experiment")
    u.add_argument("--run", help="Azure ML: the AutoML or pipeline run")
    u.add_argument("--out", help="where to write the cache file (default: the cache folder the page reads)")
    u.add_argument("--no-artifacts", action="store_true", help="skip confusion matrices and accuracy tables")
    live_commands.add_parsers(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is None:
        parser().error(USAGE)
    try:
        return COMMAND[args.command](args)
    except AutoMLError as exc:
        fail(str(exc), PROG)
    except OSError as exc:
        where = getattr(exc, "filename", None) or getattr(args, "path", None) or getattr(args, "file", "")
        fail(f"{where}: {exc.strerror or exc}", PROG)
    return 0


def summary_command(args: Namespace) -> int:
    result = summarize(load_path(args.path), args.primary_metric)
    if args.json:
        print(json.dumps(result.to_dict()))
        return 0
    _ = translator(args.lang)
    better = _("lower is better") if result.direction == "min" else _("higher is better")
    print(
        _(
            "{runs} runs, {metrics} metrics, task {task}; best by {metric} ({better}): {run} = {value}",
            runs=_.number(result.runs, grouping=False),  # 1234 runs, as before --lang
            metrics=_.number(result.metrics, grouping=False),
            task=task_name(result.task, _=_),
            metric=result.primary_metric,
            better=better,
            run=result.best_run,
            value=_.significant(result.best_value, digits=6, grouping=False),  # %.6g
        )
        + (_("; {n} value(s) skipped", n=_.number(result.skipped, grouping=False)) if result.skipped else "")
    )
    return 0


def table_command(args: Namespace) -> int:
    table = wide(load_path(args.path))
    if args.csv:
        table.to_csv(sys.stdout, index=False)
    else:
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return 0


def params_command(args: Namespace) -> int:
    data = load_path(args.path)
    table = run_params.listing(data)
    if args.csv:
        table.to_csv(sys.stdout, index=False)
    elif table.empty:
        print(f"{data.source}: {run_params.NOT_RECORDED}: {run_params.NONE_RECORDED}")
    else:
        print(table.to_string(index=False))
    return 0


def model_command(args: Namespace) -> int:
    report = modelfile.read_path(args.file)
    print(json.dumps(report.to_dict()) if args.json else report.text())
    return 0 if report.verdict.safe else 1


def compare_command(args: Namespace) -> int:
    result = comparison.compare(load_path(args.a), load_path(args.b), args.primary_metric)
    print(json.dumps(result.to_dict()) if args.json else result.text())
    return 0


def pull_command(args: Namespace) -> int:
    path, data = pull.run(args)
    print(f"pulled {len(data.runs)} runs from {data.source}; cached as {path}")
    return 0


COMMAND = {
    "summary": summary_command,
    "table": table_command,
    "params": params_command,
    "model": model_command,
    "compare": compare_command,
    "pull": pull_command,
    "watch": live_commands.watch_command,
    "pipelines": live_commands.pipelines_command,
    "trigger": live_commands.trigger_command,
}


if __name__ == "__main__":
    run(main)
