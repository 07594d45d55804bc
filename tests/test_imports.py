"""The house's import rules, read statically with ``ast`` (nothing is imported): no import cycle among the
modules of ``core/``, ``ui/`` and ``pages/``, and no private name of one project module used in another.

What counts as an import of project module ``m`` (an edge of the graph):
- ``import m``, ``import m as x``, ``from m import name`` and ``from m import *``, relative forms included;
- ``from pkg import name`` where ``pkg.name`` is a submodule counts as an import of ``pkg.name``, not of
  ``pkg``; an import of ``a.b.c`` is not also counted as one of its parent packages ``a`` and ``a.b``
  (Python runs their ``__init__`` first, but then every package that imports its own submodules would be a
  cycle);
- imports inside functions and under ``if TYPE_CHECKING:`` count too: a lazy or typing-only import is still
  a dependency, and a cycle through one is only hidden until someone moves it to the top.

A private name is one starting with ``_`` that is not a dunder (``__version__`` is fine). It may be used
only in the module that defines it, not even by the other modules of its package: ``from m import _x``,
``m._x`` and ``import m._x`` elsewhere are refused.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "ui")
SCRIPTS = ("pages",)


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool


@dataclass(frozen=True)
class Use:
    """One place where a module depends on another: ``where`` is ``path:line``."""

    target: str
    where: str


def project_modules(root: Path = ROOT) -> dict[str, Module]:
    """Every module of the packages in ``PACKAGES`` and every file in ``SCRIPTS`` (as ``pages.NAME``)."""
    modules: dict[str, Module] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            modules[".".join(parts)] = Module(".".join(parts), path, is_package)
    for folder in SCRIPTS:
        for path in sorted((root / folder).glob("*.py")):
            modules[f"{folder}.{path.stem}"] = Module(f"{folder}.{path.stem}", path, False)
    return modules


def _base(module: Module, node: ast.ImportFrom) -> str:
    """The absolute name ``from ... import`` reads from, relative levels resolved."""
    if not node.level:
        return node.module or ""
    package = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, node.module] if node.module else package)


def _known(name: str, modules: Mapping[str, Module]) -> str | None:
    """The longest prefix of dotted ``name`` that is a project module, or None."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in modules:
            return prefix
    return None


def _where(module: Module, node: ast.AST, root: Path) -> str:
    return f"{module.path.relative_to(root)}:{node.lineno}"


def imports_of(module: Module, modules: Mapping[str, Module], root: Path = ROOT) -> list[Use]:
    """The project modules ``module`` imports, anywhere in its file."""
    uses: list[Use] = []
    for node in ast.walk(ast.parse(module.path.read_text(), str(module.path))):
        if isinstance(node, ast.Import):
            targets = [_known(alias.name, modules) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _base(module, node)
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else _known(base, modules)
                for alias in node.names
            ]
        else:
            continue
        uses += [Use(t, _where(module, node, root)) for t in targets if t is not None and t != module.name]
    return uses


def import_graph(modules: Mapping[str, Module], root: Path = ROOT) -> dict[str, dict[str, str]]:
    """Module → {imported module → where it is first imported}."""
    graph: dict[str, dict[str, str]] = {}
    for name, module in modules.items():
        edges: dict[str, str] = {}
        for use in imports_of(module, modules, root):
            edges.setdefault(use.target, use.where)
        graph[name] = edges
    return graph


def find_cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The shortest cycle through each module that is on one, as ``[a, b, ..., a]`` starting from its
    smallest name, without repeats, sorted: Tarjan's strongly connected components, then a breadth-first
    search inside each."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(start: str) -> None:  # iterative, so a long chain cannot reach the recursion limit
        work = [(start, iter(graph.get(start, ())))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(component)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(graph.get(child, ()))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])

    for node in sorted(graph):
        if node not in index:
            visit(node)

    cycles: set[tuple[str, ...]] = set()
    for component in components:
        members = set(component)
        if len(component) == 1 and component[0] not in graph.get(component[0], ()):
            continue
        for start in component:
            cycle = _shortest_cycle(graph, start, members)[:-1]
            first = cycle.index(min(cycle))  # the same cycle found from another member: one rotation
            cycles.add((*cycle[first:], *cycle[:first], min(cycle)))
    return sorted(list(cycle) for cycle in cycles)


