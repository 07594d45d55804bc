"""The Benchmarks page's pieces: its figures and its result tabs."""
