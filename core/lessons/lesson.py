"""What every lesson shares: ``Lesson`` (name, why, bounded parameters, run), ``Result`` (numbers, table)."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple

from core.lessons import isolation
from core.lessons.listing import Listing
from core.runtime.checks import Refusal, bounded
from core.runtime.i18n import N_, Translate, english

if TYPE_CHECKING:  # pandas is imported on use: worker processes import lesson modules and never need it
    import pandas as pd


class Chart(NamedTuple):
    """How to draw a lesson's rows: ``bar`` (x, y, colour) or ``timeline`` (one bar a row: label, start,
    end)."""

    kind: Literal["bar", "timeline"]
    x: str  # bars: the x column; timeline: the row label
    y: str  # bars: the height column; timeline: the start column
    colour: str | None  # bars: the colour column; timeline: the end column
    axis: str = N_("seconds since the first start()")  # timeline: the time axis's title (a message)


@dataclass
class Result:
    """A lesson's measured numbers: a one-line ``headline``, a few ``metrics`` and a ``table``.

    ``chart`` names how the page may draw ``table`` (a ``Chart``), or is ``None`` for no chart.
    """

    chart: ClassVar[Chart | None] = None

    def headline(self, *, _: Translate = english) -> str:
        """The result in one line, in ``_``'s language."""
        raise NotImplementedError

    def metrics(self, *, _: Translate = english) -> list[tuple[str, ...]]:
        """Metrics to show, in ``_``'s language: (label, value) or (label, value, delta)."""
        return []

    def rows(self) -> list[dict[str, Any]]:
        """The table's rows (keys and text values marked ``N_``: shown translated, exported as they are)."""
        return []

    def messages(self, *, _: Translate = english) -> list[tuple[str, str]]:
        """(caption, text) pairs to show, the text verbatim, such as an error message that is the lesson."""
        return []

    def links(self, *, _: Translate = english) -> list[tuple[str, str, str | None]]:
        """(label, url, note) links to open, the note saying what may keep the link from working."""
        return []

    def listings(self, *, _: Translate = english) -> list[Listing]:
        """Code to show in panels (what a compiler emitted, bytecode), titled in ``_``'s language; a page
        shows a bounded part of each (``core.lessons.listing``)."""
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
        out["headline"] = self.headline()
        out["table"] = self.rows()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        """The result back from ``to_dict`` (the derived headline and table are recomputed)."""
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.init})


PARAMETERS = {  # a lesson parameter's name → its label in the settings (a message: translated where shown)
    "processes": N_("processes"),
    "seconds": N_("seconds"),
    "tiny_items": N_("tiny items"),
    "heavy_tasks": N_("heavy tasks"),
    "heavy_steps": N_("heavy steps"),
    "workers": N_("workers"),
    "repeat": N_("repeat"),
    "tasks": N_("tasks"),
    "increments": N_("increments"),
    "trials": N_("trials"),
    "files": N_("files"),
    "rows_per_file": N_("rows per file"),
    "reads": N_("reads"),
    "samples": N_("samples"),
    "seed": N_("seed"),
    "n": N_("n"),
    "requests": N_("requests"),
    "latency_ms": N_("latency (ms)"),
    "limit": N_("at most at once"),
}
NO_SUCH_PARAMETER = N_("lesson {name} has no parameter {key}; it takes: {accepted}")
NO_PARAMETERS = N_("lesson {name} has no parameter {key}; it takes: none")


@dataclass(kw_only=True, frozen=True)
class Lesson:
    """One lesson: ``run(**params)`` checks each parameter against ``bounds`` and calls ``function``.
    ``title``, ``label``, ``claim`` and ``why`` are messages (``N_``), translated where they are shown."""

    name: str
    title: str
    label: str  # a tab's few words, English in the page's URL whatever the language: ?lesson=Race+and+Lock
    claim: str  # what the lesson shows, in one line (its module docstring's, without the 'Lesson N: ')
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
        """``params`` merged over the defaults, each checked against its bounds; a ``Refusal`` (a
        ``ValueError``, in any language: see ``core.runtime.checks``) if not."""
        defaults = self.defaults()
        for key in params:
            if key not in defaults:
                fields = {"name": repr(self.name), "key": repr(key), "accepted": ", ".join(defaults)}
                raise Refusal(NO_SUCH_PARAMETER if defaults else NO_PARAMETERS, **fields)
        merged = defaults | params
        for key, (low, high) in self.bounds.items():
            merged[key] = bounded(
                merged[key], low=low, high=high, what=key, whole=isinstance(defaults[key], int)
            )
        return merged

    def label_of(self, parameter: str) -> str:
        """The settings' label of ``parameter`` (a message, translated where shown)."""
        return PARAMETERS.get(parameter, parameter.replace("_", " "))

    def run(self, **params: Any) -> Result:
        """Run the lesson in this process."""
        return self.function(**self.check(params))

    def measure(self, timeout: float = 180, **params: Any) -> Result:
        """Run the lesson where its numbers are honest, as the page does.

        A lesson that starts processes runs in a fresh interpreter (``isolated``: see
        ``core.lessons.isolation``). The others run here, where they reuse what the server has started (the
        Dask cluster, Numba).
        """
        params = self.check(params)
        if not self.isolated:
            return self.function(**params)
        result_type = typing.get_type_hints(self.function)["return"]
        return result_type.from_dict(isolation.run_fresh(self.name, params, timeout))

    def source(self) -> str:
        """The code the lesson runs: its helpers, then the lesson function itself."""
        return "\n\n".join(inspect.getsource(f) for f in (*self.shows, self.function))
