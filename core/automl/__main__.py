"""``python -m core.automl``: the summary (best run by the primary metric) or the table of a metrics file."""

from __future__ import annotations

import json
import sys

from core.automl.analysis import summarize, wide
from core.automl.model import AutoMLError
from core.automl.parse import load_path
from core.cli import Parser, fail, run

PROG = "python -m core.automl"


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog=PROG, description=__doc__)
    sub = parser.add_subparsers(dest="command", parser_class=Parser, metavar="{summary,table}")
    s = sub.add_parser("summary", help="runs, metrics, task, best run and value by the primary metric")
    s.add_argument("path", help="a cached metrics file: {run_id: {metric: [value]}}")
    s.add_argument("--primary-metric", help="metric to rank by (default: the source's, else AUC_weighted/…)")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    t = sub.add_parser("table", help="one row per child run in iteration order")
    t.add_argument("path", help="a cached metrics file: {run_id: {metric: [value]}}")
    t.add_argument("--csv", action="store_true", help="print CSV instead of an aligned table")
    args = parser.parse_args(argv)
    if args.command is None:
        parser.error("give a command: summary PATH [--primary-metric M] [--json] | table PATH [--csv]")

    try:
        data = load_path(args.path)
        if args.command == "summary":
            result = summarize(data, args.primary_metric)
            if args.json:
                print(json.dumps(result.to_dict()))
            else:
                arrow = "lower" if result.direction == "min" else "higher"
                print(
                    f"{result.runs} runs, {result.metrics} metrics, task {result.task}; "
                    f"best by {result.primary_metric} ({arrow} is better): "
                    f"{result.best_run} = {result.best_value:.6g}"
                    + (f"; {result.skipped} value(s) skipped" if result.skipped else "")
                )
        else:
            table = wide(data)
            if args.csv:
                table.to_csv(sys.stdout, index=False)
            else:
                print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    except AutoMLError as exc:
        fail(str(exc), PROG)
    except OSError as exc:
        fail(f"{args.path}: {exc.strerror or exc}", PROG)
    return 0


if __name__ == "__main__":
    run(main)
