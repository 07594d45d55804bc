"""A model file read as data, never run: the pickle's program, its safety verdict, its tree of estimators."""
