"""The AutoML tests' shared fixtures: a pull cache of the test's own, ``python -m core.automl`` run as its
``main`` in this process, and a running AutoML parent run on a real local MLflow store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from core import automl
from core.automl.sources import cache
from tests.support.cli import run_here


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    """An empty pull cache of the test's own (``PILAB_AUTOML_CACHE``), and no AutoML directory named (the
    File path source is off unless a test names one)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_CACHE_DIR, str(folder))
    monkeypatch.delenv(automl.ENV_AUTOML_DIR, raising=False)
    return folder


@pytest.fixture
def run(capsys) -> Callable[..., object]:
    """``python -m core.automl ARGS`` as its ``main`` in this process: return code, stdout and stderr."""
    from core.automl.cli.main import main  # on use: some test modules skip first when an extra is missing

    return lambda *args: run_here(main, *args, capsys=capsys)


@pytest.fixture
def automl_run(tmp_path, monkeypatch):
    """A running AutoML parent run in the operator's data directory (the only place a sqlite URI may name),
    the pull cache in the test's own folder."""
    from tests.support.mlflow_parent import (
        RunningParent,  # on use: the modules that use it skip without mlflow
    )

    monkeypatch.setenv("PILAB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv(cache.ENV_CACHE_DIR, str(tmp_path / "cache"))
    yield RunningParent(tmp_path)
