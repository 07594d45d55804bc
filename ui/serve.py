"""Start Pi Lab's server with its pools warming up at once: ``python -m ui.serve [streamlit run options]``.

``make run`` and ``make serve`` use it: the process pool, loky's workers, the local Dask cluster and Numba's
kernels start in the background while Streamlit starts, so a first Run finds them ready. (``streamlit run
app.py`` works too; it starts them when the first visitor arrives.)
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"


def main() -> int:
    from streamlit.web import cli

    from core.pi import executors

    executors.warm_up()
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":  # spawned pool workers import this module again, as __mp_main__: never run there
    sys.exit(main())
