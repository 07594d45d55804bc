"""The counter-based random stream: draw i of a run is a pure function of (seed, i).

Draw i is SplitMix64's output function applied to ``key + i·γ`` (``key`` derived from the seed by the same
mix), so any index range can be counted anywhere, in any order, by any number of workers, and gives the same
points. A draw is one 64-bit word split into two 31-bit coordinates ``a = z >> 33`` and ``b = z & (2³¹−1)``;
the point ``(a, b) / 2³¹`` is inside the quarter circle exactly when ``a² + b² < 2⁶²`` (integer arithmetic, so
every backend, CPU or GPU, agrees to the last point).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MASK64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB
COORD_BITS = 31
COORD_MASK = (1 << COORD_BITS) - 1
INSIDE_LIMIT = 1 << (2 * COORD_BITS)
SEED_MAX = 2**32 - 1  # the lecture's generators (random, np.random) take 32-bit seeds; all backends share it

_U = np.uint64
_GAMMA, _MIX1, _MIX2 = _U(GAMMA), _U(MIX1), _U(MIX2)
_S30, _S27, _S31, _S33 = _U(30), _U(27), _U(31), _U(33)
_COORD_MASK, _LIMIT = _U(COORD_MASK), _U(INSIDE_LIMIT)
BLOCK = 1 << 16  # NumPy works on blocks of this many draws: 512 KiB a buffer, inside L2


def mix64(z: int) -> int:
    """SplitMix64's output function on a Python int (mod 2⁶⁴)."""
    z = ((z ^ (z >> 30)) * MIX1) & MASK64
    z = ((z ^ (z >> 27)) * MIX2) & MASK64
    return z ^ (z >> 31)


def key_for_seed(seed: int) -> int:
    """The 64-bit stream key of a seed: distinct seeds give unrelated, non-overlapping streams."""
    return mix64((seed * GAMMA + 0x6A09E667F3BCC909) & MASK64)


def draw_words(key: int, start: int, *, out: np.ndarray, tmp: np.ndarray) -> np.ndarray:
    """Fill ``out`` (uint64) with draws ``start …``; ``tmp`` is scratch space of the same size."""
    m = len(out)
    np.multiply(np.arange(m, dtype=np.uint64), _GAMMA, out=out)
    np.add(out, _U((key + start * GAMMA) & MASK64), out=out)
    for shift, mult in ((_S30, _MIX1), (_S27, _MIX2)):
        np.right_shift(out, shift, out=tmp)
        np.bitwise_xor(out, tmp, out=out)
        np.multiply(out, mult, out=out)
    np.right_shift(out, _S31, out=tmp)
    np.bitwise_xor(out, tmp, out=out)
    return out


def count_inside_numpy(key: int, start: int, stop: int) -> int:
    """Count the inside points among draws [start, stop) with NumPy, in constant memory (two blocks)."""
    size = min(BLOCK, max(stop - start, 0))
    words = np.empty(size, np.uint64)
    tmp = np.empty(size, np.uint64)
    inside = 0
    for lo in range(start, stop, BLOCK):
        m = min(BLOCK, stop - lo)
        z, t = draw_words(key, lo, out=words[:m], tmp=tmp[:m]), tmp[:m]
        np.bitwise_and(z, _COORD_MASK, out=t)
        np.multiply(t, t, out=t)
        np.right_shift(z, _S33, out=z)
        np.multiply(z, z, out=z)
        np.add(z, t, out=z)
        inside += int(np.count_nonzero(z < _LIMIT))
    return inside


def points(key: int, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The first ``count`` points of the stream: x and y in [0, 1), and whether each is inside (exactly)."""
    z = draw_words(key, 0, out=np.empty(count, np.uint64), tmp=np.empty(count, np.uint64))
    a, b = z >> _S33, z & _COORD_MASK
    inside = a * a + b * b < _LIMIT
    scale = 1.0 / (1 << COORD_BITS)
    return a.astype(np.float64) * scale, b.astype(np.float64) * scale, inside


class IndexRanges(Sequence):
    """[0, n) cut into consecutive ranges of at most ``chunk`` draws, computed on demand: constant memory
    however small the chunk (``--chunk 1 --n 1e12`` is a trillion ranges, never a list of them)."""

    def __init__(self, n: int, chunk: int) -> None:
        if chunk < 1:
            raise ValueError(f"chunk must be at least 1, not {chunk}")
        self.n, self.chunk = n, chunk

    def __len__(self) -> int:
        return -(-self.n // self.chunk)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        lo = i * self.chunk
        return lo, min(lo + self.chunk, self.n)

    def __iter__(self):
        for lo in range(0, self.n, self.chunk):
            yield lo, min(lo + self.chunk, self.n)


def split_range(n: int, chunk: int) -> IndexRanges:
    """Cut [0, n) into consecutive index ranges of at most ``chunk`` draws (lazily)."""
    return IndexRanges(n, chunk)
