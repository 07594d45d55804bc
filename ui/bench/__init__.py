"""The Benchmarks page's pieces: its figures, its result tabs and the scaling lab."""
