"""A pickle's symbolic program (fickling's AST) evaluated as data into a tree of estimators: pipeline steps,
ensemble members with their weights, each estimator's class and its constructor parameters.

The evaluation only follows the program's shape: ``cls.__new__(cls)`` and ``f(args)`` become objects named
``module.name``, ``__setstate__`` fills their attributes, and NumPy arrays and scalars are decoded from
their bytes with a fixed list of plain dtypes. Nothing the pickle names is ever imported or called.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

import numpy as np

MAX_NODES = 400
MAX_DEPTH = 16
MAX_ARRAY_SHOWN = 12  # elements of a small array shown as values
MAX_LIST_SHOWN = 20
MAX_TEXT = 120
PARAM_DICTS = ("params", "kwargs", "_kwargs", "param_kwargs", "model_params")  # AutoML wrappers keep these
MEMBER_LISTS = ("steps", "estimators", "transformer_list", "transformers", "base_estimators")
_PLAIN_DTYPE = re.compile(r"^(?:[biuf][1248]|f2|c8|c16|[US]\d{1,4})$")


@dataclass(eq=False)
class Obj:
    """An object the pickle would build: its class or callable (``module.name``), arguments and state."""

    cls: str
    args: list[Any] = field(default_factory=list)
    _: KW_ONLY
    state: dict[str, Any] = field(default_factory=dict)
    raw_state: Any = None  # a state that is not a dict (an array's tuple, a custom __setstate__)


@dataclass(frozen=True)
class Global:
    """A global the pickle names (``module.name``) without calling it."""

    module: str
    name: str

    @property
    def dotted(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(frozen=True)
class Array:
    """A NumPy array: its shape, dtype and, when small and of a plain dtype, its values."""

    shape: tuple[int, ...]
    dtype: str
    values: tuple | None = None

    def __str__(self) -> str:
        if self.values is not None:
            return f"array({list(self.values)})"
        return f"array(shape={self.shape}, dtype={self.dtype})"


@dataclass
class Estimator:
    """One node of the tree: the class, its plain constructor parameters, its members."""

    cls: str  # module.name
    params: dict[str, Any] = field(default_factory=dict)
    children: list[Member] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.cls.rsplit(".", 1)[-1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "class": self.cls,
            "params": {k: _jsonable(v) for k, v in self.params.items()},
            "members": [m.to_dict() for m in self.children],
        }

    def walk(self):
        """This node and every node below it, depth first."""
        yield self
        for member in self.children:
            yield from member.node.walk()


@dataclass
class Member:
    """A member of an estimator: a pipeline step, an ensemble member (with its weight), an attribute."""

    role: str
    node: Estimator
    weight: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "weight": self.weight, **self.node.to_dict()}


class Evaluator:
    """Runs fickling's program as data: statements in order, objects shared by variable name."""

    def __init__(self, program: ast.Module) -> None:
        self.program = program
        self.env: dict[str, Any] = {}

    def result(self) -> Any:
        for statement in self.program.body:
            self._statement(statement)
        return self.env.get("result")

    def _statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                self.env[alias.asname or alias.name] = Global(node.module or "", alias.name)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                self.env[target.id] = self.value(node.value)
            elif isinstance(target, ast.Subscript):  # SETITEM on a dict held in a variable
                holder = self.value(target.value)
                if isinstance(holder, dict):
                    holder[_key(self.value(target.slice))] = self.value(node.value)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            self._method(node.value)

    def _method(self, call: ast.Call) -> None:
        func = call.func
        if not isinstance(func, ast.Attribute) or len(call.args) != 1:
            return
        target, argument = self.value(func.value), self.value(call.args[0])
        if func.attr == "update" and isinstance(target, dict) and isinstance(argument, dict):
            target.update(argument)
        elif func.attr == "__setstate__":
            _set_state(target, argument)

    def value(self, node: ast.AST) -> Any:
        """The value an expression stands for (containers built, calls turned into ``Obj``)."""
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self.env.get(node.id, Global("?", node.id))
        if isinstance(node, ast.List):
            return [self.value(e) for e in node.elts]
        if isinstance(node, ast.Tuple):
            return tuple(self.value(e) for e in node.elts)
        if isinstance(node, ast.Set):
            return [self.value(e) for e in node.elts]
        if isinstance(node, ast.Dict):
            return {
                _key(self.value(k)) if k is not None else "**": self.value(v)
                for k, v in zip(node.keys, node.values, strict=True)
            }
        if isinstance(node, ast.Call):
            return self._call(node)
        return Global("?", type(node).__name__)

    def _call(self, node: ast.Call) -> Any:
        func = node.func
        args = [self.value(a) for a in node.args if not isinstance(a, ast.Starred)]
        if isinstance(func, ast.Attribute) and func.attr == "__new__":  # NEWOBJ: cls.__new__(cls, *args)
            owner = self.value(func.value)
            return Obj(_dotted(owner), args[1:])
        callee = self.value(func)
        if isinstance(callee, Global):
            return _special(callee, args)
        return Obj(_dotted(callee), args)


