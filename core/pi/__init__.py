"""The π engine: ``estimate(backend, n, ...)`` on any backend of ``BACKENDS``."""

from core.pi.backends import BACKENDS, Backend, Cancelled
from core.pi.engine import Estimate, check_request, estimate, parse_n

__all__ = ["BACKENDS", "Backend", "Cancelled", "Estimate", "check_request", "estimate", "parse_n"]
