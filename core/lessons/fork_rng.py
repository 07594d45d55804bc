"""Lesson 6: forked workers sharing NumPy's global generator draw the same numbers; one seed each fixes it."""

from __future__ import annotations

import hashlib
import multiprocessing
import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.lessons.lesson import Lesson, Result
from core.runtime.i18n import N_, Translate, english

WHY = N_(
    "A forked worker starts as a copy of its parent's memory, and that includes the state of NumPy's "
    "global generator (`np.random.rand`, `np.random.seed`). Once the parent has seeded it (or drawn from "
    "it: NumPy 2 seeds it lazily, on first use), every worker continues from the very same state and draws "
    "the very same numbers. Each worker's estimate looks fine on its own, but averaging W of them is "
    "averaging W copies of one: the error does not shrink at all, and '2× the samples' is a lie. (Python's "
    "own `random` reseeds itself in a forked child; NumPy's legacy global does not.) The fix: give each "
    "worker its own generator from `np.random.SeedSequence(seed).spawn(W)` and `np.random.default_rng`: "
    "independent streams, still reproducible from one seed. Pi Lab's own backends go further: draw i is "
    "a pure function of (seed, i), so any split of the work counts exactly the same points."
)


def draw_global(samples: int) -> tuple[int, str, list[float], float]:
    """In a worker: π's inside count from NumPy's global generator, a digest of the draws, the first few."""
    x = np.random.rand(samples)
    y = np.random.rand(samples)
    return (*_summary(x, y), random.random())


def draw_seeded(samples: int, seed: np.random.SeedSequence) -> tuple[int, str, list[float], float]:
    """The same, from a generator of this worker's own."""
    rng = np.random.default_rng(seed)
    x = rng.random(samples)
    y = rng.random(samples)
    return (*_summary(x, y), random.random())


def _summary(x: np.ndarray, y: np.ndarray) -> tuple[int, str, list[float]]:
    inside = int(np.count_nonzero(x**2 + y**2 < 1.0))
    return inside, hashlib.sha1(x.tobytes() + y.tobytes()).hexdigest()[:12], x[:3].round(6).tolist()


@dataclass(kw_only=True)
class ForkRngResult(Result):
    workers: int
    samples: int
    seed: int
    shared: list[dict[str, Any]] = field(default_factory=list)
    seeded: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def _distinct(rows: list[dict[str, Any]]) -> int:
        return len({r["digest"] for r in rows})

    @property
    def shared_distinct(self) -> int:
        return self._distinct(self.shared)

    @property
    def seeded_distinct(self) -> int:
        return self._distinct(self.seeded)

    def pi(self, rows: list[dict[str, Any]]) -> float:
        return 4.0 * sum(r["inside"] for r in rows) / (self.samples * len(rows))

    def headline(self, *, _: Translate = english) -> str:
        return _(
            "{workers} forked workers drew {drawn} points each way: from NumPy's global generator {shared} "
            "distinct stream(s), so {shared_samples} real samples (π ≈ {shared_pi}); with one seed per "
            "worker {seeded} distinct, {seeded_samples} real samples (π ≈ {seeded_pi})",
            workers=_.number(self.workers),
            drawn=_.number(self.workers * self.samples),
            shared=_.number(self.shared_distinct),
            shared_samples=_.number(self.shared_distinct * self.samples),
            shared_pi=_.number(self.pi(self.shared), decimals=5),
            seeded=_.number(self.seeded_distinct),
            seeded_samples=_.number(self.seeded_distinct * self.samples),
            seeded_pi=_.number(self.pi(self.seeded), decimals=5),
        )

    def metrics(self, *, _: Translate = english) -> list[tuple[str, ...]]:
        drawn = self.workers * self.samples
        shared = self.shared_distinct * self.samples
        seeded = self.seeded_distinct * self.samples
        return [
            (_("points drawn"), _.number(drawn)),
            (
                _("real samples, global generator"),
                _.number(shared),
                _("{n} duplicated", n=_.number(shared - drawn)),
            ),
            (
                _("real samples, one seed each"),
                _.number(seeded),
                _("{n} duplicated", n=_.number(seeded - drawn)),
            ),
        ]

    def rows(self) -> list[dict[str, Any]]:
        return [{N_("generator"): "np.random (global)", **r} for r in self.shared] + [
            {"generator": "default_rng(SeedSequence.spawn)", **r} for r in self.seeded
        ]


def seed_then_pool(samples: int, workers: int, seed: int) -> list[tuple]:
    """What a script often does: seed NumPy once "for reproducibility", then fork a pool of workers."""
    np.random.seed(seed)
    with multiprocessing.get_context("fork").Pool(workers, maxtasksperchild=1) as pool:  # a task each
        return pool.map(draw_global, [samples] * workers, chunksize=1)


def one_seed_each(samples: int, workers: int, seed: int) -> list[tuple]:
    """The fix: one independent, reproducible generator per worker, all from one seed."""
    children = np.random.SeedSequence(seed).spawn(workers)
    with multiprocessing.get_context("fork").Pool(workers, maxtasksperchild=1) as pool:
        return pool.starmap(draw_seeded, [(samples, child) for child in children], chunksize=1)


def _script(conn, script, args: tuple) -> None:
    """In a forked child standing for the student's script: run ``script(*args)``, send back its answer."""
    conn.send(script(*args))
    conn.close()


def run_script(script, *, samples: int, workers: int, seed: int) -> list[dict[str, Any]]:
    """Run ``script`` in a child of its own, as a student runs a script: its global generator is not this
    process's. The child is spawned, a fresh interpreter with one thread, and forks its pool from there:
    forking this process (a server with Dask's and Numba's threads) could copy a lock another thread holds,
    and leave the child waiting for it forever."""
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_script, args=(send, script, (samples, workers, seed)))
    child.start()
    send.close()
    try:
        try:
            if not receive.poll(60):
                raise EOFError("no answer within 60 s")
            out = receive.recv()
        except EOFError as exc:  # the child died (its traceback went to stderr) or hangs
            raise RuntimeError(f"{script.__name__} failed: {exc or 'it exited without an answer'}") from None
    finally:
        receive.close()
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
    return [
        {
            N_("worker"): i + 1,
            N_("first draws"): first,
            N_("digest"): digest,
            N_("inside"): inside,
            "π": 4.0 * inside / samples,
            "random.random()": round(py, 6),
        }
        for i, (inside, digest, first, py) in enumerate(out)
    ]


def fork_rng(workers: int = 2, samples: int = 100_000, seed: int = 7) -> ForkRngResult:
    """Fork ``workers`` workers drawing ``samples`` points each: after seeding NumPy's global generator,
    then with one ``SeedSequence`` child each; count the distinct streams."""
    shared = run_script(seed_then_pool, samples=samples, workers=workers, seed=seed)
    seeded = run_script(one_seed_each, samples=samples, workers=workers, seed=seed)
    return ForkRngResult(workers=workers, samples=samples, seed=seed, shared=shared, seeded=seeded)


LESSON = Lesson(
    name="fork_rng",
    title=N_("Forked workers and NumPy's global generator"),
    label=N_("Seeds after fork"),
    claim=N_(
        "forked workers sharing NumPy's global generator draw the same numbers; one seed each fixes it."
    ),
    why=WHY,
    function=fork_rng,
    bounds={"workers": (2, 8), "samples": (10, 2_000_000), "seed": (0, 2**32 - 1)},
    shows=(draw_global, draw_seeded, seed_then_pool, one_seed_each),
)
