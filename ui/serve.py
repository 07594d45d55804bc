"""Start Pi Lab's server ready for its first visitor: ``python -m ui.serve [streamlit run options]``.

``make run`` and ``make serve`` use it. Before Streamlit answers its health check, the server imports what
the pages import (about 2 s) and routes every address through app.py's navigation; the process pool, loky's
workers, the local Dask cluster and Numba's kernels start meanwhile, in the background, so a first Run finds
them ready. (``streamlit run app.py`` works too; it does all this when the first visitor arrives.)
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"
PAGE_MODULES = [  # what pages/ import: loaded once here instead of during the first visitor's page
    "pandas",
    "plotly.express",
    "ui.charts",
    "ui.jobs",
    "ui.pi_settings",
    "ui.automl_tabs",
    "ui.automl_sources",
    "ui.automl_param_view",
    "ui.automl_watch",
    "core.pi.runs",
    "core.pi.report",
    "core.pi.points",
    "core.bench.harness",
    "core.lessons",
]


def main() -> int:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    from core.pi import executors

    executors.warm_up()
    for name in PAGE_MODULES:
        importlib.import_module(name)
    PagesManager.uses_pages_directory = False  # a bookmarked page runs under app.py at once (streamlit#9624)
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":  # spawned pool workers import this module again, as __mp_main__: never run there
    sys.exit(main())
