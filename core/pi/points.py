"""A bounded sample of points for drawing: the first points of a run's counter-based stream."""

from __future__ import annotations

import pandas as pd

from core.pi import stream

MAX_POINTS = 20_000  # what a browser draws in about 2 s with WebGL (BROWSER-TESTING.md)


def sample_points(seed: int, n: int, limit: int = MAX_POINTS) -> pd.DataFrame:
    """The first ``min(n, limit)`` points of the stream for ``seed`` (x, y in [0, 1), and whether inside).

    They are exactly the first points every counter-based backend counts for this seed.
    """
    count = max(0, min(int(n), int(limit), MAX_POINTS))
    x, y, inside = stream.points(stream.key_for_seed(seed), count)
    return pd.DataFrame({"x": x, "y": y, "inside": inside})
