"""The π engine: ``estimate(backend, n, ...)`` on any backend of ``BACKENDS``.

The names below load on first use (PEP 562), so a pool worker that imports ``core.pi.tasks`` pays for NumPy
and the kernels only, not for the registry, the engine and pandas: a second less per worker started.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.pi.backends import BACKENDS, Backend
    from core.pi.engine import Estimate, check_request, estimate, parse_n
    from core.runtime.cancel import Cancelled

_WHERE = {
    "BACKENDS": "core.pi.backends",
    "Backend": "core.pi.backends",
    "Cancelled": "core.runtime.cancel",
    "Estimate": "core.pi.engine",
    "check_request": "core.pi.engine",
    "estimate": "core.pi.engine",
    "parse_n": "core.pi.engine",
}
__all__ = ["BACKENDS", "Backend", "Cancelled", "Estimate", "check_request", "estimate", "parse_n"]


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'core.pi' has no attribute {name!r}")
