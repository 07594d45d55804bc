"""Lesson 8: the same π on Dask, with the link to the Dask dashboard that shows its tasks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.lessons.lesson import Lesson, Result

WHY = (
    "Dask is `multiprocessing` grown up: a scheduler hands tasks to workers that may live in other processes "
    "or on other machines, and its dashboard shows every task as it runs. Pi Lab splits the N draws into "
    "index ranges, sends one task per range, and adds up the counts. Because draw i of the stream depends "
    "only on (seed, i), Dask counts exactly the same points as the serial NumPy run: parallel, and still "
    "the same answer. The first run also starts the local cluster (a few seconds, paid once and reused); "
    "after that, each run pays only for scheduling its tasks. Dask shines for data that does not fit in "
    "memory or work spread over machines; on one laptop for one number, a NumPy loop is simpler."
)


@dataclass(kw_only=True)
class DaskPiResult(Result):
    n: int
    seed: int
    workers: int
    pi: float
    error: float
    inside: int
    serial_inside: int
    elapsed_s: float
    startup_s: float
    serial_s: float
    dashboard: str | None
    dashboard_note: str | None

    @property
    def same_count(self) -> bool:
        return self.inside == self.serial_inside

    @property
    def headline(self) -> str:
        same = "the same count as" if self.same_count else "a DIFFERENT count from"
        return (
            f"Dask on {self.workers} workers: π ≈ {self.pi:.6f} (error {self.error:+.1e}) from {self.n:,} "
            f"samples in {self.elapsed_s:.2f} s (cluster start-up {self.startup_s:.2f} s); {same} the "
            f"serial NumPy run ({self.serial_s:.2f} s)"
        )

    def metrics(self) -> list[tuple[str, ...]]:
        return [
            ("π on Dask", f"{self.pi:.6f}"),
            ("Dask run", f"{self.elapsed_s:.2f} s"),
            ("cluster start-up", f"{self.startup_s:.2f} s"),
            ("same points as serial NumPy", "yes" if self.same_count else "NO"),
        ]

    def links(self) -> list[tuple[str, str, str | None]]:
        return [("Open the Dask dashboard", self.dashboard, self.dashboard_note)] if self.dashboard else []

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"run": "dask", "workers": self.workers, "inside": self.inside, "seconds": self.elapsed_s},
            {"run": "numpy_chunked", "workers": 1, "inside": self.serial_inside, "seconds": self.serial_s},
        ]


def dask_pi(n: int = 20_000_000, workers: int = 2, seed: int = 7) -> DaskPiResult:
    """Estimate π on Dask (``core.pi.estimate("dask", ...)``), check its count against the serial run."""
    from core.pi import dask_client, estimate

    run = estimate("dask", n, seed=seed, workers=workers)
    serial = estimate("numpy_chunked", n, seed=seed)
    link = getattr(dask_client.dask_client(None, workers), "dashboard_link", None)
    return DaskPiResult(
        n=n,
        seed=seed,
        workers=run.workers,
        pi=run.pi,
        error=run.error,
        inside=run.inside,
        serial_inside=serial.inside,
        elapsed_s=run.elapsed_s,
        startup_s=run.startup_s,
        serial_s=serial.elapsed_s,
        dashboard=link,
        dashboard_note=_dashboard_note(link),
    )


def _dashboard_note(link: str | None) -> str | None:
    """Why the dashboard link will not show the dashboard, or None when it should."""
    if not link:
        return "this Dask client has no dashboard"
    try:
        import bokeh  # noqa: F401  (distributed draws its dashboard with bokeh)
    except ImportError:
        return "the dashboard needs bokeh >= 3.1, which is not installed here: the link shows only that"
    if "127.0.0.1" in link or "localhost" in link:
        return "the cluster listens on 127.0.0.1: the link opens in a browser on the machine that runs Pi Lab"
    return None


LESSON = Lesson(
    name="dask_pi",
    title="π on Dask",
    label="Dask",
    why=WHY,
    function=dask_pi,
    bounds={"n": (1_000, 10**10), "workers": (1, 8), "seed": (0, 2**32 - 1)},
    isolated=False,
)
