"""The house's call style, read statically with ``ast`` (nothing is imported) in ``core/``, ``ui/`` and
``pages/``: a call with many arguments names them, and a boolean is never passed by position.

- a ``def`` takes at most three positional parameters (``self`` and ``cls`` not counted); the rest come
  after a ``*``;
- a parameter annotated ``bool`` (``bool | None`` too) or defaulting to ``True``/``False`` is keyword-only;
- a ``@dataclass`` with more than three fields is ``kw_only=True``, or has at most three before ``_: KW_ONLY``
  (its own fields; a base that is a dataclass is checked on its own).

``EXCEPTIONS`` lists the functions whose signature a library dictates (``path:function`` → why); it is
empty now, and an entry that no longer matches a violation fails the test, so the list stays true.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("core", "ui", "pages")
MAX_POSITIONAL = 3
EXCEPTIONS: dict[str, str] = {}


def _is_bool(annotation: ast.expr | None, default: ast.expr | None) -> bool:
    if isinstance(default, ast.Constant) and isinstance(default.value, bool):
        return True
    if annotation is None:
        return False
    text = annotation.value if isinstance(annotation, ast.Constant) else ast.unparse(annotation)
    parts = {p.strip() for p in str(text).replace("Optional[", "").rstrip("]").split("|")}
    return "bool" in parts


def _function_problems(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[str]:
    positional = node.args.posonlyargs + node.args.args
    defaults = [None] * (len(positional) - len(node.args.defaults)) + list(node.args.defaults)
    counted = [a for a in positional if a.arg not in ("self", "cls")]
    if len(counted) > MAX_POSITIONAL:
        names = ", ".join(a.arg for a in counted)
        yield f"{len(counted)} positional parameters ({names}): put a * after the first three"
    for arg, default in zip(positional, defaults, strict=True):
        if _is_bool(arg.annotation, default):
            yield f"boolean parameter {arg.arg!r} is positional: make it keyword-only"


def _dataclass_problem(node: ast.ClassDef) -> str | None:
    for decorator in node.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        target = call.func if call else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
        if name != "dataclass":
            continue
        if call and any(k.arg == "kw_only" and getattr(k.value, "value", False) for k in call.keywords):
            return None
        fields = 0
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                annotation = ast.unparse(statement.annotation)
                if "KW_ONLY" in annotation:
                    break
                if "ClassVar" not in annotation:
                    fields += 1
        if fields > MAX_POSITIONAL:
            return f"dataclass with {fields} positional fields: kw_only=True or _: KW_ONLY after three"
    return None


def problems(source: str, where: str) -> Iterator[tuple[str, str]]:
    """(``where:name``, what is wrong) for each violation in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for problem in _function_problems(node):
                yield f"{where}:{node.name}", f"line {node.lineno}: {problem}"
        elif isinstance(node, ast.ClassDef) and (problem := _dataclass_problem(node)):
            yield f"{where}:{node.name}", f"line {node.lineno}: {problem}"


def project_problems(root: Path = ROOT) -> list[tuple[str, str]]:
    found = []
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            found += problems(path.read_text(encoding="utf-8"), path.relative_to(root).as_posix())
    return found


def test_calls_name_their_arguments_and_booleans_are_keyword_only():
    found = project_problems()
    unexcused = [f"{name}: {problem}" for name, problem in found if name not in EXCEPTIONS]
    assert not unexcused, "\n".join(unexcused)


def test_every_exception_still_excuses_something():
    flagged = {name for name, _ in project_problems()}
    assert not set(EXCEPTIONS) - flagged, f"stale EXCEPTIONS: {sorted(set(EXCEPTIONS) - flagged)}"


def test_the_check_finds_what_it_is_meant_to():
    source = """
from dataclasses import KW_ONLY, dataclass

def wide(a, b, c, d): ...
def fine(a, b, c, *, d): ...
def flag(a, on: bool): ...
def flag_default(a, on=False): ...
def maybe(a, on: bool | None = None): ...
def keyword(a, *, on: bool = True): ...
class C:
    def method(self, a, b, c): ...
    def wider(self, a, b, c, d): ...

@dataclass(frozen=True)
class Wide:
    a: int
    b: int
    c: int
    d: int

@dataclass(kw_only=True)
class Named:
    a: int
    b: int
    c: int
    d: int

@dataclass
class Leading:
    a: int
    _: KW_ONLY
    b: int
    c: int
    d: int
"""
    names = sorted({name.split(":")[1] for name, _ in problems(source, "x.py")})
    assert names == ["Wide", "flag", "flag_default", "maybe", "wide", "wider"]
