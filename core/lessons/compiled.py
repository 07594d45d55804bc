"""Lesson 11: what the compiler emits: Numba's inferred types, LLVM IR and assembly, with the hot loop and
its vector registers found, the compile time a first call pays, and the bytecode Python runs instead."""

# ruff: noqa: B007 (the lecture's loops keep their `for i in range(...)`)
from __future__ import annotations

import dis
import io
import random
import time
from dataclasses import dataclass, field
from typing import Any

from numba import jit

from core.lessons import machine_code
from core.lessons.lesson import Chart, Lesson, Result
from core.lessons.listing import BOUND, Listing, excerpt, shares
from core.runtime.i18n import N_, Translate, english

WHY = N_(
    "Python is interpreted: CPython compiles your function to bytecode (the `dis` panel) and a loop in C "
    "reads it one instruction at a time, asking at every `BINARY_OP` what types it was given. C and Fortran "
    "are compiled ahead of time to machine code for types written in the program. Numba is a JIT (just in "
    "time) compiler in between: on the first call it inspects the function, infers a static type for every "
    "variable from the arguments (`inspect_types`: `int64`, `float64`), writes LLVM's intermediate "
    "representation, a typed assembly for no machine in particular (`inspect_llvm`), and LLVM turns that "
    "into this CPU's instructions (`inspect_asm`). That work is why the first call is slow and the second, "
    "which finds the compiled version cached for those types, is not. Where a loop's iterations do not "
    "depend on each other, LLVM vectorises it: one instruction works on several numbers at once, held in "
    "xmm (SSE, 128-bit), ymm (AVX2, 256-bit) or zmm (AVX-512, 512-bit) registers. Pi Lab's counter-based "
    "kernel vectorises; the lecture's `random.random()` keeps a state that each draw changes, so its loop "
    "stays scalar: its xmm instructions ending in `sd` hold one number each. A CPU that offers AVX-512 may "
    "still get ymm: LLVM often prefers 256-bit vectors there, which keep the clock higher."
)


# The lecture's two functions, as it wrote them.
# fmt: off
def monte_carlo_pi_python(nsamples):
    acc = 0
    for i in range(nsamples):
        x = random.random()
        y = random.random()

        if (x ** 2 + y ** 2) < 1.0:
            acc += 1

    return 4.0 * acc / nsamples


@jit(nopython=True)
def monte_carlo_pi_numba(nsamples):
    acc = 0
    for i in range(nsamples):
        x = random.random()
        y = random.random()

        if (x ** 2 + y ** 2) < 1.0:
            acc += 1

    return 4.0 * acc / nsamples
# fmt: on


def inferred_types(dispatcher, signature) -> dict[str, str]:
    """The type Numba inferred for each of the function's own variables (its versions merged, a literal
    start left out where a real type follows), and ``return``'s."""
    overload = dispatcher.overloads[signature]
    typemap = overload.type_annotation.typemap
    names = dispatcher.py_func.__code__.co_varnames
    found: dict[str, list[str]] = {}
    for variable, kind in typemap.items():
        base = variable.split(".")[0]
        if base in names and str(kind) not in found.setdefault(base, []):
            found[base].append(str(kind))
    types = {}
    for name in names:
        kinds = found.get(name, [])
        real = [k for k in kinds if not k.startswith("Literal")] or kinds
        if real:
            types[name] = " | ".join(real)
    return types | {"return": str(overload.signature.return_type)}


