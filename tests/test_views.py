"""What the π pages draw, computed in core: bounded points, the running estimate, tables, crossovers."""

import math

import numpy as np
import pytest

from core.bench import Timing, crossovers
from core.bench.tables import agreement, parallel_crossovers, sweep_table
from core.pi import BACKENDS, estimate, stats, stream
from core.pi.points import MAX_POINTS, sample_points
from core.pi.runs import kernel_source, results_table


def test_points_are_bounded_and_are_the_first_counted_draws():
    big = sample_points(seed=9, n=10**10)
    assert len(big) == MAX_POINTS
    assert int(big["inside"].sum()) == estimate("numpy_chunked", MAX_POINTS, seed=9).inside
    assert len(sample_points(seed=9, n=500)) == 500
    assert sample_points(seed=9, n=500).equals(big.head(500))


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
    return Timing(backend, n, 1, inside, best, 0.0, best, 1, 1, 0.0, 0.0, n / best)


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
