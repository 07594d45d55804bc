"""A pickle read statically with fickling: its opcodes interpreted symbolically into a Python AST, never
unpickled. Nothing the file names is imported, called or constructed; it is data to analyse.

fickling 0.1.12 lacks two opcodes that ordinary files use, FLOAT (protocol 0) and BYTEARRAY8 (protocol 5,
how NumPy pickles a writable array in band): both are registered here as the constants they push. It prints
warnings about malformed input on stdout and stderr; they are captured and returned as notes.
"""

from __future__ import annotations

import ast
import contextlib
import io
import threading
from dataclasses import dataclass, field

from core.automl.model import AutoMLError
from core.runtime.i18n import N_, Translate, english

MAX_MODEL_BYTES = 200 * 2**20  # an AutoML pipeline with its featurizer is tens of MB; 13 MB reads in ~1.5 s
MAX_OPCODES = 1_000_000  # fickling's own limit; a 13 MB random forest has 49,000
MAX_NOTES = 20
MALICIOUS = ("LIKELY_OVERTLY_MALICIOUS", "OVERTLY_MALICIOUS")  # fickling's severities that are reported
_MAGIC = (  # first bytes of files that are often mistaken for a pickle
    (b"\x1f\x8b", N_("gzip-compressed data (decompress it first)")),
    (b"PK\x03\x04", N_("a zip archive (a PyTorch or ONNX file, or an MLflow model folder zipped)")),
    (b"BZh", N_("bzip2-compressed data (decompress it first)")),
    (b"\xfd7zXZ", N_("xz-compressed data (decompress it first)")),
    (b"\x93NUMPY", N_("a NumPy .npy array file")),
    (b"\x89HDF", N_("an HDF5 file")),
    (b"ONNX", N_("an ONNX model")),
)
_OUT_OF_BYTES = ("exhausted before", "not enough data", "no newline found", "Expected")  # genops' words
_LOCK = threading.Lock()  # fickling's prints are captured by swapping sys.stdout/stderr: one read at a time


@dataclass(kw_only=True)
class Scan:
    """What a static read of one pickle found."""

    name: str
    size: int
    protocol: int | None
    opcodes: int
    program: ast.Module  # fickling's symbolic program: imports, calls, __setstate__, result = …
    findings: list[str] = field(default_factory=list)  # fickling's own malicious-pattern findings
    notes: list[str] = field(default_factory=list)  # fickling's warnings, trailing data …

    @property
    def imports(self) -> list[tuple[str, str]]:
        """Every global the pickle would import, ``(module, name)``, in first-seen order."""
        found = [
            (node.module or "", alias.name)
            for node in self.program.body
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        ]
        return list(dict.fromkeys(found))


def scan(
    data: bytes, name: str = "model", max_bytes: int = MAX_MODEL_BYTES, *, _: Translate = english
) -> Scan:
    """Read ``data`` as a pickle without unpickling it; ``AutoMLError`` in one line (in ``_``'s language)
    when it is empty, too big, truncated, compressed, or not a pickle at all."""
    if len(data) > max_bytes:
        raise AutoMLError(too_big(name, len(data), max_bytes, _=_))
    if not data:
        empty = _("{name}: the file is empty; expected a pickle (model.pkl, model_data)", name=name)
        raise AutoMLError(empty)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise AutoMLError(_("{name}: not a pickle but {what}", name=name, what=_(what)))
    if data[:1] in (b"{", b"["):
        raise AutoMLError(
            _("{name}: not a pickle but text that looks like JSON (a metrics file?)", name=name)
        )
    _register_missing_opcodes()
    from fickling.analysis import check_safety
    from fickling.fickle import Pickled

    captured = io.StringIO()
    with _LOCK, contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        pickled = _load(Pickled, data, name, _=_)
        if len(pickled) > MAX_OPCODES:
            raise AutoMLError(
                _(
                    "{name}: {count} opcodes is over the limit of {limit}",
                    name=name,
                    count=_.number(len(pickled)),
                    limit=_.number(MAX_OPCODES),
                )
            )
        program = _interpret(pickled, name, captured, _=_)
        results = check_safety(pickled).results
    notes = [line.strip() for line in captured.getvalue().splitlines() if line.strip()][:MAX_NOTES]
    end = _end(pickled)
    if end is not None and end < len(data):
        unread = _.number(len(data) - end)
        notes.append(_("{count} bytes after the pickle's STOP were not read", count=unread))
    findings = [
        " ".join(r.message.split())[:300] for r in results if getattr(r.severity, "name", "") in MALICIOUS
    ]
    proto = next((op.arg for op in pickled if op.name == "PROTO"), None)
    return Scan(
        name=name,
        size=len(data),
        protocol=proto,
        opcodes=len(pickled),
        program=program,
        findings=list(dict.fromkeys(findings)),
        notes=notes,
    )


