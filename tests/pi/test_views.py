"""What the π pages draw, computed in core: bounded points, the running estimate, tables, crossovers."""

import math
import struct
import zlib

import numpy as np
import pytest

from core.bench import Disagreement, Timing, crossovers, measure_call, split_label, sweep
from core.bench.tables import agreement, by_label, first_calls, parallel_crossovers, sweep_table
from core.pi import BACKENDS, estimate, stats, stream
from core.pi.points import INSIDE_RGB, MAX_POINTS, OUTSIDE_RGB, PICTURE_PX, png, raster, sample_points
from core.pi.report import kernel_source, results_table


def test_points_are_bounded_and_are_the_first_counted_draws():
    big = sample_points(seed=9, n=10**10)
    assert len(big) == MAX_POINTS
    assert int(big["inside"].sum()) == estimate("numpy_chunked", MAX_POINTS, seed=9).inside
    assert len(sample_points(seed=9, n=500)) == 500
    assert sample_points(seed=9, n=500).equals(big.head(500))


def _png_pixels(data: bytes) -> np.ndarray:
    """Decode an 8-bit RGB PNG whose rows all use filter 0 (what ``png`` writes), checking every CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(data):
        (length,), tag = struct.unpack(">I", data[at : at + 4]), data[at + 4 : at + 8]
        body, crc = data[at + 8 : at + 8 + length], data[at + 8 + length : at + 12 + length]
        assert struct.unpack(">I", crc)[0] == zlib.crc32(tag + body)
        chunks[tag], at = body, at + 12 + length
    width, height, depth, kind = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, kind, set(chunks)) == (8, 2, {b"IHDR", b"IDAT", b"IEND"})
    rows = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(height, 1 + 3 * width)
    assert not rows[:, 0].any()
    return rows[:, 1:].reshape(height, width, 3)


@pytest.mark.parametrize("n", [1, 1_500, 10**9])
def test_the_points_picture_shows_each_point_in_its_colour_and_stays_small(n):
    sample = sample_points(seed=5, n=n)
    data = png(raster(sample))
    pixels = _png_pixels(data)
    assert pixels.shape == (PICTURE_PX, PICTURE_PX, 3) and len(data) < 200_000
    col = np.minimum((sample["x"] * PICTURE_PX).astype(int), PICTURE_PX - 1)
    row = np.minimum(((1 - sample["y"]) * PICTURE_PX).astype(int), PICTURE_PX - 1)
    seen = pixels[row, col]
    far = (
        sample["x"] ** 2 + sample["y"] ** 2 - 1
    ).abs().to_numpy() > 0.02  # no neighbour of the other colour
    expected = np.where(sample["inside"].to_numpy()[:, None], INSIDE_RGB, OUTSIDE_RGB)
    assert np.array_equal(seen[far], expected[far])
    painted = (pixels != 255).any(axis=2).sum()
    assert painted >= min(n, MAX_POINTS) * 0.5 and painted < PICTURE_PX**2  # every point visible, not all


def test_running_estimate_ends_at_the_run_count_and_its_band_narrows():
    n, seed = 3_000_000, 4
    curve = stats.running_estimate(stream.key_for_seed(seed), n)
    assert curve["n"].iloc[-1] == n and curve["n"].is_monotonic_increasing
    assert curve["inside"].iloc[-1] == estimate("numba_parallel", n, seed=seed).inside
    width = curve["hi"] - curve["lo"]
    assert width.is_monotonic_decreasing
    assert width.iloc[-1] == pytest.approx(2 * 1.96 * stats.sigma(n))
    assert np.allclose(curve["abs_error"], (curve["pi"] - math.pi).abs())


def test_results_table_speedup_is_against_the_slowest():
    results = [estimate(b, 10**6, seed=1) for b in ("numba", "numba_parallel")]
    table = results_table(results)
    assert table["speedup"].min() == 1.0
    slowest = table["samples_per_s"].idxmin()
    assert table["speedup"].max() == pytest.approx(
        table["samples_per_s"].max() / table.loc[slowest, "samples_per_s"]
    )


@pytest.mark.parametrize("name", list(BACKENDS))
def test_every_backend_shows_its_kernel_source(name):
    source = kernel_source(name)
    assert source.startswith(("def ", "@", "__device__"))
    if name in ("python", "numba"):
        assert "random.random()" in source and "acc += 1" in source
    if name in ("numpy", "numba_numpy"):
        assert "np.random.rand(nsamples)" in source
    if BACKENDS[name].counter_based:
        assert "MIX1" in source or f"{stream.MIX1:#x}" in source  # the hash is shown, not only the loop


def _timing(backend, n, best, inside=0):
    return Timing(
        backend=backend,
        n=n,
        workers=1,
        inside=inside,
        mean_s=best,
        std_s=0.0,
        best_s=best,
        loops=1,
        repeat=1,
        compile_s=0.0,
        startup_s=0.0,
        samples_per_s=n / best,
    )


def test_crossover_is_where_parallel_wins_for_good():
    best = {"serial": {1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0}, "par": {1: 2.0, 2: 0.5, 3: 1.5, 4: 0.5}}
    assert crossovers(best, ["serial"], ["par"]) == {"par": 4}
    assert crossovers({"serial": {1: 1.0}, "par": {1: 2.0}}, ["serial"], ["par"]) == {"par": None}


def test_sweep_tables_speedup_agreement_and_crossovers():
    timings = [
        _timing("numba", 1000, 1e-4),
        _timing("numba", 10**6, 1e-2),
        _timing("multiprocessing", 1000, 1e-3, inside=785),
        _timing("multiprocessing", 10**6, 5e-3, inside=785_000),
        _timing("numpy_chunked", 1000, 2e-4, inside=785),
        _timing("numpy_chunked", 10**6, 2e-2, inside=785_001),
    ]
    table = sweep_table(timings, "numba")
    row = table[(table.backend == "multiprocessing") & (table.n == 10**6)]
    assert row["speedup"].item() == pytest.approx(2.0)
    cross, serial = parallel_crossovers(timings)
    assert serial == ["numba", "numpy_chunked"] and cross == {"multiprocessing": 10**6}
    checks = agreement(timings)
    assert checks["agree"].tolist() == [True, False]  # 785_000 vs 785_001 is caught


def test_a_label_pins_workers_and_a_parallel_backend_on_one_worker_is_serial():
    assert split_label("numba_parallel@1") == ("numba_parallel", 1)
    assert split_label("numba") == ("numba", None)
    with pytest.raises(ValueError, match="numba_parallel@1"):
        split_label("numba_parallel@x")
    timings = [
        _timing("numba_parallel@1", 1000, 1e-5),
        _timing("numba_parallel@1", 10**6, 1e-3),
        _timing("numba_parallel", 1000, 1e-4),
        _timing("numba_parallel", 10**6, 5e-4),
        _timing("reference", 1000, 1e-6),  # a measure_call yardstick: neither serial nor parallel
    ]
    cross, serial = parallel_crossovers(timings)
    assert serial == ["numba_parallel@1"] and cross == {"numba_parallel": 10**6}
    rates = by_label(timings)
    assert list(rates.index) == ["numba_parallel@1", "numba_parallel", "reference"]
    assert list(rates.columns) == [1000, 10**6] and math.isnan(rates.at["reference", 10**6])
    assert first_calls(timings).at["numba_parallel", "best_s"] == 1e-4


def test_measure_call_times_any_counting_callable_and_checks_its_count():
    timing = measure_call("half", lambda n: n // 2, 1000, repeat=3, target_s=0.01)
    assert timing.backend == "half" and timing.inside == 500 and timing.repeat == 3
    assert 0 < timing.best_s <= timing.mean_s
    counts = iter(range(100))
    with pytest.raises(Disagreement, match="drifts"):
        measure_call("drifts", lambda n: next(counts), 10, repeat=2, target_s=0.001)


def test_a_sweep_does_not_start_a_call_predicted_past_its_call_limit():
    timings = sweep(["numba_parallel@1"], [1000, 10**7], repeat=1, target_s=0.001, call_limit_s=1e-9)
    assert [(t.backend, t.n, t.workers) for t in timings] == [("numba_parallel@1", 1000, 1)]
