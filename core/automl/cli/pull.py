"""``pull`` from a terminal: a live AutoML run's child runs into the same cache file the page writes.

Settings come from where the page takes them: ``[pilab]`` (the MLflow allow-lists) and ``[azureml]`` (the
workspace and sign-in) in ``.streamlit/secrets.toml``, then the environment. One rule differs: the person at a
terminal owns its files, so any local store is accepted (the page keeps its stores inside ``data_dir``).
"""

from __future__ import annotations

import dataclasses
import tomllib
from argparse import Namespace
from pathlib import Path
from typing import Any

from core.automl.model import AutoMLData, AutoMLError
from core.automl.sources import LiveSource, cache, load_live
from core.runtime.access import Settings
from core.runtime.checks import Refusal
from core.runtime.i18n import N_

SECRETS = Path(".streamlit") / "secrets.toml"
MLFLOW_URI_HELP = N_(
    "an MLflow tracking URI: any local store (sqlite, a file store), or a host of [pilab] mlflow_hosts"
)
NEEDS_PARENT = N_("{command} --mlflow needs --parent RUN_ID (the AutoML job's parent run)")
NEEDS_RUN = N_("{command} --azure needs --experiment NAME and --run RUN_ID")


def secrets(table: str, path: Path = SECRETS) -> dict[str, Any]:
    """One table of the secrets file (``{}`` when there is no file or no such table)."""
    try:
        with open(path, "rb") as handle:
            found = tomllib.load(handle).get(table, {})
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AutoMLError(f"{path}: cannot be read ({exc})") from None
    return dict(found) if isinstance(found, dict) else {}


def at_a_terminal(settings: Settings) -> Settings:
    """``settings`` for the person at a terminal, who owns the files: a sqlite database, a file store or a
    bare path anywhere on this machine (it must still exist); hosts still from ``[pilab] mlflow_hosts``."""
    schemes = tuple(dict.fromkeys((*settings.mlflow_schemes, "sqlite", "file")))
    return dataclasses.replace(settings, data_dir=Path(Path.cwd().anchor), mlflow_schemes=schemes)


def source(args: Namespace) -> tuple[LiveSource, str]:
    """The live source the arguments name, and the cache file's name (as the page names it)."""
    fetch, command = not getattr(args, "no_artifacts", False), getattr(args, "command", "pull")
    if args.mlflow:
        if not args.parent:
            raise Refusal(NEEDS_PARENT, command=command)
        from core.automl.sources.mlflow_runs import MlflowSource

        try:
            settings = at_a_terminal(Settings.from_mapping(secrets("pilab")))
        except ValueError as exc:
            raise AutoMLError(str(exc)) from None
        return MlflowSource(
            args.mlflow, args.parent, fetch_artifacts=fetch, settings=settings
        ), f"mlflow-{args.parent}"
    if not (args.experiment and args.run):
        raise Refusal(NEEDS_RUN, command=command)
    from core.automl.sources import azureml_v1 as az

    workspace = az.connect(az.AzureSettings.from_mapping(secrets("azureml")))
    live = az.AzureMLSource(workspace, args.experiment, args.run, fetch_artifacts=fetch)
    return live, f"azureml-{args.experiment}-{args.run}"


def run(args: Namespace) -> tuple[Path, AutoMLData]:
    """Pull once; write the document to ``--out`` (a file, or a folder for the usual name) or the cache."""
    live, name = source(args)
    data, document = load_live(live)
    out = Path(args.out) if getattr(args, "out", None) else None
    if out is not None and out.is_dir():
        return cache.write(document, name, out), data
    return (cache.write_file(document, out) if out else cache.write(document, name)), data
