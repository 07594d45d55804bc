"""The compiled lesson: the types Numba infers, the hot loop found in the IR and the assembly, its vector
registers counted from the text, a first call that compiles against a cached one, the Python loop's bytecode,
a page that never sends more than ``BOUND`` lines of listings, in English and in Spanish."""

import json
import re

import pytest

from core.lessons import compiled as lesson
from core.lessons import machine_code as mc
from core.lessons.__main__ import main
from core.lessons.listing import BOUND, Listing, excerpt, shares
from tests.lessons.test_spanish import english_left, readable_text
from tests.support.apptest import app, run_lesson


@pytest.fixture(scope="module")
def result():
    return lesson.compiled(samples=1_000)


def test_numba_infers_int64_and_float64_where_the_lecture_expects_them(result):
    lecture, fast = result.kernels
    assert lecture["function"] == "monte_carlo_pi_numba" and fast["function"] == "count_inside"
    assert lecture["types"] == {
        "nsamples": "int64",
        "acc": "int64",
        "i": "int64",
        "x": "float64",
        "y": "float64",
        "return": "float64",
    }
    assert fast["types"]["key"] == "uint64" and fast["types"]["acc"] == "int64"
    assert fast["types"]["return"] == "int64"
    assert "float64" in lecture["annotated"] and "int64" in lecture["annotated"]


def test_the_hot_loop_is_a_loop_inside_the_compiled_function(result):
    for kernel in result.kernels:
        ir, asm = kernel["ir"], kernel["asm"]
        (first, last), (start, end) = kernel["ir_loop"], kernel["ir_function"]
        assert start < first <= last <= end, kernel["function"]
        header = ir.splitlines()[first - 1].split(":")[0]
        body = "\n".join(ir.splitlines()[first - 1 : last])
        assert f"label %{header}" in body  # the back-edge: a branch back to the loop's header
        (first, last), (start, end) = kernel["asm_loop"], kernel["asm_function"]
        assert start < first <= last <= end
        loop = asm.splitlines()[first - 1 : last]
        labels = [n for n, line in enumerate(loop) if re.match(r"^\.L\w+:", line)]
        jumps_back = [
            n
            for n, line in enumerate(loop)
            if (jump := re.match(r"^\s+j\w+\s+(\.L\w+)$", line))
            and any(loop[m] == jump[1] + ":" and m <= n for m in labels)
        ]
        assert jumps_back, kernel["function"]  # the back-edge: a jump up to a label of the loop


def test_vector_registers_counted_agree_with_the_assembly_text(result):
    for kernel in result.kernels:
        first, last = kernel["asm_loop"]
        loop = kernel["asm"].splitlines()[first - 1 : last]
        for register, bits in mc.REGISTERS.items():
            widest_here = [
                line
                for line in loop
                if re.search(rf"%{register}\d", line)
                and not any(re.search(rf"%{r}\d", line) for r, b in mc.REGISTERS.items() if b > bits)
            ]
            assert kernel["registers"][register] == len(widest_here), (kernel["function"], register)
        used = [r for r in mc.REGISTERS if any(f"%{r}" in line for line in loop)]
        assert kernel["widest"] == (max(used, key=mc.REGISTERS.get) if used else None)
    fast = result.fast
    assert fast["widest"] in ("ymm", "zmm") if "avx2" in result.features else fast["widest"] == "xmm"
    assert mc.REGISTERS[fast["widest"]] <= mc.REGISTERS[lesson.offered(result.features)]
    assert fast["registers"][fast["widest"]] >= 8  # the vectorised body: many packed instructions
    assert result.lecture["registers"]["ymm"] == result.lecture["registers"]["zmm"] == 0  # scalar draws


def test_the_first_call_compiles_and_the_second_is_far_faster(result):
    for kernel in result.kernels:
        assert kernel["first_s"] > 10 * kernel["second_s"], kernel["function"]
        assert kernel["first_s"] > 0.01  # compiling takes tens of milliseconds at least


def test_dis_shows_the_python_loop_from_for_iter_back_to_it(result):
    assert "FOR_ITER" in result.bytecode
    first, last = result.bytecode_loop
    lines = result.bytecode.splitlines()
    assert "FOR_ITER" in lines[first - 1] and "JUMP_BACKWARD" in lines[last - 1]
    assert any("BINARY_OP" in line for line in lines[first - 1 : last])


