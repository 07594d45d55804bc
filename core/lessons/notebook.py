"""A lesson and the numbers one run of it measured, as a notebook that runs on a student's laptop.

The notebook needs only the packages of ``requirements.txt``: the lesson's module is written next to it from
a cell (its ``core`` imports replaced by the few helpers it uses), so that processes started with "spawn"
import its functions from a file, and nothing of Pi Lab is imported.
"""

from __future__ import annotations

import ast
import functools
import inspect
import re
import sys
from typing import Any

from core.lessons import lesson as lesson_types
from core.lessons import measuring
from core.lessons.lesson import Lesson, Result
from core.runtime import notebook
from core.runtime.i18n import Translate, english, messages

SUPPORT_IMPORTS = """\
from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Literal, NamedTuple

from babel.numbers import format_decimal
"""

# Pi Lab's ``_`` for the lesson's code, inlined: the notebook's language and its messages.
TRANSLATOR = '''
LANG = {lang!r}
MESSAGES = {messages!r}


def N_(message: str) -> str:
    return message


class Translator:
    """``_(message, **placeholders)``: a message of the lesson in this notebook's language; ``_.number``
    writes numbers its way."""

    lang = LANG

    def __call__(self, message: str, /, **placeholders: Any) -> str:
        text = MESSAGES.get(message, message)
        return text.format(**placeholders) if placeholders else text

    def number(self, value: float, *, decimals: int | None = None) -> str:
        if decimals is None:
            return format_decimal(value, locale=LANG, decimal_quantization=False)
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=LANG)


Translate = Translator
english = Translator()  # the lesson code's default ``_``: here, the notebook's language
'''


PRINT = 'print(result.headline())\nfor label, *values in result.metrics():\n    print(f"{label}:", *values)'
PI_LAB_IMPORT = re.compile(r"^\s*(from|import) core\b", re.MULTILINE)


def module_name(lesson: Lesson) -> str:
    """The name of the module the notebook writes: ``pilab_race`` for the race lesson."""
    return f"pilab_{lesson.name}"


def _kept(node: ast.stmt) -> bool:
    """Whether a top-level statement of a lesson's module belongs in the notebook's module: not its
    docstring, not its imports of Pi Lab, not the ``LESSON``/``WHY`` it registers with the page."""
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return False
    if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("core", "__future__"):
        return False
    targets = node.targets if isinstance(node, ast.Assign) else []
    return not any(isinstance(t, ast.Name) and t.id in ("LESSON", "WHY") for t in targets)


def support_source(lesson: Lesson, _: Translate) -> str:
    """What every lesson module imports from Pi Lab, inlined: a ``_`` in ``_``'s language (holding the
    translations of the messages in the lesson's code), ``Chart``, ``Result`` and the measuring helpers,
    as Pi Lab has them."""
    helpers = [measuring.check_exits, measuring.best_of, measuring.busy_note, measuring.busy_text]
    parts = [inspect.getsource(obj) for obj in (lesson_types.Chart, lesson_types.Result, *helpers)]
    code = lesson_source(lesson) + "".join(parts)
    held = {m: text for m in messages(_.lang) if (text := _(m)) != m and m[:40] in code}
    translation = TRANSLATOR.replace("{lang!r}", repr(_.lang)).replace("{messages!r}", repr(held))
    return SUPPORT_IMPORTS + translation + "\n\n" + "\n\n".join(parts)


def _decorators(node: ast.stmt) -> list[ast.expr]:
    return getattr(node, "decorator_list", [])


def standalone(lesson: Lesson) -> bool:
    """Whether ``lesson`` runs without Pi Lab (``dask_pi`` runs Pi Lab's π engine: no notebook)."""
    try:
        lesson_source(lesson)
    except ValueError:
        return False
    return True


def lesson_source(lesson: Lesson) -> str:
    """The lesson's own module without what ties it to Pi Lab (see ``_kept``); ``ValueError`` for a lesson
    that runs Pi Lab's own code."""
    kept = _module_statements(inspect.getmodule(lesson.function).__name__)
    if PI_LAB_IMPORT.search(kept):
        raise ValueError(f"lesson {lesson.name!r} runs Pi Lab's own code: it has no standalone notebook")
    return kept


@functools.cache  # read once per module: the page asks at every rerun whether a lesson has a notebook
def _module_statements(module: str) -> str:
    text = inspect.getsource(sys.modules[module])
    lines = text.splitlines()
    nodes = [node for node in ast.parse(text).body if _kept(node)]
    imports = [ast.get_source_segment(text, n) for n in nodes if isinstance(n, ast.Import | ast.ImportFrom)]
    kept = [
        "\n".join(lines[min([node.lineno, *(d.lineno for d in _decorators(node))]) - 1 : node.end_lineno])
        for node in nodes
        if not isinstance(node, ast.Import | ast.ImportFrom)
    ]
    return "\n".join(imports) + "\n\n\n" + "\n\n\n".join(kept)


def lesson_module(module: str, lesson: Lesson) -> str:
    """The text of the notebook's module for ``lesson``: the support module's names, then the lesson."""
    imports, _, code = lesson_source(lesson).partition("\n\n\n")
    support = f"from {module}_support import *  # noqa: F403 (Chart, Result and the measuring helpers)"
    return f"from __future__ import annotations\n\n{imports}\n\n{support}\n\n\n{code}\n"


def measured(result: Result, _: Translate) -> str:
    """What the run printed in Pi Lab: the headline, then each metric, in ``_``'s language."""
    lines = [result.headline(_=_)]
    metrics = result.metrics(_=_)
    lines += [" ".join(str(part) for part in (f"{label}:", *values)) for label, *values in metrics]
    return "\n".join(lines) + "\n"


def lesson_notebook(lesson: Lesson, params: dict[str, Any], result: Result, *, _: Translate = english) -> str:
    """The ``.ipynb`` text of ``lesson`` run with ``params`` (as checked by ``Lesson.check``), ``result``
    its measured numbers, in the language of ``_``."""
    module = module_name(lesson)
    call = ", ".join(f"{key}={value!r}" for key, value in params.items())
    cells = [
        notebook.markdown(
            f"# {_(lesson.title)}\n\n"
            + _("A lesson of Pi Lab (MDS7202, class 22: compilation and parallelism), as you ran it.")
        ),
        notebook.markdown(_("**Why.** {why}", why=_(lesson.why))),
        notebook.markdown(_("## The parameters you used")),
        notebook.code(f"params = dict({call})"),
        notebook.markdown(
            _("## The code")
            + "\n\n"
            + _(
                "Processes started with spawn import their functions from a file, so these two cells write "
                "the lesson's code to `{module}.py` next to this notebook. First what every lesson shares:",
                module=module,
            )
        ),
        notebook.module_cell(f"{module}_support", support_source(lesson, _)),
        notebook.markdown(_("Then the lesson itself, as Pi Lab runs it:")),
        notebook.module_cell(module, lesson_module(module, lesson)),
        notebook.markdown(
            _("## Run it")
            + "\n\n"
            + _("The output below is what Pi Lab measured; run the cell to measure it on your laptop.")
        ),
        notebook.code(
            f"import {module}\n\nresult = {module}.{lesson.function.__name__}(**params)\n" + PRINT,
            printed=measured(result, _),
        ),
        notebook.markdown(
            _(
                "## Your turn\n\nRun every cell from the top (Run All) and compare your numbers with Pi "
                "Lab's: how many cores does your laptop have, and how does that change the result? Then "
                "change `params` and run it again."
            )
        ),
    ]
    return notebook.notebook_text(cells, lang=_.lang)