def _special(callee: Global, args: list[Any]) -> Any:
    """Calls that build plain data, read as that data; any other call becomes an ``Obj``."""
    module, name = callee.module, callee.name
    if module.startswith("numpy"):
        if name == "_reconstruct":
            return Obj("numpy.ndarray")
        if name == "dtype" and args and isinstance(args[0], str):
            return Obj("numpy.dtype", [args[0]])
        if name == "scalar" and len(args) == 2:
            return _scalar(args[0], args[1])
    if module in ("copyreg", "copy_reg") and name == "_reconstructor" and args:  # protocols 0 and 1
        return Obj(_dotted(args[0]))
    if (module, name) == ("collections", "OrderedDict"):
        pairs = args[0] if args and isinstance(args[0], list) else []
        return {_key(p[0]): p[1] for p in pairs if isinstance(p, list | tuple) and len(p) == 2}
    if (module, name) == ("_codecs", "encode") and args and isinstance(args[0], str):
        return args[0].encode("latin-1", errors="replace")
    if module in ("builtins", "__builtin__") and name in ("set", "frozenset", "tuple", "list") and args:
        return list(args[0]) if isinstance(args[0], list | tuple) else args[0]
    return Obj(callee.dotted, args)


def _set_state(target: Any, state: Any) -> None:
    """BUILD: a dict updates the attributes, ``(dict, slots)`` both; anything else is kept as it is."""
    if not isinstance(target, Obj):
        return
    if isinstance(state, tuple) and len(state) == 2 and all(isinstance(s, dict | None) for s in state):
        for part in state:
            target.state.update(part or {})
    elif isinstance(state, dict):
        target.state.update(state)
    else:
        target.raw_state = state


def _scalar(dtype: Any, raw: Any) -> Any:
    decoded = _decode(dtype, raw, 1)
    return decoded[0] if decoded else Obj("numpy.scalar")


def _dtype_text(dtype: Any) -> str | None:
    """``dtype('f8')`` with its byte order (from its state) as ``<f8``, when it is a plain dtype."""
    if not isinstance(dtype, Obj) or dtype.cls != "numpy.dtype" or not dtype.args:
        return None
    code = str(dtype.args[0])
    order = dtype.raw_state[1] if isinstance(dtype.raw_state, tuple) and len(dtype.raw_state) > 1 else "|"
    if not _PLAIN_DTYPE.match(code) or order not in ("<", ">", "|", "="):
        return None
    return f"{order}{code}"


def _decode(dtype: Any, raw: Any, count: int) -> tuple | None:
    """Values from raw bytes with a plain dtype (never an object dtype), as Python numbers or text."""
    text = _dtype_text(dtype)
    if text is None or not isinstance(raw, bytes | bytearray):
        return None
    try:
        values = np.frombuffer(bytes(raw), dtype=np.dtype(text), count=count)
    except (TypeError, ValueError):
        return None
    return tuple(v.item() for v in values)


def _array(obj: Obj) -> Array | Obj:
    """An ``ndarray`` whose state is ``(version, shape, dtype, fortran, data)``."""
    state = obj.raw_state
    if not (isinstance(state, tuple) and len(state) == 5 and isinstance(state[1], tuple)):
        return obj
    shape = tuple(int(s) for s in state[1] if isinstance(s, int))
    size = math.prod(shape)
    code = state[2].args[0] if isinstance(state[2], Obj) and state[2].args else "?"
    dtype = _dtype_text(state[2]) or str(code)
    values = None
    if size <= MAX_ARRAY_SHOWN:
        data = state[4]
        values = tuple(data) if isinstance(data, list) else _decode(state[2], data, size)
        if values is not None and not all(_is_plain(v) for v in values):
            values = None
    return Array(shape, dtype.lstrip("<>|="), values)


