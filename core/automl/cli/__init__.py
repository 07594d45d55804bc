"""``python -m core.automl``: the command line over the explorer (views, model file, pulls, watches,
pipelines)."""
