"""The Parallelism lessons page's pieces: a lesson's tab (settings form and Run), its result, its chart."""
