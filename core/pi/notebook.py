"""A π run (its backends, N, seed and measured estimates) as a notebook that runs on a student's laptop.

The notebook runs the lecture's versions of the run's backends (the lecture's NumPy version when the run used
only Pi Lab's fast or GPU backends, whose code needs Pi Lab's modules: that code is there to read).
"""

from __future__ import annotations

import inspect

from core.pi import kernels
from core.pi.backends import BACKENDS
from core.pi.engine import Estimate
from core.pi.report import kernel_source
from core.runtime import notebook
from core.runtime.i18n import Translate, english

IMPORTS = "import math\nimport random\nimport time\n\nimport numpy as np\nfrom numba import jit"
LINE = "{name}: π ≈ {pi:.6f} (error {error:+.2e}, σ {sigma:.1e}) in {seconds:.3f} s"
RUN = """\
random.seed(SEED)
np.random.seed(SEED)
for kernel in [KERNELS]:
    t0 = time.perf_counter()
    inside = kernel(N)
    seconds = time.perf_counter() - t0
    pi = 4 * inside / N
    error, sigma = pi - math.pi, 4 * math.sqrt(pi / 4 * (1 - pi / 4) / N)
    print(f"LINE")"""


def run_cell(runs: list[str]) -> str:
    """The cell that times each of ``runs`` (kernels' names) on N samples and prints its estimate."""
    line = LINE.replace("{name}", "{kernel.__name__}")
    return RUN.replace("KERNELS", ", ".join(runs)).replace("LINE", line)


def language(backend: str) -> str:
    """The language of a backend's kernel, as the page shows it: CUDA C for the GPU, else Python."""
    return "cpp" if BACKENDS[backend].family == "gpu" else "python"


def lecture_kernels(estimates: list[Estimate]) -> list[str]:
    """The lecture's kernels the notebook runs: those of the run's lecture backends, else NumPy's."""
    names = [
        BACKENDS[e.backend].kernel.__name__ for e in estimates if BACKENDS[e.backend].family == "lecture"
    ]
    return list(dict.fromkeys(names)) or [kernels.lecture_numpy.__name__]


def measured(estimates: list[Estimate]) -> str:
    """What Pi Lab measured, one line a backend, as the notebook's run cell prints its own."""
    lines = [
        LINE.format(name=e.backend, pi=e.pi, error=e.error, sigma=e.sigma, seconds=e.elapsed_s)
        for e in estimates
    ]
    return "\n".join(lines) + "\n"


def pi_notebook(estimates: list[Estimate], *, _: Translate = english) -> str:
    """The ``.ipynb`` text of one π run (``estimates``: its backends, one N and seed), in the language of
    ``_``."""
    first = estimates[0]
    runs = lecture_kernels(estimates)
    others = [e.backend for e in estimates if BACKENDS[e.backend].family != "lecture"]
    cells = [
        notebook.markdown(
            _("# π by Monte Carlo")
            + "\n\n"
            + _(
                "Throw N random points in the unit square: the fraction that lands inside the quarter circle "
                "is about π/4. This notebook is the run you made in Pi Lab (MDS7202, class 22: compilation "
                "and parallelism)."
            )
        ),
        notebook.markdown(_("## The parameters you used")),
        notebook.code(f"N = {first.n:_}\nSEED = {first.seed}"),
        notebook.markdown(_("## The lecture's code")),
        notebook.code(IMPORTS),
        *(
            notebook.code(inspect.getsource(getattr(getattr(kernels, k), "py_func", getattr(kernels, k))))
            for k in runs
        ),
    ]
    if others:
        shown = "\n\n".join(
            f"**{name}**\n\n```{language(name)}\n{kernel_source(name)}\n```" for name in dict.fromkeys(others)
        )
        cells.append(
            notebook.markdown(
                _(
                    "Pi Lab also ran these backends; their code needs Pi Lab's own modules, so it is here to "
                    "read:"
                )
                + "\n\n"
                + shown
            )
        )
    cells += [
        notebook.markdown(
            _("## Run it")
            + "\n\n"
            + _("The output below is what Pi Lab measured; run the cell to measure it on your laptop.")
        ),
        notebook.code(run_cell(runs), printed=measured(estimates)),
        notebook.markdown(
            _(
                "## Your turn\n\nRun every cell from the top (Run All) and compare your estimates and times "
                "with Pi Lab's: the error should stay within a few σ. Then change `N` and run it again: how "
                "do the error and the time grow?"
            )
        ),
    ]
    return notebook.notebook_text(cells, lang=_.lang)