def bytecode_loop(function) -> tuple[str, tuple[int, int] | None]:
    """``dis``'s text of ``function`` and its loop's lines in it: from ``FOR_ITER`` to the jump back to it
    (the listing's non-blank lines are its instructions, in order)."""
    text = dis.Bytecode(function).dis()
    instructions = list(dis.get_instructions(function))
    numbers = [n for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    starts = [i for i, ins in enumerate(instructions) if ins.opname == "FOR_ITER"]
    if len(numbers) != len(instructions) or not starts:
        return text, None
    head = starts[0]
    back = [i for i, ins in enumerate(instructions) if ins.argval == instructions[head].offset and i > head]
    return text, (numbers[head], numbers[back[-1] if back else head])


def compiled_kernel(dispatcher, args: tuple) -> dict[str, Any]:
    """Call a freshly made ``dispatcher`` twice on ``args`` (the first call compiles), then read what it
    emitted: types, LLVM IR, assembly, the hot loop in each, and the vector instructions of the asm's."""
    t0 = time.perf_counter()
    dispatcher(*args)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    dispatcher(*args)
    second = time.perf_counter() - t0
    (signature,) = dispatcher.signatures
    name = dispatcher.overloads[signature].fndesc.mangled_name
    annotated = io.StringIO()
    dispatcher.inspect_types(file=annotated, signature=signature)
    ir, asm = dispatcher.inspect_llvm(signature), dispatcher.inspect_asm(signature)
    ir_function = machine_code.ir_function(ir, name)
    asm_function = machine_code.asm_function(asm, name)
    ir_loop = machine_code.hot_loop(ir, ir_function, assembly=False)
    asm_loop = machine_code.hot_loop(asm, asm_function, assembly=True)
    blocks = asm_loop.blocks if asm_loop else ()
    widths = machine_code.register_widths(asm, blocks)
    return {
        "function": dispatcher.py_func.__name__,
        "signature": str(signature),
        "types": inferred_types(dispatcher, signature),
        "first_s": first,
        "second_s": second,
        "annotated": annotated.getvalue(),
        "ir": ir,
        "asm": asm,
        "ir_function": list(ir_function),
        "asm_function": list(asm_function),
        "ir_loop": list(ir_loop.span) if ir_loop else None,
        "asm_loop": list(asm_loop.span) if asm_loop else None,
        "ir_vectors": machine_code.vector_count(ir, ir_loop.blocks, assembly=False) if ir_loop else 0,
        "registers": widths,
        "instructions": machine_code.mnemonics(asm, blocks),
        "loop_instructions": sum(
            1 for span in blocks for line in machine_code.lines_of(asm, span) if line.startswith("\t")
        ),
        "widest": machine_code.widest(widths),
    }


def host_cpu() -> tuple[str, list[str]]:
    """The CPU Numba compiles for (``numba.config.CPU_NAME`` where the operator set one, else the host's as
    llvmlite reads it) and the vector instruction sets among its features."""
    import llvmlite.binding as llvm
    import numba

    name = numba.config.CPU_NAME or llvm.get_host_cpu_name()
    features = llvm.get_host_cpu_features()
    if numba.config.CPU_FEATURES:  # the operator's choice, as "+avx2,-avx512f"
        features = {f[1:]: f[0] == "+" for f in numba.config.CPU_FEATURES.split(",") if f}
    vector = ["sse2", "sse4.2", "avx", "avx2", "avx512f"]
    return name, [f for f in vector if features.get(f)]


def offered(features: list[str]) -> str:
    """The widest vector register the CPU's features offer: ``zmm``, ``ymm`` or ``xmm``."""
    return "zmm" if "avx512f" in features else "ymm" if "avx" in features else "xmm"


@dataclass(kw_only=True)
class CompiledResult(Result):
    samples: int
    numba_version: str
    cpu: str
    features: list[str] = field(default_factory=list)
    kernels: list[dict[str, Any]] = field(default_factory=list)
    bytecode: str = ""
    bytecode_loop: list[int] | None = None

    chart = Chart("bar", "function", "seconds", "call")

    @property
    def lecture(self) -> dict[str, Any]:
        return self.kernels[0]

    @property
    def fast(self) -> dict[str, Any]:
        return self.kernels[-1]

    def headline(self, *, _: Translate = english) -> str:
        k, fast = self.lecture, self.fast
        register = fast["widest"] or "—"
        return _(
            "{function}'s first call took {first} s (compiling it); the second, cached, {second} ms: "
            "{times}× faster. In {kernel}'s hot loop {count} instructions use {register} registers "
            "({bits}-bit, {isa}); this CPU ({cpu}: {features}) offers up to {best}.",
            function=k["function"],
            first=_.number(k["first_s"], decimals=2),
            second=_.number(k["second_s"] * 1e3, decimals=2),
            times=_.number(k["first_s"] / k["second_s"], decimals=0),
            kernel=fast["function"],
            count=_.number(fast["registers"].get(register, 0)),
            register=register,
            bits=_.number(machine_code.REGISTERS.get(register, 0)),
            isa=machine_code.INSTRUCTION_SETS.get(register, "—"),
            cpu=self.cpu,
            features=", ".join(self.features) or "—",
            best=offered(self.features),
        )

    def metrics(self, *, _: Translate = english) -> list[tuple[str, ...]]:
        k, fast = self.lecture, self.fast
        register = fast["widest"] or "—"
        return [
            (_("first call (compiles)"), _.number(k["first_s"], decimals=2) + " s"),
            (
                _("second call (cached)"),
                _.number(k["second_s"] * 1e3, decimals=2) + " ms",
                _("{times}× faster", times=_.number(k["first_s"] / k["second_s"], decimals=0)),
            ),
            (
                _("vector registers of the hot loop"),
                f"{register} · " + _("{bits} bits", bits=_.number(machine_code.REGISTERS.get(register, 0))),
                _("this CPU offers {register}", register=offered(self.features)),
            ),
        ]

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                N_("function"): k["function"],
                N_("first call, s"): k["first_s"],
                N_("second call, s"): k["second_s"],
                N_("compiling, s"): k["first_s"] - k["second_s"],
                N_("IR lines"): len(k["ir"].splitlines()),
                N_("assembly lines"): len(k["asm"].splitlines()),
                N_("hot loop instructions"): k["loop_instructions"],
                **{register: k["registers"][register] for register in machine_code.REGISTERS},
                N_("widest register, bits"): machine_code.REGISTERS.get(k["widest"], 0),
                N_("vector instructions, most used"): ", ".join(
                    f"{name} ×{count}" for name, count in list(k["instructions"].items())[:5]
                ),
            }
            for k in self.kernels
        ]

    def chart_rows(self) -> list[dict[str, Any]]:
        return [
            {N_("function"): k["function"], "call": call, N_("seconds"): seconds}
            for k in self.kernels
            for call, seconds in ((N_("first call"), k["first_s"]), (N_("second call"), k["second_s"]))
        ]

    def listings(self, *, _: Translate = english) -> list[Listing]:
        out = []
        for k in self.kernels:
            name = k["function"]
            types = "\n".join(f"{var}: {kind}" for var, kind in k["types"].items())
            out += [
                Listing(
                    name,
                    _("Types Numba inferred (inspect_types)"),
                    "python",
                    types + "\n\n" + k["annotated"],
                    (1, len(k["types"])),
                    f"{name}-types.txt",
                ),
                Listing(
                    name, _("LLVM IR (inspect_llvm)"), "llvm", k["ir"], _span(k["ir_loop"]), f"{name}.ll"
                ),
                Listing(name, _("Assembly (inspect_asm)"), None, k["asm"], _span(k["asm_loop"]), f"{name}.s"),
            ]
        out.insert(
            3,
            Listing(
                self.lecture["function"],
                _("Bytecode of the pure-Python loop (dis)"),
                None,
                self.bytecode,
                _span(self.bytecode_loop),
                "monte_carlo_pi_python-dis.txt",
            ),
        )
        return out

    def to_dict(self) -> dict[str, Any]:
        """As every lesson's, but bounded: each listing as the excerpt a page shows (``BOUND`` lines a
        function), not the whole IR and assembly."""
        out = super().to_dict()
        out["kernels"] = [
            {k: v for k, v in kernel.items() if k not in ("annotated", "ir", "asm")}
            for kernel in self.kernels
        ]
        out.pop("bytecode")
        every = self.listings()
        out["listings"] = []
        for group in dict.fromkeys(item.group for item in every):
            chosen = [item for item in every if item.group == group]
            for item, budget in zip(chosen, shares(chosen, BOUND), strict=True):
                part = excerpt(item, budget)
                out["listings"].append(
                    {
                        "function": group,
                        "title": item.title,
                        "lines": len(item.text.splitlines()),
                        "highlight": item.highlight,
                        "shown_from": part.context_from or part.highlighted_from,
                        "text": "\n".join(t for t in (part.context, part.highlighted) if t),
                    }
                )
        return out