def tree(root: Any) -> Estimator:
    """The estimator tree under the pickle's result (a synthetic root for a list or dict of models)."""
    budget = [MAX_NODES]
    if isinstance(root, dict):
        root = Obj("builtins.dict", state={str(k): v for k, v in root.items()})
    elif isinstance(root, list | tuple) and not _is_plain(root):
        root = Obj(f"builtins.{type(root).__name__}", state={"items": root})
    if isinstance(root, Obj):
        return _node(root, depth=0, budget=budget, seen=set())
    return Estimator(f"builtins.{type(root).__name__}", {"value": _shown(root)})


def _node(obj: Obj, *, depth: int, budget: list[int], seen: set[int]) -> Estimator:
    budget[0] -= 1
    node = Estimator(obj.cls)
    if depth >= MAX_DEPTH or budget[0] <= 0 or id(obj) in seen:
        node.params["…"] = "not expanded (depth, size or a cycle)"
        return node
    seen = seen | {id(obj)}
    if obj.args and not obj.state and all(_is_plain(a) for a in obj.args):  # a call: f(args)
        node.params["args"] = _shown(list(obj.args))
    for key, value in obj.state.items():
        key = str(key)
        if key in PARAM_DICTS and isinstance(value, dict) and all(_is_plain(v) for v in value.values()):
            node.params.update({str(k): _shown(v) for k, v in value.items()})
            continue
        if key.startswith("_") or key.endswith("_"):  # private, or fitted (sklearn's trailing underscore)
            continue
        if _is_plain(value) or (isinstance(value, Obj) and value.cls == "numpy.ndarray"):
            node.params[key] = _shown(value)
        else:
            _members(node, key, value, depth=depth, budget=budget, seen=seen)
    _weigh(node, obj.state.get("weights"))
    return node


def _members(node: Estimator, key: str, value: Any, *, depth: int, budget: list[int], seen: set[int]) -> None:
    """Objects under attribute ``key``: a single one, ``(name, estimator, …)`` pairs, a list or a dict."""
    if isinstance(value, Obj):
        node.children.append(Member(key, _node(value, depth=depth + 1, budget=budget, seen=seen)))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if isinstance(item, list | tuple) and len(item) >= 2 and isinstance(item[1], Obj):
                role = str(item[0]) if key in MEMBER_LISTS else f"{key}[{item[0]}]"
                node.children.append(Member(role, _node(item[1], depth=depth + 1, budget=budget, seen=seen)))
            elif isinstance(item, Obj):
                node.children.append(
                    Member(f"{key}[{i}]", _node(item, depth=depth + 1, budget=budget, seen=seen))
                )
        if not node.children and value and all(_is_plain(v) for v in value):
            node.params[key] = _shown(value)
    elif isinstance(value, dict):
        for k, item in value.items():
            if isinstance(item, Obj):
                node.children.append(
                    Member(f"{key}[{k}]", _node(item, depth=depth + 1, budget=budget, seen=seen))
                )


def _weigh(node: Estimator, weights: Any) -> None:
    """Give ensemble members their weights (a ``weights`` list as long as the members)."""
    if isinstance(weights, Obj) and weights.cls == "numpy.ndarray":
        weights = _array(weights)
        weights = list(weights.values) if isinstance(weights, Array) and weights.values else None
    if not isinstance(weights, list | tuple) or len(weights) != len(node.children):
        return
    if all(isinstance(w, int | float) and not isinstance(w, bool) for w in weights):
        for member, weight in zip(node.children, weights, strict=True):
            member.weight = float(weight)


def _is_plain(value: Any) -> bool:
    if value is None or isinstance(value, bool | int | float | str | bytes):
        return True
    if isinstance(value, list | tuple):
        return len(value) <= MAX_LIST_SHOWN and all(_is_plain(v) for v in value)
    return False


def _shown(value: Any) -> Any:
    """A parameter as shown: numbers and short text as they are, arrays summarised, bytes by size."""
    if isinstance(value, Obj) and value.cls == "numpy.ndarray":
        return str(_array(value))
    if isinstance(value, bytes):
        return f"<{len(value):,} bytes>"
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…"
    if isinstance(value, list | tuple):
        return [_shown(v) for v in value]
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def _key(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return str(value)
    return value if isinstance(value, str | int | float | bool | tuple) or value is None else str(value)


def _dotted(value: Any) -> str:
    if isinstance(value, Global):
        return value.dotted
    if isinstance(value, Obj):
        return value.cls
    return f"?{type(value).__name__}"
