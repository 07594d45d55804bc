"""What a page shows beside a run's estimates: their table with speed-ups, and each kernel's source."""

from __future__ import annotations

import inspect

import pandas as pd

from core.pi import gpu, kernels, stream
from core.pi.backends import BACKENDS
from core.pi.engine import Estimate


def results_table(estimates: list[Estimate]) -> pd.DataFrame:
    """One row per estimate with the figures a card shows; speed-up against the slowest of them."""
    if not estimates:
        return pd.DataFrame()
    df = pd.DataFrame([e.to_dict() for e in estimates]).drop(columns=["notes"])
    df["abs_error"] = df["error"].abs()
    df["speedup"] = df["samples_per_s"] / df["samples_per_s"].min()
    return df


def kernel_source(name: str) -> str:
    """A backend's counting kernel: the lecture's four exactly as written, CUDA C for the GPU."""
    if BACKENDS[name].family == "gpu":
        return gpu.KERNEL_C.strip()
    kernel = BACKENDS[name].kernel
    parts = [kernel]
    if kernel is stream.count_inside_numpy:
        parts.append(stream.draw_words)
    elif BACKENDS[name].family != "lecture":
        parts.append(kernels.inside)
    return "\n\n".join(inspect.getsource(getattr(f, "py_func", f)) for f in parts)
