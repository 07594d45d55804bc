"""Timing harness and sweeps: ``measure`` one backend (or ``measure_call`` any counting callable) at one n,
``sweep`` backends × n; ``tables`` turns timings into tables."""

from core.bench.harness import Disagreement, Timing, crossovers, measure, measure_call, split_label, sweep

__all__ = ["Disagreement", "Timing", "crossovers", "measure", "measure_call", "split_label", "sweep"]
