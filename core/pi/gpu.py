"""The ``cupy`` backend: the counter-based stream counted by one fused CUDA kernel, chunk by chunk.

Each thread hashes its own indices of the same SplitMix64 stream the CPU backends use (grid-stride), counts
inside points in a register, and the block reduces them by warp shuffles: one atomic add per block. For a
given (seed, n) the GPU counts exactly the points every CPU backend counts.
"""

from __future__ import annotations

import functools

from core.pi.stream import COORD_MASK, GAMMA, INSIDE_LIMIT, MIX1, MIX2
from core.runtime.i18n import N_

# The hash as C: shared by the CUDA kernel and by a test that compiles it with the host compiler.
INSIDE_C = f"""
__device__ __forceinline__ unsigned int pilab_inside(unsigned long long z) {{
    z = (z ^ (z >> 30)) * {MIX1:#x}ULL;
    z = (z ^ (z >> 27)) * {MIX2:#x}ULL;
    z ^= z >> 31;
    const unsigned int a = (unsigned int)(z >> 33), b = (unsigned int)(z & {COORD_MASK:#x}ULL);
    return (unsigned long long)a * a + (unsigned long long)b * b < {INSIDE_LIMIT:#x}ULL;
}}
"""

KERNEL_C = (
    INSIDE_C
    + f"""
extern "C" __global__ void pilab_count(unsigned long long key, unsigned long long start,
                                       unsigned long long n, unsigned long long* total) {{
    const unsigned long long stride = (unsigned long long)blockDim.x * gridDim.x;
    unsigned long long j = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
    unsigned long long z = key + (start + j) * {GAMMA:#x}ULL;  /* draw (start + j), then step by stride */
    const unsigned long long step = stride * {GAMMA:#x}ULL;
    unsigned long long acc = 0;
    for (; j < n; j += stride, z += step) acc += pilab_inside(z);
    for (int off = 16; off > 0; off >>= 1) acc += __shfl_down_sync(0xffffffffu, acc, off);
    __shared__ unsigned long long warp_sums[32];
    const unsigned int lane = threadIdx.x & 31u, warp = threadIdx.x >> 5;
    if (lane == 0) warp_sums[warp] = acc;
    __syncthreads();
    if (warp == 0) {{
        acc = lane < (blockDim.x >> 5) ? warp_sums[lane] : 0;
        for (int off = 16; off > 0; off >>= 1) acc += __shfl_down_sync(0xffffffffu, acc, off);
        if (lane == 0) atomicAdd(total, acc);
    }}
}}
"""
)

THREADS = 256
BLOCKS_PER_SM = 8
CHUNK = 1 << 34  # draws per launch: progress and cancel are checked between launches


@functools.cache
def why_unavailable() -> str | None:
    """Why the GPU backend cannot run here, or None. Makes a real CUDA call: ``import cupy`` succeeds on a
    machine without a driver, and only the first call fails (cudaErrorInsufficientDriver)."""
    try:
        import cupy
    except ImportError:
        return N_(
            "cupy is not installed (pip install -r requirements-gpu.txt on a machine with an NVIDIA GPU)"
        )
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            return N_("no CUDA device answers")
        cupy.zeros(1).sum().item()
    except Exception as exc:  # CUDARuntimeError, CompileException, ...: any failure means no GPU here
        return f"no usable CUDA device: {type(exc).__name__}: {exc}"
    return None


@functools.cache
def _kernel():
    import cupy

    return cupy.RawKernel(KERNEL_C, "pilab_count", options=("-O3",))


def _grid() -> int:
    import cupy

    device = cupy.cuda.Device()
    return device.attributes["MultiProcessorCount"] * BLOCKS_PER_SM


def compiled() -> bool:
    return _kernel.cache_info().currsize > 0


def compile_kernel() -> None:
    """Compile (or load from CuPy's cache) and launch once."""
    count_range(0, 0, 1)


def count_range(key: int, start: int, stop: int) -> int:
    """Count the inside points among draws [start, stop) on the GPU (one launch)."""
    import cupy

    total = cupy.zeros(1, dtype=cupy.uint64)
    n = max(stop - start, 0)
    blocks = max(1, min(_grid(), -(-n // THREADS)))
    _kernel()((blocks,), (THREADS,), (cupy.uint64(key), cupy.uint64(start), cupy.uint64(n), total))
    return int(total.get()[0])