def _shortest_cycle(graph: Mapping[str, Iterable[str]], start: str, members: set[str]) -> list[str]:
    """The shortest path from ``start`` back to itself within ``members``."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph.get(node, ())):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if child in members and child not in came_from:
                came_from[child] = node
                queue.append(child)
    raise AssertionError(f"no cycle through {start}")  # pragma: no cover - a component always has one


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _bindings(tree: ast.AST, module: Module, modules: Mapping[str, Module]) -> dict[str, str]:
    """Local name → the project module it is bound to by an import, anywhere in the file."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    if alias.name in modules:
                        bound[alias.asname] = alias.name
                elif alias.name.split(".")[0] in modules:
                    bound[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = _base(module, node)
            for alias in node.names:
                if f"{base}.{alias.name}" in modules:
                    bound[alias.asname or alias.name] = f"{base}.{alias.name}"
    return bound


def _dotted(node: ast.expr, bound: Mapping[str, str], modules: Mapping[str, Module]) -> str | None:
    """The project module an expression like ``executors`` or ``core.pi.executors`` names, or None."""
    if isinstance(node, ast.Name):
        return bound.get(node.id)
    if isinstance(node, ast.Attribute):
        parent = _dotted(node.value, bound, modules)
        if parent is not None and f"{parent}.{node.attr}" in modules:
            return f"{parent}.{node.attr}"
    return None


def private_uses(module: Module, modules: Mapping[str, Module], root: Path = ROOT) -> list[str]:
    """Each use in ``module`` of another project module's private name, as ``path:line: what``."""
    tree = ast.parse(module.path.read_text(), str(module.path))
    bound = _bindings(tree, module, modules)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = _base(module, node)
            if base != module.name and _known(base, modules):
                found += [
                    f"{_where(module, node, root)}: from {base} import {alias.name}"
                    for alias in node.names
                    if _private(alias.name)
                ]
        elif isinstance(node, ast.Import):
            found += [
                f"{_where(module, node, root)}: import {alias.name}"
                for alias in node.names
                if _known(alias.name, modules) and any(_private(part) for part in alias.name.split("."))
            ]
        elif isinstance(node, ast.Attribute) and _private(node.attr):
            owner = _dotted(node.value, bound, modules)
            if owner is not None and owner != module.name:
                found.append(f"{_where(module, node, root)}: {owner}.{node.attr}")
    return found


def test_find_cycles_on_a_synthetic_graph():
    graph = {
        "a": ["b"],
        "b": ["c", "d"],
        "c": ["a"],  # a → b → c → a
        "d": ["e"],
        "e": ["f"],
        "f": [],
        "g": ["g"],  # a module importing itself
        "h": ["i", "j"],
        "i": ["h", "j"],  # h ⇄ i, and a longer way round through j
        "j": ["k"],
        "k": ["h"],
        "outside": ["a"],  # leads into a cycle without being part of one
    }
    assert find_cycles(graph) == [["a", "b", "c", "a"], ["g", "g"], ["h", "i", "h"], ["h", "j", "k", "h"]]
    assert find_cycles({"a": ["b"], "b": ["c"], "c": []}) == []
    assert find_cycles({"a": ["missing"]}) == []  # an edge to a node with no entry of its own


def test_import_graph_reads_the_project(tmp_path):
    """Relative imports, ``from pkg import submodule``, imports inside functions and under TYPE_CHECKING,
    and private names, on a small synthetic project."""
    files = {
        "core/__init__.py": "",
        "core/low.py": "_hidden = 1\n__version__ = '1'\n",
        "core/pkg/__init__.py": "from .mid import thing\n",
        "core/pkg/mid.py": (
            "from typing import TYPE_CHECKING\nfrom core import low\nthing = low._hidden\n"
            "if TYPE_CHECKING:\n    from core.pkg import top\n"
        ),
        "core/pkg/top.py": (
            "def f():\n    from ..pkg import mid, thing\n    import core.low\n    core.low.__version__\n"
        ),
        "ui/__init__.py": "",
        "pages/page.py": "from core.low import _hidden\nimport core.pkg.top as t\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    modules = project_modules(tmp_path)
    graph = {name: set(edges) for name, edges in import_graph(modules, tmp_path).items()}
    assert graph == {
        "core": set(),
        "core.low": set(),
        "core.pkg": {"core.pkg.mid"},
        "core.pkg.mid": {"core.low", "core.pkg.top"},
        "core.pkg.top": {"core.pkg.mid", "core.pkg", "core.low"},
        "ui": set(),
        "pages.page": {"core.low", "core.pkg.top"},
    }
    assert find_cycles(graph) == [
        ["core.pkg", "core.pkg.mid", "core.pkg.top", "core.pkg"],
        ["core.pkg.mid", "core.pkg.top", "core.pkg.mid"],
    ]
    assert private_uses(modules["core.pkg.mid"], modules, tmp_path) == ["core/pkg/mid.py:3: core.low._hidden"]
    assert private_uses(modules["core.pkg.top"], modules, tmp_path) == []
    assert private_uses(modules["pages.page"], modules, tmp_path) == [
        "pages/page.py:1: from core.low import _hidden"
    ]


def test_no_import_cycles():
    graph = import_graph(project_modules())
    cycles = find_cycles(graph)
    described = [
        " → ".join(cycle) + "".join(f"\n    {a} imports {b} at {graph[a][b]}" for a, b in pairwise(cycle))
        for cycle in cycles
    ]
    assert not cycles, "import cycles (imports must point one way only):\n" + "\n".join(described)


def test_no_private_names_across_modules():
    modules = project_modules()
    found = [use for module in modules.values() for use in private_uses(module, modules)]
    assert not found, "private names used outside their module (make them public):\n" + "\n".join(found)


def test_imports_point_down():
    """pages → ui → core, never back; and the generic job runner knows nothing of the π engine."""
    graph = import_graph(project_modules())
    above = {"core": ("ui", "pages"), "ui": ("pages",), "pages": ()}
    upward = [
        f"{module} imports {target} at {where}"
        for module, edges in graph.items()
        for target, where in edges.items()
        if target.split(".")[0] in above[module.split(".")[0]]
        or (module == "core.runtime.jobs" and (target == "core.pi" or target.startswith("core.pi.")))
    ]
    assert not upward, "imports that point up:\n" + "\n".join(upward)
