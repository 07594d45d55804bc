"""Timing harness and sweeps: ``measure`` one backend at one n, ``sweep`` backends × n."""

from core.bench.harness import Timing, crossovers, measure, sweep

__all__ = ["Timing", "crossovers", "measure", "sweep"]
