"""Lesson 8: the same π on Dask, with the link to the Dask dashboard that shows its tasks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.lessons.lesson import Lesson, Result
from core.runtime.i18n import N_, Translate, english

WHY = N_(
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

    def headline(self, *, _: Translate = english) -> str:
        message = (
            N_(
                "Dask on {workers} workers: π ≈ {pi} (error {error}) from {n} samples in {elapsed} s "
                "(cluster start-up {startup} s); the same count as the serial NumPy run ({serial} s)"
            )
            if self.same_count
            else N_(
                "Dask on {workers} workers: π ≈ {pi} (error {error}) from {n} samples in {elapsed} s "
                "(cluster start-up {startup} s); a DIFFERENT count from the serial NumPy run ({serial} s)"
            )
        )
        return _(
            message,
            workers=_.number(self.workers),
            pi=_.number(self.pi, decimals=6),
            error=f"{self.error:+.1e}".replace(".", _.separators[0]),
            n=_.number(self.n),
            elapsed=_.number(self.elapsed_s, decimals=2),
            startup=_.number(self.startup_s, decimals=2),
            serial=_.number(self.serial_s, decimals=2),
        )

    def metrics(self, *, _: Translate = english) -> list[tuple[str, ...]]:
        return [
            (_("π on Dask"), _.number(self.pi, decimals=6)),
            (_("Dask run"), _.number(self.elapsed_s, decimals=2) + " s"),
            (_("cluster start-up"), _.number(self.startup_s, decimals=2) + " s"),
            (_("same points as serial NumPy"), _("yes") if self.same_count else _("NO")),
        ]

    def links(self, *, _: Translate = english) -> list[tuple[str, str, str | None]]:
        note = _(self.dashboard_note) if self.dashboard_note else None
        return [(_("Open the Dask dashboard"), self.dashboard, note)] if self.dashboard else []

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                N_("run"): "dask",
                N_("workers"): self.workers,
                N_("inside"): self.inside,
                "seconds": self.elapsed_s,
            },
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
        return N_("this Dask client has no dashboard")
    try:
        import bokeh  # noqa: F401  (distributed draws its dashboard with bokeh)
    except ImportError:
        return N_("the dashboard needs bokeh >= 3.1, which is not installed here: the link shows only that")
    if "127.0.0.1" in link or "localhost" in link:
        return N_(
            "the cluster listens on 127.0.0.1: the link opens in a browser on the machine that runs Pi Lab"
        )
    return None


LESSON = Lesson(
    name="dask_pi",
    title=N_("π on Dask"),
    label=N_("Dask"),
    claim=N_("the same π on Dask, with the link to the Dask dashboard that shows its tasks."),
    why=WHY,
    function=dask_pi,
    bounds={"n": (1_000, 10**10), "workers": (1, 8), "seed": (0, 2**32 - 1)},
    isolated=False,
)
