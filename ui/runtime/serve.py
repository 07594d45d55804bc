"""Start Pi Lab's server ready for its first visitor: ``python -m ui.runtime.serve [streamlit run options]``.

``make run`` and ``make serve`` use it: ``prepare()`` runs before Streamlit answers its health check. It
imports what the pages import (about 2 s) and routes every address through app.py's navigation; the process
pool, loky's workers, the local Dask cluster and Numba's kernels start meanwhile, in the background, so a
first Run finds them ready. ``streamlit run app.py`` runs nothing of the app before its first visitor:
app.py calls the same ``prepare()`` on its first run (``ui.entry_ran``), so both ways start the same things,
once a process.
"""

from __future__ import annotations

import ast
import sys
import threading
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"
PAGES = APP.parent / "pages"
_prepared = threading.Lock()


def import_what_pages_import() -> None:
    """Run the top-level import statements of every page file (and nothing else of them)."""
    for page in sorted(PAGES.glob("*.py")):
        imports = [n for n in ast.parse(page.read_text()).body if isinstance(n, (ast.Import, ast.ImportFrom))]
        exec(compile(ast.Module(imports, type_ignores=[]), str(page), "exec"), {})


def use_app_navigation() -> None:
    """Route every address of this server through app.py's ``st.navigation``, never Streamlit's old
    ``pages/`` discovery (streamlit#9624)."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def prepare() -> None:
    """Once a process (later calls return at once): the pools' warm-up in the background, the pages'
    imports, and app.py's routing for every address. On the calling thread: Python 3.11's compiler is not
    safe to run on two threads at once (a page compiled beside a background import failed with "AST
    constructor recursion depth mismatch")."""
    if not _prepared.acquire(blocking=False):
        return
    from core.pi import executors

    executors.warm_up()
    import_what_pages_import()
    use_app_navigation()


def main() -> int:
    from streamlit.web import cli

    prepare()  # here, before the health check answers: not during the first visitor's page
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":  # spawned pool workers import this module again, as __mp_main__: never run there
    sys.exit(main())
