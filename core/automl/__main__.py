"""``python -m core.automl``: see ``core.automl.cli.main``."""

from core.automl.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
