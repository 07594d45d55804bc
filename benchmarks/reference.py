"""The yardstick of the issue: a plain Numba ``prange`` loop over a counter-based SplitMix64 hash.

Written apart from ``core`` on purpose: two 31-bit integers per 64-bit draw and the exact integer test
a² + b² < 2⁶², nothing else (no chunks, no progress, no cancel).
"""

import numpy as np
from numba import njit, prange, uint64


@njit(parallel=True, fastmath=True, cache=True)
def reference_count(seed_key, n):
    acc = 0
    for i in prange(n):
        z = seed_key + uint64(i) * uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> uint64(30))) * uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> uint64(27))) * uint64(0x94D049BB133111EB)
        z = z ^ (z >> uint64(31))
        a = z >> uint64(33)
        b = z & uint64(0x7FFFFFFF)
        acc += (a * a + b * b) < uint64(1 << 62)
    return acc


def count(key: int, n: int) -> int:
    return int(reference_count(np.uint64(key), n))
