"""The ``cupy`` backend: unavailable here with a reason; its hash, compiled as C, counts what the CPU counts;
and, where a CUDA device answers, exact agreement with the CPU backends, statistics and cancel."""

import math
import shutil
import subprocess

import numpy as np
import pytest

from core.pi import BACKENDS, Cancelled, estimate, gpu, kernels, stream

GPU = BACKENDS["cupy"].why_unavailable() is None
needs_gpu = pytest.mark.skipif(not GPU, reason=f"no GPU here: {BACKENDS['cupy'].why_unavailable()}")

HOST_HARNESS = r"""
#include <stdio.h>
#include <stdlib.h>
#define __device__
#define __forceinline__ static inline
%s
int main(int argc, char** argv) {
    unsigned long long key = strtoull(argv[1], 0, 10), start = strtoull(argv[2], 0, 10);
    unsigned long long n = strtoull(argv[3], 0, 10), stride = strtoull(argv[4], 0, 10);
    unsigned long long total = 0, step = stride * %#xULL;
    for (unsigned long long t = 0; t < stride; ++t) {   /* the kernel's grid-stride loop, thread by thread */
        unsigned long long j = t, z = key + (start + j) * %#xULL;
        for (; j < n; j += stride, z += step) total += pilab_inside(z);
    }
    printf("%%llu\n", total);
    return 0;
}
"""


def test_unavailable_backends_say_why_and_refuse_to_run():
    if GPU:
        pytest.skip("a GPU answers here")
    assert "cupy" in BACKENDS["cupy"].why_unavailable()
    with pytest.raises(ValueError, match="not available here"):
        estimate("cupy", 1000)


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no C compiler")
def test_the_kernels_hash_and_stride_loop_count_exactly_what_the_cpu_counts(tmp_path):
    source = tmp_path / "inside.c"
    source.write_text(HOST_HARNESS % (gpu.INSIDE_C, stream.GAMMA, stream.GAMMA))
    binary = tmp_path / "inside"
    subprocess.run(["gcc", "-O2", "-o", str(binary), str(source)], check=True)
    for seed, start, n, stride in [
        (1, 0, 100_000, 1),
        (7, 12_345, 200_003, 97),
        (2**32 - 1, 2**40, 50_000, 1024),
    ]:
        key = stream.key_for_seed(seed)
        out = subprocess.run(
            [str(binary), str(key), str(start), str(n), str(stride)], capture_output=True, text=True
        )
        assert int(out.stdout) == kernels.count_inside(np.uint64(key), start, start + n), (seed, start, n)


@needs_gpu
@pytest.mark.parametrize("n", [1, 1000, 10**6 + 7, 3 * 10**8])
def test_gpu_counts_exactly_the_cpu_points(n):
    for seed in (0, 5):
        assert estimate("cupy", n, seed=seed).inside == estimate("numba_parallel", n, seed=seed).inside


@needs_gpu
def test_gpu_chunks_do_not_change_the_count_and_stay_within_five_sigma():
    n = 10**9
    whole = estimate("cupy", n, seed=3)
    assert estimate("cupy", n, seed=3, chunk=10**8 + 1).inside == whole.inside
    assert abs(whole.pi - math.pi) < 5 * whole.sigma


@needs_gpu
def test_gpu_run_cancels_between_chunks():
    calls = []
    with pytest.raises(Cancelled):
        estimate("cupy", 10**11, seed=1, chunk=10**9, should_stop=lambda: calls.append(1) or len(calls) > 2)
    assert len(calls) == 3
