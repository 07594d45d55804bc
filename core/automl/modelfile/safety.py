"""The safety verdict on a pickle: every global it would import, checked against an allow-list of ML
libraries; anything else is a warning naming what unpickling would import and run."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import pandas as pd

from core.runtime.i18n import N_, Translate, english

# Libraries whose classes an AutoML model is made of (AutoML's own wrappers under three names over the years)
ALLOWED_LIBRARIES = (
    "sklearn",
    "numpy",
    "scipy",
    "pandas",
    "xgboost",
    "lightgbm",
    "catboost",
    "statsmodels",
    "pmdarima",
    "sklearn_pandas",
    "azureml.automl",
    "azureml.training.tabular",
    "automl.client.core",
    "joblib.numpy_pickle",
)
# Single names outside those libraries that only build data
ALLOWED_NAMES = {
    ("copyreg", "_reconstructor"),
    ("copy_reg", "_reconstructor"),  # its Python 2 name, in protocols 0 and 1
    ("collections", "OrderedDict"),
    ("_codecs", "encode"),
    ("datetime", "datetime"),
    ("datetime", "date"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
    ("decimal", "Decimal"),
    *(
        (builtins, name)
        for builtins in ("builtins", "__builtin__")
        for name in ("set", "frozenset", "slice", "complex", "bytearray", "object", "range", "tuple", "list")
    ),
}
# numpy's own pickling helpers for RandomState, Generator and their bit generators (in most models through a
# `random_state`): allowed only as numpy calls them, see `numpy_random_helpers`
BIT_GENERATORS = ("MT19937", "PCG64", "PCG64DXSM", "Philox", "SFC64")
BIT_GENERATOR_CLASSES = {
    ("numpy.random._mt19937", "MT19937"),
    ("numpy.random._pcg64", "PCG64"),
    ("numpy.random._pcg64", "PCG64DXSM"),
    ("numpy.random._philox", "Philox"),
    ("numpy.random._sfc64", "SFC64"),
}
RANDOM_CTORS = {
    ("numpy.random._pickle", n) for n in ("__randomstate_ctor", "__generator_ctor", "__bit_generator_ctor")
}
SEED_SEQUENCE = ("numpy.random.bit_generator", "SeedSequence")
SEED_SEQUENCE_UNPICKLE = ("numpy.random.bit_generator", "__pyx_unpickle_SeedSequence")
# Inside an allowed library, these can still run code or read files: never allowed
DENIED_MODULE_PARTS = ("testing", "_testing", "f2py", "distutils", "_pytesttester")
DENIED_NAMES = (
    "eval",
    "exec",
    "compile",
    "open",
    "system",
    "popen",
    "load",
    "loads",
    "read_pickle",
    "runstring",
    "getattr",
    "setattr",
    "__import__",
    "import_module",
    "Popen",
    "call",
    "check_call",
    "check_output",
    "run",
    "fromfile",
    "memmap",
)
MAX_CALL_TEXT = 120
IMPORT_COLUMNS = [N_("module"), N_("name"), N_("allowed"), N_("calls"), N_("example")]  # shown translated


@dataclass
class Verdict:
    """Whether every global is allow-listed, each global with its status, and one warning per problem."""

    imports: pd.DataFrame  # module, name, allowed, calls (how often the pickle calls it), example
    warnings: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)  # fickling's malicious-pattern findings

    @property
    def safe(self) -> bool:
        """Nothing outside the allow-list and nothing fickling flags (the file is still never unpickled)."""
        return not self.warnings and not self.findings

    @property
    def level(self) -> str:
        if self.findings:
            return "malicious"
        return "warning" if self.warnings else "allow-listed"

    def headline(self, *, _: Translate = english) -> str:
        """One line: the verdict and its counts, in ``_``'s language (``level`` stays the machine's word)."""
        count = len(self.imports)
        if self.level == "allow-listed":
            if not count:
                return _("allow-listed: it imports no globals (plain data)")
            return _(
                "allow-listed: all {count} globals it would import are in ML libraries", count=_.number(count)
            )
        outside = _.number(int((~self.imports["allowed"]).sum()) if count else 0)
        if self.level == "malicious":
            return _(
                "MALICIOUS: {outside} of {count} globals are outside the allow-list; never load this file",
                outside=outside,
                count=_.number(count),
            )
        return _(
            "WARNING: {outside} of {count} globals are outside the allow-list; never load this file",
            outside=outside,
            count=_.number(count),
        )

    def reasons(self, *, _: Translate = english) -> list[str]:
        """The warnings in ``_``'s language: one per global outside the allow-list (``warnings`` is
        English)."""
        return [
            outside_warning(row.module, row.name, row.example, _=_)
            for row in self.imports.itertuples(index=False)
            if not row.allowed
        ]


def outside_warning(module: str, name: str, example: str, *, _: Translate = english) -> str:
    """Why ``module.name`` makes a file unsafe, with the call it would make (``example``) when known."""
    if example:
        return _(
            "{module}.{name} is outside the allow-list of ML libraries: loading this file would import it "
            "and call {call}",
            module=module,
            name=name,
            call=example,
        )
    return _(
        "{module}.{name} is outside the allow-list of ML libraries: loading this file would import it",
        module=module,
        name=name,
    )


def allowed(module: str, name: str) -> bool:
    """``module.name`` is in an allowed library (and not one of its code-running corners) or is a plain
    data builder."""
    if (module, name) in ALLOWED_NAMES:
        return True
    parts = module.split(".")
    in_library = any(module == lib or module.startswith(lib + ".") for lib in ALLOWED_LIBRARIES)
    denied = any(p in DENIED_MODULE_PARTS for p in parts) or name in DENIED_NAMES or name.startswith("__")
    return in_library and not denied


def numpy_random_helpers(imports: list[tuple[str, str]], program: ast.Module) -> set[tuple[str, str]]:
    """numpy's RandomState/Generator pickling helpers that ``program`` calls only as numpy itself does: a
    constructor with at most one argument (a known bit generator's name or class, or an object the
    pickle built), never a second (it would be called); SeedSequence's unpickler on SeedSequence, constants.
    """
    bound = {name: (module, name) for module, name in imports}
    bit_generator_classes = {name for name, key in bound.items() if key in BIT_GENERATOR_CLASSES}

    def plain(arg: ast.expr) -> bool:  # a bit generator's name or class, or a variable the pickle built
        if isinstance(arg, ast.Constant):
            return arg.value in BIT_GENERATORS
        return isinstance(arg, ast.Name) and (arg.id in bit_generator_classes or arg.id not in bound)

    def legitimate(key: tuple[str, str], call: ast.Call) -> bool:
        if call.keywords:
            return False
        if key in RANDOM_CTORS:
            return len(call.args) <= 1 and all(plain(a) for a in call.args)
        first, *rest = call.args or [None]
        return (
            isinstance(first, ast.Name)
            and bound.get(first.id) == SEED_SEQUENCE
            and len(rest) == 2
            and all(isinstance(a, ast.Constant) for a in rest)
        )

    helpers = {key for key in imports if key in RANDOM_CTORS or key == SEED_SEQUENCE_UNPICKLE}
    for node in ast.walk(program):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            key = bound.get(node.func.id)
            if key in helpers and not legitimate(key, node):
                helpers.discard(key)
    passed_along = {  # a helper handed to another call, to be called there
        bound[a.id]
        for node in ast.walk(program)
        if isinstance(node, ast.Call)
        for a in [*node.args, *(k.value for k in node.keywords)]
        if isinstance(a, ast.Name) and a.id in bound
    }
    return helpers - passed_along


def judge(imports: list[tuple[str, str]], program: ast.Module, findings: list[str]) -> Verdict:
    """The verdict on a pickle from the globals it imports and the calls in its program (fickling's
    findings on numpy's own random-state helpers, called as numpy calls them, dropped)."""
    counts, examples = _calls(program)
    numpy_helpers = numpy_random_helpers(imports, program)
    findings = [f for f in findings if not any(f"from {m} import {n}`" in f for m, n in numpy_helpers)]
    rows = []
    for module, name in imports:
        made = examples.get(name, [])
        ok = allowed(module, name) or (module, name) in numpy_helpers
        rows.append((module, name, ok, counts.get(name, 0), made[0] if made else ""))
    frame = pd.DataFrame(rows, columns=IMPORT_COLUMNS)
    verdict = Verdict(frame, [], findings)
    verdict.warnings = verdict.reasons()
    return verdict


def _calls(program: ast.Module) -> tuple[dict[str, int], dict[str, list[str]]]:
    """How often each imported name is called (``name(...)``, ``name.__new__(...)``), and its first calls
    shortened to one line each."""
    counts: dict[str, int] = {}
    examples: dict[str, list[str]] = {}
    for node in ast.walk(program):
        if not isinstance(node, ast.Call):
            continue
        func = node.func.value if isinstance(node.func, ast.Attribute) else node.func
        if isinstance(func, ast.Name):
            counts[func.id] = counts.get(func.id, 0) + 1
            made = examples.setdefault(func.id, [])
            if len(made) < 3:
                made.append(_short(node))
    return counts, examples


def _short(node: ast.AST) -> str:
    try:
        text = " ".join(ast.unparse(node).split())
    except Exception:  # an AST fickling built that unparse cannot print
        text = "(…)"
    return text if len(text) <= MAX_CALL_TEXT else text[: MAX_CALL_TEXT - 1] + "…"
