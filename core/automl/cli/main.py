"""``python -m core.automl``: a metrics file's summary, table and run parameters; a model file read
statically; two AutoML runs compared; a live source pulled into the cache the page reads, or watched until
its parent run ends; an Azure ML workspace's published pipelines listed and triggered."""

from __future__ import annotations

import argparse
import json
import sys
from argparse import Namespace

import pandas as pd

from core.automl import params as run_params
from core.automl.analysis import compare as comparison
from core.automl.analysis.tables import NO_ALGORITHM, summarize, wide
from core.automl.catalogue import task_name
from core.automl.cli import live as live_commands
from core.automl.cli import pull
from core.automl.model import AutoMLError
from core.automl.modelfile import report as modelfile
from core.automl.sources.parse import load_path
from core.runtime.checks import Refusal, said
from core.runtime.cli import Parser, add_lang_argument, fail, language, run
from core.runtime.i18n import N_, Translate, english, translator

PROG = "python -m core.automl"
COMMANDS = "summary,table,params,model,compare,pull,watch,pipelines,trigger"
DESCRIPTION = N_(
    "``python -m core.automl``: a metrics file's summary, table and run parameters; a model file read "
    "statically; two AutoML runs compared; a live source pulled into the cache the page reads, or watched "
    "until its parent run ends; an Azure ML workspace's published pipelines listed and triggered."
)
USAGE = N_(
    "give a command: summary PATH [--primary-metric M] [--json] | table PATH [--csv] | params PATH [--csv] | "
    "model FILE [--json] | compare A B [--json] | pull (--mlflow URI --parent RUN_ID | --azure "
    "--experiment NAME --run RUN_ID) [--out PATH] | watch --mlflow URI --parent RUN_ID [--every 10] | "
    "pipelines [--json] | trigger NAME --experiment E [--param K=V]"
)
VERDICT_STATUS = {"allow-listed": 0, "malicious": 1, "warning": 3}  # `model`'s exit status (2: bad input)
MODEL_EPILOG = N_(
    "exit status: 0 allow-listed (every global in an ML library), 1 MALICIOUS (fickling flags it), 3 WARNING "
    "(globals outside the allow-list), 2 the file cannot be read"
)
METRICS_FILE = N_("a cached metrics file: {run_id: {metric: [value]}}")  # help: no placeholders
HEADERS = {  # a terminal table's column → its header for the reader (run_id and metrics stay as they are)
    "iteration": N_("iteration"),
    "algorithm": N_("algorithm"),
    "kind": N_("kind"),
    "name": N_("name"),
    "value": N_("value"),
}


