"""A π run as a notebook to take home: N, seed, the lecture's code of its backends, the measured estimates as
the run cell's first output, in the reader's language; it runs top to bottom with only requirements.txt."""

import math
import re

import nbformat
import pytest

from core.pi import estimate
from core.pi.notebook import pi_notebook
from core.pi.report import kernel_source
from core.runtime.i18n import translator
from tests.support.apptest import app
from tests.support.notebooks import execute, markdown, printed

N, SEED = 200_000, 3


@pytest.fixture(scope="module")
def estimates():
    return [estimate(name, N, seed=SEED) for name in ("numpy", "numba_parallel")]


def test_a_pi_notebook_holds_n_seed_the_code_and_the_measured_estimates(estimates):
    book = nbformat.reads(pi_notebook(estimates), 4)
    nbformat.validate(book)
    code = "\n".join(c.source for c in book.cells if c.cell_type == "code")
    assert f"N = {N:_}\nSEED = {SEED}" in code
    assert kernel_source("numpy") in code  # the lecture's, as written: it runs in the notebook
    assert kernel_source("numba_parallel") in markdown(book)  # Pi Lab's own: there to read
    assert not re.search(r"^\s*(from|import) core\b", code, re.MULTILINE)
    run = book.cells[-2]
    lines = run.outputs[0].text.splitlines()
    assert [line.split(":")[0] for line in lines] == ["numpy", "numba_parallel"]
    assert lines[0].startswith(f"numpy: π ≈ {estimates[0].pi:.6f} (error {estimates[0].error:+.2e}")
    assert markdown(book).startswith("# π by Monte Carlo")


def test_a_pi_notebook_speaks_the_readers_language(estimates):
    text = markdown(nbformat.reads(pi_notebook(estimates, _=translator("es")), 4))
    assert text.startswith("# π por Monte Carlo") and "## El código de la clase" in text
    assert "Lanza N puntos al azar" in text and "## Tu turno" in text and "módulos propios de Pi Lab" in text
    assert not [e for e in ("## The lecture's code", "## Your turn", "Throw N random points") if e in text]


@pytest.mark.slow
def test_the_pi_notebook_runs_top_to_bottom_and_estimates_pi(estimates, tmp_path):
    lecture = [estimate(name, N, seed=SEED) for name in ("numpy", "numba")]
    out = printed(execute(pi_notebook(lecture), tmp_path).cells[-2])
    found = re.findall(
        r"^(lecture_\w+): π ≈ (\d\.\d+) \(error ([-+][\d.e+-]+), σ ([\d.e+-]+)\)", out, re.MULTILINE
    )
    assert [name for name, *_ in found] == ["lecture_numpy", "lecture_numba"], out
    for _name, pi, _error, sigma in found:
        assert abs(float(pi) - math.pi) < 5 * float(sigma)


@pytest.mark.parametrize(
    ("lang", "label"), [("en", "Download as notebook"), ("es", "Descargar como notebook")]
)
def test_the_pi_page_offers_the_notebook_under_its_results(estimates, lang, label):
    at = app("pages/pi_estimate.py", query={"lang": lang})
    at.session_state["pi_results"] = estimates
    at.run()
    assert not at.exception, at.exception
    assert label in [b.proto.label for b in at.get("download_button")]
