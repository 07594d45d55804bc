"""The AutoML explorer's pieces: source pickers, one module a tab, its figures, the live watch, published
pipelines."""