def _span(lines: list[int] | None) -> tuple[int, int] | None:
    return (lines[0], lines[1]) if lines else None


def compiled(samples: int = 100_000) -> CompiledResult:
    """Compile the lecture's ``monte_carlo_pi_numba`` and Pi Lab's ``count_inside`` afresh (new dispatchers,
    no cache), time their first and second calls on ``samples`` draws, and read what Numba emitted. A
    tiny function is compiled first, so the first call's time is this function's compiling, not Numba's
    own start."""
    import numba
    import numpy as np

    from core.pi import kernels

    numba.njit(lambda x: x + 1)(1)  # Numba's own first-compile start, paid before the clock
    cpu, features = host_cpu()
    fast = numba.njit(fastmath=True, nogil=True)(kernels.count_inside.py_func)  # as Pi Lab's, uncached
    text, loop = bytecode_loop(monte_carlo_pi_python)
    return CompiledResult(
        samples=samples,
        numba_version=numba.__version__,
        cpu=cpu,
        features=features,
        kernels=[
            compiled_kernel(jit(nopython=True)(monte_carlo_pi_numba.py_func), (samples,)),
            compiled_kernel(fast, (np.uint64(0x9E3779B97F4A7C15), 0, samples)),
        ],
        bytecode=text,
        bytecode_loop=list(loop) if loop else None,
    )


LESSON = Lesson(
    name="compiled",
    title=N_("What the compiler emits"),
    label=N_("Compiled code"),
    claim=N_(
        "what the compiler emits: Numba's inferred types, LLVM IR and assembly, with the hot loop and its "
        "vector registers found, the compile time a first call pays, and the bytecode Python runs instead."
    ),
    why=WHY,
    function=compiled,
    bounds={"samples": (1_000, 10_000_000)},
    shows=(monte_carlo_pi_python, monte_carlo_pi_numba.py_func, inferred_types, compiled_kernel),
    isolated=False,
)