def parser(*, _: Translate = english) -> Parser:
    """The command line's parser: one sub-command a view, its help in ``_``'s language."""
    top = Parser(prog=PROG, description=_(DESCRIPTION), _=_)
    sub = top.add_subparsers(dest="command", parser_class=Parser, metavar="{" + COMMANDS + "}")
    s = sub.add_parser(
        "summary", help=_("runs, metrics, task, best run and value by the primary metric"), _=_
    )
    s.add_argument("path", help=_(METRICS_FILE))
    s.add_argument(
        "--primary-metric", help=_("metric to rank by (default: the source's, else AUC_weighted/…)")
    )
    s.add_argument("--json", action="store_true", help=_("print one JSON object"))
    t = sub.add_parser("table", help=_("one row per child run in iteration order"), _=_)
    t.add_argument("path", help=_(METRICS_FILE))
    t.add_argument("--csv", action="store_true", help=_("print CSV instead of an aligned table"))
    p = sub.add_parser("params", help=_("each run's parameters: run_id, iteration, kind, name, value"), _=_)
    p.add_argument("path", help=_(METRICS_FILE))
    p.add_argument("--csv", action="store_true", help=_("print CSV instead of an aligned table"))
    m = sub.add_parser(
        "model",
        help=_("a pickled model read statically (never unpickled): tree and verdict"),
        epilog=_(MODEL_EPILOG),
        _=_,
    )
    m.add_argument("file", help=_("a pickle: a pipeline's model_data output, a child's outputs/model.pkl"))
    m.add_argument("--json", action="store_true", help=_("print one JSON object"))
    c = sub.add_parser(
        "compare", help=_("two AutoML jobs side by side: per algorithm, leaderboards, settings"), _=_
    )
    c.add_argument("a", help=_("the first job's metrics file"))
    c.add_argument("b", help=_("the second job's metrics file"))
    c.add_argument(
        "--primary-metric", help=_("metric to compare by (default: the first job's primary metric)")
    )
    c.add_argument("--json", action="store_true", help=_("print one JSON object"))
    u = sub.add_parser(
        "pull", help=_("read a live AutoML job's child runs into the cache the page reads"), _=_
    )
    live = u.add_mutually_exclusive_group(required=True)
    live.add_argument(
        "--mlflow",
        metavar="URI",
        help=_(pull.MLFLOW_URI_HELP),
    )
    live.add_argument(
        "--azure",
        action="store_true",
        help=_("an Azure ML workspace (settings: environment, .streamlit/secrets.toml [azureml])"),
    )
    u.add_argument("--parent", help=_("MLflow: the parent run (the AutoML job)"))
    u.add_argument("--experiment", help=_("Azure ML: the experiment"))
    u.add_argument("--run", help=_("Azure ML: the AutoML or pipeline run"))
    u.add_argument(
        "--out", help=_("where to write the cache file (default: the cache folder the page reads)")
    )
    u.add_argument(
        "--no-artifacts", action="store_true", help=_("skip confusion matrices and accuracy tables")
    )
    live_commands.add_parsers(sub, _=_)
    add_lang_argument(top, _=_)
    for command in sub.choices.values():  # --lang after the command too; else the one before it
        add_lang_argument(command, _=_, default=argparse.SUPPRESS)
    return top


def main(argv: list[str] | None = None) -> int:
    _ = translator(language(argv))
    top = parser(_=_)  # --help in the language asked for
    args = top.parse_args(argv)
    if args.command is None:
        top.error(_(USAGE))
    _ = translator(args.lang)
    try:
        return COMMAND[args.command](args)
    except (AutoMLError, Refusal) as exc:
        fail(said(exc, _), PROG)
    except OSError as exc:
        where = getattr(exc, "filename", None) or getattr(args, "path", None) or getattr(args, "file", "")
        fail(f"{where}: {exc.strerror or exc}", PROG)
    return 0


def headed(table: pd.DataFrame, _: Translate) -> pd.DataFrame:
    """A terminal table with its headers for ``_``'s reader (see ``HEADERS``)."""
    return table.rename(columns={c: _(HEADERS[c]) for c in table.columns if c in HEADERS})


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
        _ = translator(args.lang)
        mark = _.separators[0]
        # NO_ALGORITHM in the reader's language where the catalogs hold it (as the page's tables show it)
        table["algorithm"] = table["algorithm"].replace(NO_ALGORITHM, _(NO_ALGORITHM))
        print(headed(table, _).to_string(index=False, float_format=lambda v: f"{v:.4f}".replace(".", mark)))
    return 0


def params_command(args: Namespace) -> int:
    data = load_path(args.path)
    table = run_params.listing(data)
    _ = translator(args.lang)
    if args.csv:
        table.to_csv(sys.stdout, index=False)
    elif table.empty:
        print(f"{data.source}: {_(run_params.NOT_RECORDED)}: {_(run_params.NONE_RECORDED)}")
    else:
        print(headed(table, _).to_string(index=False))
    return 0


def model_command(args: Namespace) -> int:
    _ = translator(args.lang)
    report = modelfile.read_path(args.file, _=_)
    print(json.dumps(report.to_dict()) if args.json else report.text(_=_))
    return VERDICT_STATUS[report.verdict.level]


def compare_command(args: Namespace) -> int:
    _ = translator(args.lang)
    result = comparison.compare(load_path(args.a), load_path(args.b), args.primary_metric, _=_)
    print(json.dumps(result.to_dict()) if args.json else result.text(_=_))
    return 0


def pull_command(args: Namespace) -> int:
    path, data = pull.run(args)
    _ = translator(args.lang)
    print(
        _("pulled {n} runs from {source}; cached as {path}", n=len(data.runs), source=data.source, path=path)
    )
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