def test_the_hot_loop_is_found_by_its_back_edge_not_by_a_jump_upwards():
    asm = "\n".join(
        [
            "f:",
            "\ttestq\t%rdi, %rdi",
            "\tjne\t.LBB0_2",
            ".LBB0_1:",  # jumped to from below, yet no loop: nothing leads from it back to that jump
            "\tret",
            ".LBB0_2:",
            "\tvpaddq\t%ymm1, %ymm2, %ymm2",
            "\tvpaddq\t%ymm1, %ymm2, %ymm2",
            "\tjne\t.LBB0_2",
            "\tjmp\t.LBB0_1",
            ".Lfunc_end0:",
        ]
    )
    function = mc.asm_function(asm, "f")
    loop = mc.hot_loop(asm, function, assembly=True)
    assert loop.header == ".LBB0_2" and loop.span == mc.Span(6, 9)
    assert mc.register_widths(asm, loop.blocks) == {"xmm": 0, "ymm": 2, "zmm": 0}
    assert mc.hot_loop("g:\n\tret\n.Lfunc_end0:", mc.Span(1, 2), assembly=True) is None


def test_an_excerpt_keeps_the_highlight_first_and_the_bound():
    text = "\n".join(f"line {n}" for n in range(1, 1001))
    item = Listing("g", "title", None, text, (500, 650))
    part = excerpt(item, 100)
    assert part.highlighted_from == 500 and len(part.highlighted.splitlines()) == 100 and not part.context
    part = excerpt(item, 200)
    assert part.context_from == 451 and part.context.splitlines()[-1] == "line 499"
    assert part.cut == 800
    small = Listing("g", "t", None, "a\nb", None)
    assert shares([item, small, item], 300) == [149, 2, 149]


def test_cli_json_is_bounded_and_spanish_speaks_spanish(capsys):
    assert main(["compiled", "-p", "samples=1000", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert all("ir" not in k and "asm" not in k for k in doc["kernels"])
    for group in ("monte_carlo_pi_numba", "count_inside"):
        shown = [item["text"] for item in doc["listings"] if item["function"] == group]
        assert 0 < sum(len(text.splitlines()) for text in shown) <= BOUND
    assert doc["headline"].startswith("monte_carlo_pi_numba's first call took ")
    assert main(["compiled", "-p", "samples=1000", "--lang", "es"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Lo que emite el compilador: La primera llamada a monte_carlo_pi_numba tardó ")
    assert "primera llamada, s" in out


def listing_lines(at) -> int:
    """The lines of every code block on the page but the lesson's own source."""
    return sum(len(c.value.splitlines()) for c in at.code if "def compiled(" not in c.value)


def run_page(lang: str):
    at = app("pages/parallelism.py", query={"lang": lang, "lesson": "Compiled code"})
    assert not at.exception, at.exception
    at.number_input(key="compiled:samples").set_value(1_000)
    run_lesson(at, "compiled")
    assert not at.exception and not at.error, at.exception or at.error
    return at


def test_the_page_shows_each_function_within_the_bound():
    at = run_page("en")
    assert at.success[0].value.startswith("monte_carlo_pi_numba's first call took ")
    assert {
        "Types Numba inferred (inspect_types)",
        "LLVM IR (inspect_llvm)",
        "Assembly (inspect_asm)",
        "Bytecode of the pure-Python loop (dis)",
    } <= {e.label for e in at.expander}
    assert 100 < listing_lines(at) <= BOUND
    assert any("FOR_ITER" in c.value for c in at.code)
    assert any("Highlighted: lines " in m.value for m in at.markdown)
    at.radio(key="listings:CompiledResult").set_value("count_inside").run()
    assert not at.exception
    assert 100 < listing_lines(at) <= BOUND
    if "avx2" in at.session_state["lesson:compiled"].features:  # the vectorised loop, highlighted
        assert any(re.search(r"%[yz]mm\d", c.value) for c in at.code)


def test_the_page_in_spanish_leaves_no_english_sentence():
    at = run_page("es")
    assert at.subheader[0].value.endswith(". Lo que emite el compilador")
    assert at.success[0].value.startswith("La primera llamada a monte_carlo_pi_numba tardó ")
    assert [m.label for m in at.metric] == [
        "primera llamada (compila)",
        "segunda llamada (ya compilada)",
        "registros vectoriales del ciclo caliente",
    ]
    assert re.fullmatch(r"\d+,\d\d s", at.metric[0].value) and "," in at.metric[1].value
    assert list(at.dataframe[0].value.columns)[:3] == ["función", "primera llamada, s", "segunda llamada, s"]
    assert any("Destacadas: líneas " in m.value for m in at.markdown)
    assert at.radio[0].label == "Lo que emitió el compilador para"
    left = english_left(readable_text(at))
    assert not left, f"English left on the Spanish compiled lesson: {left}"
    assert listing_lines(at) <= BOUND
