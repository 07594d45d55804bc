"""What a compiler emitted, read as text: one function's lines in LLVM IR or assembly, its loops found by
their back-edges, the hot loop among them, and its vector instructions counted by register width."""

from __future__ import annotations

import re
from typing import NamedTuple

# x86 vector registers by width: SSE's 128-bit xmm, AVX/AVX2's 256-bit ymm, AVX-512's 512-bit zmm
REGISTERS = {"xmm": 128, "ymm": 256, "zmm": 512}
INSTRUCTION_SETS = {"xmm": "SSE", "ymm": "AVX2", "zmm": "AVX-512"}
REGISTER = re.compile(r"%?\b([xyz]mm)\d+\b")
IR_DEFINE = re.compile(r"^define\b.*@\"?([\w.$]+)\"?\(")
IR_LABEL = re.compile(r"^([\w.$-]+):")
IR_TARGET = re.compile(r"label %([\w.$-]+)")
IR_VECTOR = re.compile(r"<\d+ x [\w*]+>")
ASM_FUNCTION = re.compile(r"^([\w.$]+):")
ASM_LABEL = re.compile(r"^(\.L[\w$]+):")
ASM_JUMP = re.compile(r"^\s+j[a-z]+\s+(\.L[\w$]+)\s*$")


class Span(NamedTuple):
    """Lines ``first`` to ``last`` of a text, counted from 1, both included."""

    first: int
    last: int

    @property
    def size(self) -> int:
        return self.last - self.first + 1


def lines_of(text: str, span: Span) -> list[str]:
    """The lines of ``text`` inside ``span``."""
    return text.splitlines()[span.first - 1 : span.last]


def ir_function(ir: str, name: str) -> Span:
    """The lines of the function ``name`` in LLVM IR: from its ``define`` to its closing ``}``."""
    lines = ir.splitlines()
    for i, line in enumerate(lines):
        found = IR_DEFINE.match(line)
        if found and found[1] == name:
            end = next(j for j in range(i, len(lines)) if lines[j].startswith("}"))
            return Span(i + 1, end + 1)
    raise ValueError(f"no function {name!r} in the LLVM IR")


def asm_function(asm: str, name: str) -> Span:
    """The lines of the function ``name`` in assembly: from its label to the line before the next
    function's label (or the end)."""
    lines = asm.splitlines()
    starts = [i for i, line in enumerate(lines) if (m := ASM_FUNCTION.match(line)) and m[1] == name]
    if not starts:
        raise ValueError(f"no function {name!r} in the assembly")
    start = starts[0]
    end = next((j for j in range(start + 1, len(lines)) if lines[j].startswith(".Lfunc_end")), len(lines))
    return Span(start + 1, end)


class Block(NamedTuple):
    """A basic block: its label, its lines, and the labels it may go to next."""

    label: str
    span: Span
    successors: tuple[str, ...]


class Loop(NamedTuple):
    """A loop: its header's label, the lines from its first block to its last (``span``), and its blocks'
    own lines (other code may sit between them in the text)."""

    header: str
    span: Span
    blocks: tuple[Span, ...]


def blocks(text: str, function: Span, *, assembly: bool) -> list[Block]:
    """The basic blocks of ``function``: one starts at each label, at its first line of code, and in
    assembly after each jump; it goes where its branches name, and in assembly also on to the next block
    unless it ends in ``jmp`` or ``ret``. A block's span leaves out the blank lines after it."""
    lines = text.splitlines()
    label_of = ASM_LABEL if assembly else IR_LABEL
    first_code = function.first if assembly else function.first + 1  # IR: the line after ``define``
    numbers = range(function.first + 1, function.last + 1)
    labelled = {n for n in numbers if label_of.match(lines[n - 1])}
    after_jump = {n + 1 for n in numbers if assembly and ASM_JUMP.match(lines[n - 1]) and n < function.last}
    starts = sorted({first_code, *labelled, *after_jump})
    names = [m[1] if (m := label_of.match(lines[n - 1])) else f"line {n}" for n in starts]
    found = []
    for i, first in enumerate(starts):
        last = starts[i + 1] - 1 if i + 1 < len(starts) else function.last
        while last > first and not lines[last - 1].strip():
            last -= 1
        code = [line.split("#" if assembly else ";")[0].strip() for line in lines[first - 1 : last]]
        code = [c for c in code if c]
        if assembly:
            targets = [m[1] for line in lines[first - 1 : last] if (m := ASM_JUMP.match(line))]
            ends = bool(code) and code[-1].split()[0] in ("jmp", "ret", "retq")
            if not ends and i + 1 < len(starts):
                targets.append(names[i + 1])
        else:
            targets = [t for c in code for t in IR_TARGET.findall(c)]
        found.append(Block(names[i], Span(first, last), tuple(targets)))
    return found


