"""The counter-based stream: NumPy, Numba and plain Python compute the same draws and the same counts."""

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from core.pi import kernels, stream


def test_numpy_draws_equal_python_splitmix():
    key = stream.key_for_seed(12345)
    start = 2**40 + 17
    words = stream.draw_words(key, start, out=np.empty(64, np.uint64), tmp=np.empty(64, np.uint64))
    expected = [stream.mix64((key + (start + i) * stream.GAMMA) & stream.MASK64) for i in range(64)]
    assert words.tolist() == expected


def test_known_splitmix64_output():
    # SplitMix64 from state 0: the first output is mix64(γ) = 0xE220A8397B1DCDAF (the published sequence).
    assert stream.mix64(stream.GAMMA) == 0xE220A8397B1DCDAF


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, stream.SEED_MAX),
    start=st.integers(0, 10**12),
    length=st.integers(0, 5000),
)
def test_numpy_and_numba_count_the_same_points(seed, start, length):
    key = stream.key_for_seed(seed)
    by_numpy = stream.count_inside_numpy(key, start, start + length)
    by_numba = kernels.count_inside(np.uint64(key), start, start + length)
    by_prange = kernels.count_inside_parallel(np.uint64(key), start, start + length)
    assert by_numpy == by_numba == by_prange


def test_points_are_the_counted_draws():
    key = stream.key_for_seed(7)
    x, y, inside = stream.points(key, 20_000)
    assert x.min() >= 0 and x.max() < 1 and y.min() >= 0 and y.max() < 1
    assert int(np.count_nonzero(inside)) == kernels.count_inside(np.uint64(key), 0, 20_000)
    assert np.array_equal(inside, x * x + y * y < 1.0)  # float test agrees away from the exact boundary


def test_split_range_covers_every_index_once():
    ranges = stream.split_range(10_007, 1000)
    assert ranges[0] == (0, 1000) and ranges[-1] == (10_000, 10_007)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))


def test_keys_of_nearby_seeds_are_unrelated():
    keys = [stream.key_for_seed(s) for s in range(1000)]
    assert len(set(keys)) == 1000
    # the streams of seed s and s+1 start nowhere near each other: key difference / γ is not a small index
    inverse = pow(stream.GAMMA, -1, 2**64)
    offsets = [((b - a) * inverse) % 2**64 for a, b in itertools.pairwise(keys)]
    assert min(min(o, 2**64 - o) for o in offsets) > 10**12


def test_ranges_are_computed_on_demand_whatever_the_chunk():
    ranges = stream.split_range(10**12, 1)  # a trillion ranges: a list of them would need terabytes
    assert len(ranges) == 10**12
    assert ranges[0] == (0, 1) and ranges[-1] == (10**12 - 1, 10**12) and ranges[123] == (123, 124)
    assert list(itertools.islice(ranges, 3)) == [(0, 1), (1, 2), (2, 3)]
    assert stream.split_range(10, 4)[1:] == [(4, 8), (8, 10)]
