"""The course's parallelism lessons as functions that measure live and return plain results.

``lessons()`` maps each name to its ``Lesson``; ``get(name).run(**params)`` runs one. Light to import:
worker processes import this package to find the functions they run, and ``get`` imports one module.
"""

from __future__ import annotations

import importlib

from core.lessons.lesson import Lesson, Result
from core.runtime.checks import Refusal
from core.runtime.i18n import N_

MODULES = {  # lesson name → its module in core/lessons/, in teaching order
    "processes": "processes",
    "pool_vs_map": "pool_map",
    "map_vs_apply": "map_apply",
    "race": "race",
    "joblib": "joblib_tasks",
    "fork_rng": "fork_rng",
    "numba_pandas": "numba_pandas",
    "dask_pi": "dask_pi",
    "threads": "threads_gil",
    "coroutines": "coroutines",
    "compiled": "compiled",
}

UNKNOWN_LESSON = N_("unknown lesson {name}; choose one of: {names}")

__all__ = ["MODULES", "Lesson", "Result", "get", "lessons"]


def get(name: str) -> Lesson:
    """The lesson called ``name``, or a ``Refusal`` (a ``ValueError``) listing the names there are."""
    if not isinstance(name, str) or name not in MODULES:
        raise Refusal(UNKNOWN_LESSON, name=repr(name), names=", ".join(MODULES))
    return importlib.import_module(f"core.lessons.{MODULES[name]}").LESSON


def lessons() -> dict[str, Lesson]:
    """Every lesson, in teaching order, by name."""
    return {name: get(name) for name in MODULES}