def loops(text: str, function: Span, *, assembly: bool) -> list[Loop]:
    """Every loop of ``function``: a branch to a block that is still being walked from the entry (a
    back-edge) closes one, made of that header and every block that reaches the branch without passing the
    header. The smallest come first."""
    graph = {b.label: b for b in blocks(text, function, assembly=assembly)}
    back_edges, walking, seen = [], [], set()

    def walk(label: str) -> None:  # depth first, by hand: a long function must not reach the recursion limit
        stack = [(label, iter(graph[label].successors))]
        seen.add(label)
        walking.append(label)
        while stack:
            node, successors = stack[-1]
            nxt = next((s for s in successors if s in graph), None)
            if nxt is None:
                stack.pop()
                walking.remove(node)
            elif nxt in walking:
                back_edges.append((node, nxt))
            elif nxt not in seen:
                seen.add(nxt)
                walking.append(nxt)
                stack.append((nxt, iter(graph[nxt].successors)))

    walk(next(iter(graph)))
    predecessors: dict[str, set[str]] = {label: set() for label in graph}
    for b in graph.values():
        for s in b.successors:
            if s in graph:
                predecessors[s].add(b.label)
    found = []
    for tail, header in back_edges:
        body, todo = {header}, [tail]
        while todo:
            label = todo.pop()
            if label not in body:
                body.add(label)
                todo += predecessors[label]
        spans = tuple(sorted(graph[label].span for label in body))
        found.append(Loop(header, Span(spans[0].first, max(s.last for s in spans)), spans))
    return sorted(set(found), key=lambda lp: (sum(s.size for s in lp.blocks), lp.span.first))


def innermost(found: list[Loop]) -> list[Loop]:
    """The loops that hold no other loop."""
    return [lp for lp in found if not any(o != lp and set(o.blocks) < set(lp.blocks) for o in found)]


def vector_count(text: str, spans: tuple[Span, ...], *, assembly: bool) -> int:
    """How many instructions in ``spans`` work on vectors: on xmm/ymm/zmm registers (assembly), or on
    ``<N x type>`` values (IR)."""
    pattern = REGISTER if assembly else IR_VECTOR
    comment = "#" if assembly else ";"
    return sum(1 for span in spans for line in lines_of(text, span) if pattern.search(line.split(comment)[0]))


def hot_loop(text: str, function: Span, *, assembly: bool) -> Loop | None:
    """The loop the time goes in: of the innermost loops, the one with the most vector instructions (the
    vectorised body, not its scalar remainder), then the longest; ``None`` for a function without a loop."""
    candidates = innermost(loops(text, function, assembly=assembly))
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda lp: (vector_count(text, lp.blocks, assembly=assembly), lp.span.size, -lp.span.first),
    )


def register_widths(asm: str, spans: tuple[Span, ...]) -> dict[str, int]:
    """How many instructions in ``spans`` use each register width (an instruction counts once, under its
    widest register): ``{"xmm": 3, "ymm": 60, "zmm": 0}``."""
    counts = dict.fromkeys(REGISTERS, 0)
    for line in (line for span in spans for line in lines_of(asm, span)):
        used = set(REGISTER.findall(line.split("#")[0]))
        if used:
            counts[max(used, key=REGISTERS.__getitem__)] += 1
    return counts


def mnemonics(asm: str, spans: tuple[Span, ...]) -> dict[str, int]:
    """The vector instructions of ``spans`` by name, most used first: ``{"vpsrlq": 16, ...}``."""
    counts: dict[str, int] = {}
    for line in (line for span in spans for line in lines_of(asm, span)):
        code = line.split("#")[0]
        if REGISTER.search(code) and code.strip():
            name = code.split()[0]
            counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def widest(counts: dict[str, int]) -> str | None:
    """The widest register used (``"ymm"``), or ``None`` when no vector register was."""
    used = [r for r, n in counts.items() if n]
    return max(used, key=REGISTERS.__getitem__) if used else None
