"""A model file described without running it: a pickle (a pipeline's ``model_data`` output, a child run's
``outputs/model.pkl``) read statically into a tree of estimators, with the globals it would import and a
safety verdict. ``pickle.load`` is never called on it; nothing it names is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.automl.model import AutoMLError
from core.automl.modelfile.estimators import Estimator, Evaluator, tree
from core.automl.modelfile.pickle_reader import MAX_MODEL_BYTES, scan, too_big
from core.automl.modelfile.safety import Verdict, judge
from core.runtime.i18n import Translate, english

MAX_INLINE = 16  # parameters written on an estimator's line of text; --json has them all


@dataclass(kw_only=True)
class ModelReport:
    """What a static read of a model file found: the tree, the verdict, and notes on the way."""

    name: str
    size: int
    protocol: int | None
    opcodes: int
    root: Estimator
    verdict: Verdict
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.name,
            "bytes": self.size,
            "protocol": self.protocol,
            "opcodes": self.opcodes,
            "verdict": self.verdict.level,
            "safe": self.verdict.safe,
            "headline": self.verdict.headline(),
            "warnings": self.verdict.warnings,
            "findings": self.verdict.findings,
            "imports": self.verdict.imports.to_dict("records"),
            "tree": self.root.to_dict(),
            "notes": self.notes,
        }

    def text(self, *, _: Translate = english) -> str:
        """The tree as a terminal shows it, like the notebook's printout of the fitted model, then the
        verdict and every global it would import, in ``_``'s language (what the file names as it is)."""
        protocol = "0/1" if self.protocol is None else str(self.protocol)
        lines = [
            _(
                "{name}: {size} bytes, pickle protocol {protocol}, {opcodes} opcodes; read statically, never "
                "unpickled",
                name=self.name,
                size=_.number(self.size),
                protocol=protocol,
                opcodes=_.number(self.opcodes),
            ),
            _("verdict: {headline}", headline=self.verdict.headline(_=_)),
            "",
            *tree_lines(self.root, _=_),
            "",
            _("globals it would import ({n}):", n=_.number(len(self.verdict.imports))),
        ]
        for row in self.verdict.imports.itertuples(index=False):
            call = "  — " + _("e.g. {call}", call=row.example) if not row.allowed and row.example else ""
            lines.append(f"  {'ok' if row.allowed else '!!'}  {row.module}.{row.name}{call}")
        lines += [_("warning: {warning}", warning=w) for w in self.verdict.reasons(_=_)]
        lines += [f"fickling: {f}" for f in self.verdict.findings]
        lines += [_("note: {note}", note=n) for n in self.notes]
        return "\n".join(lines)


def read_bytes(
    data: bytes, name: str = "model", max_bytes: int = MAX_MODEL_BYTES, *, _: Translate = english
) -> ModelReport:
    """Describe the pickle in ``data`` (``name`` labels every message); ``AutoMLError`` in one line (in
    ``_``'s language) for a file that is not a readable pickle."""
    found = scan(data, name, max_bytes, _=_)
    try:
        root = tree(Evaluator(found.program).result())
    except RecursionError:
        raise AutoMLError(_("{name}: nested too deeply to describe", name=name)) from None
    verdict = judge(found.imports, found.program, found.findings)
    return ModelReport(
        name=name,
        size=found.size,
        protocol=found.protocol,
        opcodes=found.opcodes,
        root=root,
        verdict=verdict,
        notes=found.notes,
    )


def read_path(path: str | Path, max_bytes: int = MAX_MODEL_BYTES, *, _: Translate = english) -> ModelReport:
    """Describe the pickle at ``path``."""
    p = Path(path)
    if not p.is_file():
        said = _("not a file") if p.exists() else _("no such file")
        raise AutoMLError(f"{p}: {said}")
    size = p.stat().st_size
    if size > max_bytes:
        raise AutoMLError(too_big(p.name, size, max_bytes, _=_))
    return read_bytes(p.read_bytes(), p.name, max_bytes, _=_)


def signature(node: Estimator, limit: int = MAX_INLINE) -> str:
    """``Name(a=1, b='x', …)``: the class and its first ``limit`` parameters."""
    items = [f"{k}={v!r}" for k, v in list(node.params.items())[:limit]]
    if len(node.params) > limit:
        items.append(f"… +{len(node.params) - limit}")
    return f"{node.name}({', '.join(items)})"


def tree_lines(root: Estimator, *, _: Translate = english) -> list[str]:
    """The tree drawn with box characters, one estimator a line (a member's weight in ``_``'s language)."""
    lines = [signature(root)]
    word = _("weight")

    def walk(node: Estimator, prefix: str) -> None:
        for i, member in enumerate(node.children):
            last = i == len(node.children) - 1
            shown = _.significant(member.weight, digits=4) if member.weight is not None else ""
            weight = f" · {word} {shown}" if member.weight is not None else ""
            lines.append(f"{prefix}{'└─' if last else '├─'} {member.role}{weight}: {signature(member.node)}")
            walk(member.node, prefix + ("   " if last else "│  "))

    walk(root, "")
    return lines
