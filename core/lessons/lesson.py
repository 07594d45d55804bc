"""What every lesson shares: ``Lesson`` (name, why, bounded parameters, run), ``Result`` (numbers, table)."""

from __future__ import annotations

import inspect
import json
import math
import os
import signal
import subprocess
import sys
import time
import typing
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple

from core.runtime.checks import bounded

if TYPE_CHECKING:  # pandas is imported on use: worker processes import lesson modules and never need it
    import pandas as pd


class Chart(NamedTuple):
    """How to draw a lesson's rows: ``bar`` (x, y, colour) or ``timeline`` (one bar a row: label, start,
    end)."""

    kind: Literal["bar", "timeline"]
    x: str  # bars: the x column; timeline: the row label
    y: str  # bars: the height column; timeline: the start column
    colour: str | None  # bars: the colour column; timeline: the end column


@dataclass
class Result:
    """A lesson's measured numbers: a one-line ``headline``, a few ``metrics`` and a ``table``.

    ``chart`` names how the page may draw ``table`` (a ``Chart``), or is ``None`` for no chart.
    """

    chart: ClassVar[Chart | None] = None

    @property
    def headline(self) -> str:
        raise NotImplementedError

    def metrics(self) -> list[tuple[str, ...]]:
        """Metrics to show: (label, value) or (label, value, delta)."""
        return []

    def rows(self) -> list[dict[str, Any]]:
        """The table's rows."""
        return []

    def messages(self) -> list[tuple[str, str]]:
        """(caption, text) pairs to show verbatim, such as an error message that is the lesson."""
        return []

    def links(self) -> list[tuple[str, str, str | None]]:
        """(label, url, note) links to open, the note saying what may keep the link from working."""
        return []

    def chart_rows(self) -> list[dict[str, Any]]:
        """The rows ``chart`` draws (the table's, unless a lesson says otherwise)."""
        return self.rows()

    @property
    def table(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.rows())

    def to_dict(self) -> dict[str, Any]:
        """Every field plus headline and table (as records): what ``--json`` prints."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["headline"] = self.headline
        out["table"] = self.rows()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        """The result back from ``to_dict`` (the derived headline and table are recomputed)."""
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.init})


@dataclass(kw_only=True, frozen=True)
class Lesson:
    """One lesson: ``run(**params)`` checks each parameter against ``bounds`` and calls ``function``."""

    name: str
    title: str
    label: str  # a tab's few words (the page's URL carries it: ?lesson=Race+and+Lock)
    why: str
    function: Callable[..., Result]
    bounds: dict[str, tuple[float, float]] = field(default_factory=dict)
    shows: tuple[Callable, ...] = ()  # the helpers (sent to other processes) shown beside the function
    isolated: bool = True  # starts processes: ``measure`` runs it in a fresh interpreter (see there)

    def defaults(self) -> dict[str, Any]:
        """The function's keyword parameters and their default values."""
        return {
            p.name: p.default
            for p in inspect.signature(self.function).parameters.values()
            if p.default is not inspect.Parameter.empty
        }

    def check(self, params: dict[str, Any]) -> dict[str, Any]:
        """``params`` merged over the defaults, each checked against its bounds; ``ValueError`` if not."""
        defaults = self.defaults()
        for key in params:
            if key not in defaults:
                accepted = ", ".join(defaults) or "none"
                raise ValueError(f"lesson {self.name!r} has no parameter {key!r}; it takes: {accepted}")
        merged = defaults | params
        for key, (low, high) in self.bounds.items():
            merged[key] = bounded(
                merged[key], low=low, high=high, what=key, whole=isinstance(defaults[key], int)
            )
        return merged

    @property
    def claim(self) -> str:
        """What the lesson shows, in one line: its module's docstring without the 'Lesson N: '."""
        doc = inspect.getmodule(self.function).__doc__ or self.title
        return doc.strip().splitlines()[0].partition(": ")[2] or doc.strip()

    def run(self, **params: Any) -> Result:
        """Run the lesson in this process."""
        return self.function(**self.check(params))

    def measure(self, timeout: float = 180, **params: Any) -> Result:
        """Run the lesson where its numbers are honest, as the page does.

        A lesson that starts processes runs in a fresh ``python -m core.lessons`` (``isolated``): inside a
        Streamlit server, ``__main__`` is the app's entry script, which every spawned child would import and
        run again (seconds per child), and forking a threaded server is unsafe. The others run here, where
        they reuse what the server has started (the Dask cluster, Numba).
        """
        params = self.check(params)
        if not self.isolated:
            return self.function(**params)
        args = [f"--param={k}={v!r}" for k, v in params.items()]
        cmd = [sys.executable, "-m", "core.lessons", self.name, "--json", *args]
        root = Path(__file__).resolve().parents[2]
        env = os.environ | {
            "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))
        }
        proc = subprocess.Popen(
            cmd,
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        except BaseException:  # a timeout, or the page's script being stopped: leave nothing running
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise
        if proc.returncode != 0:
            lines = err.strip().splitlines() or [f"exit status {proc.returncode}"]
            raise RuntimeError(f"lesson {self.name!r} failed: {lines[-1]}")
        result_type = typing.get_type_hints(self.function)["return"]
        return result_type.from_dict(json.loads(out))

    def source(self) -> str:
        """The code the lesson runs: its helpers, then the lesson function itself."""
        return "\n\n".join(inspect.getsource(f) for f in (*self.shows, self.function))


def check_exits(procs) -> None:
    """Raise a ``RuntimeError`` if a joined process failed (its own traceback went to stderr)."""
    failed = [p.exitcode for p in procs if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(procs)} processes failed (exit codes {failed})")


def best_of(repeat: int, *calls: Callable[[], Any]) -> list[float]:
    """The fastest of ``repeat`` runs of each call, in seconds, as ``%timeit`` keeps the best; the calls
    take turns, so a burst of load from other programs hits them alike."""
    best = [math.inf] * len(calls)
    for _ in range(repeat):
        for i, call in enumerate(calls):
            t0 = time.perf_counter()
            call()
            best[i] = min(best[i], time.perf_counter() - t0)
    return best


def busy_note() -> str:
    """A note when other programs keep this machine's cores busy (speed-ups shrink then), else ''."""
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    return f" (this machine is busy: load {load:.1f} on {cores} cores)" if load > cores else ""