def too_big(name: str, size: int, max_bytes: int, *, _: Translate = english) -> str:
    """The one line that refuses a file of ``size`` bytes over ``max_bytes``."""
    return _(
        "{name}: {size} MB is over the {limit} MB limit",
        name=name,
        size=_.number(size / 2**20, decimals=1),
        limit=_.number(max_bytes / 2**20, decimals=0),
    )


def _load(pickled_type, data: bytes, name: str, *, _: Translate):
    """fickling's opcode list, or the one line that says why there is none."""
    from fickling.fickle import EmptyPickleError, PickleDecodeError

    try:
        pickled = pickled_type.load(data)
    except EmptyPickleError:
        raise AutoMLError(
            _("{name}: not a pickle (byte 0, {byte}, is no pickle opcode)", name=name, byte=repr(data[:1]))
        ) from None
    except PickleDecodeError as exc:
        text = " ".join(str(exc).split())
        if any(said in text for said in _OUT_OF_BYTES):
            raise AutoMLError(
                _(
                    "{name}: truncated: the pickle ends before its STOP opcode ({count} bytes read)",
                    name=name,
                    count=_.number(len(data)),
                )
            ) from None
        raise AutoMLError(_("{name}: not a pickle ({said})", name=name, said=text[:160])) from None
    except NotImplementedError as exc:  # an opcode fickling cannot represent (out-of-band buffers)
        raise AutoMLError(
            _("{name}: uses a pickle opcode the static reader cannot read ({said})", name=name, said=exc)
        ) from None
    if not pickled or pickled[-1].name != "STOP":
        raise AutoMLError(_("{name}: truncated: the pickle ends before its STOP opcode", name=name))
    return pickled


def _interpret(pickled, name: str, captured: io.StringIO, *, _: Translate) -> ast.Module:
    """fickling's symbolic interpretation: the pickle as a program of imports, calls and assignments."""
    try:
        program = pickled.ast
    except (ValueError, TypeError, IndexError, KeyError, RecursionError, NotImplementedError) as exc:
        text = " ".join(str(exc).split())[:160]
        said = f"{type(exc).__name__}: {text}"
        raise AutoMLError(_("{name}: a malformed pickle ({said})", name=name, said=said)) from None
    if pickled.has_resource_exhaustion:
        raise AutoMLError(
            _("{name}: too costly to read statically (over fickling's resource limits)", name=name)
        )
    if pickled.has_interpretation_error:
        said = " ".join(captured.getvalue().split())[:160] or _("fickling cannot interpret it")
        raise AutoMLError(_("{name}: a malformed pickle ({said})", name=name, said=said))
    return program


def _end(pickled) -> int | None:
    last = pickled[-1] if len(pickled) else None
    return None if last is None or last.pos is None else last.pos + 1


def _register_missing_opcodes() -> None:
    """Teach fickling FLOAT and BYTEARRAY8 (pushed as constants), once; a later fickling that knows them
    keeps its own."""
    from fickling import fickle

    if "FLOAT" not in fickle.OPCODES_BY_NAME:

        class Float(fickle.ConstantOpcode):
            name = "FLOAT"
            priority = fickle.BinFloat.priority + 1

            @classmethod
            def validate(cls, obj):
                if not isinstance(obj, float):
                    raise ValueError(f"FLOAT expects a float, not {obj!r}")
                return obj

    if "BYTEARRAY8" not in fickle.OPCODES_BY_NAME:

        class ByteArray8(fickle.BinBytes8):
            name = "BYTEARRAY8"
            priority = fickle.BinBytes8.priority + 1

            def run(self, interpreter) -> None:
                interpreter.stack.append(ast.Constant(bytes(self.arg)))
