"""The counting kernels: the lecture's four π versions as written, and the counter-based Numba kernels.

The lecture's functions return ``4.0 * acc / nsamples``; here they return the count ``acc`` itself, so the
engine can add counts exactly and compute π̂, σ and z once. Everything else is the lecture's code.
"""

from __future__ import annotations

import random

import numpy as np
from llvmlite import ir
from numba import get_thread_id, jit, njit, prange, types, uint64
from numba.core import cgutils
from numba.extending import intrinsic

from core.pi.stream import COORD_MASK, GAMMA, INSIDE_LIMIT, MIX1, MIX2

# ---------------------------------------------------------------- the lecture's four, as written


def lecture_python(nsamples):
    acc = 0
    for i in range(nsamples):
        x = random.random()
        y = random.random()

        if (x**2 + y**2) < 1.0:
            acc += 1

    return acc


def lecture_numpy(nsamples):
    x = np.random.rand(nsamples)
    y = np.random.rand(nsamples)

    op = x**2 + y**2
    dentro_circulo = op[op < 1.0]

    return np.count_nonzero(dentro_circulo)


@jit(nopython=True, cache=True)
def lecture_numba(nsamples):
    acc = 0
    for i in range(nsamples):
        x = random.random()
        y = random.random()

        if (x**2 + y**2) < 1.0:
            acc += 1

    return acc


@jit(nopython=True, cache=True)
def lecture_numba_numpy(nsamples):
    x = np.random.rand(nsamples)
    y = np.random.rand(nsamples)

    op = x**2 + y**2
    dentro_circulo = op[op < 1.0]

    return np.count_nonzero(dentro_circulo)


@njit(cache=True)
def seed_numba(seed):
    """Seed Numba's own generators (they are not NumPy's or Python's: seeding those does not reach them)."""
    random.seed(seed)
    np.random.seed(seed)


# ---------------------------------------------------------------- the counter-based stream, compiled

_GAMMA, _MIX1, _MIX2 = uint64(GAMMA), uint64(MIX1), uint64(MIX2)
_S27, _S30, _S31, _S33 = uint64(27), uint64(30), uint64(31), uint64(33)
_COORD_MASK, _LIMIT = uint64(COORD_MASK), uint64(INSIDE_LIMIT)


@njit(inline="always")
def inside(key, i):
    z = key + uint64(i) * _GAMMA
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    z = z ^ (z >> _S31)
    a = z >> _S33
    b = z & _COORD_MASK
    return (a * a + b * b) < _LIMIT


@njit(fastmath=True, cache=True, nogil=True)
def count_inside(key, start, stop):
    """Count inside points among draws [start, stop) on one core (LLVM vectorises the loop)."""
    acc = 0
    for i in range(start, stop):
        acc += inside(key, i)
    return acc


@njit(parallel=True, fastmath=True, cache=True, nogil=True)
def count_inside_parallel(key, start, stop):
    """The same count split over Numba's threads with ``prange``."""
    acc = 0
    for i in prange(start, stop):
        acc += inside(key, i)
    return acc


@intrinsic
def time_ns(typingctx):
    """``time.time_ns()`` inside compiled code, without the GIL: the C library's
    ``clock_gettime(CLOCK_REALTIME)`` (0 on Linux and macOS), the same clock as Python's, so the timeline's
    spans compare with times taken in Python (and the kernel still caches, which object mode would not)."""

    def codegen(context, builder, *signature_and_args):  # Numba passes four; the clock takes none
        i64, i32 = ir.IntType(64), ir.IntType(32)
        timespec = ir.LiteralStructType([i64, i64])
        now = cgutils.alloca_once(builder, timespec)
        clock = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(i32, [i32, timespec.as_pointer()]), "clock_gettime"
        )
        builder.call(clock, [ir.Constant(i32, 0), now])
        seconds = builder.load(cgutils.gep_inbounds(builder, now, 0, 0))
        nanoseconds = builder.load(cgutils.gep_inbounds(builder, now, 0, 1))
        return builder.add(builder.mul(seconds, ir.Constant(i64, 1_000_000_000)), nanoseconds)

    return types.int64(), codegen


@njit(parallel=True, fastmath=True, cache=True, nogil=True)
def count_inside_timed(key, bounds, spans):
    """``count_inside_parallel`` with the timeline's record: ``bounds`` = [start, stop) in one part a thread
    (``len(spans)`` parts, as prange's static schedule splits it), each part counted by one thread, which
    writes a row of ``spans`` (int64): its count, start and end (``time_ns``: the timeline's clock) and
    thread number."""
    start, stop = bounds
    parts = len(spans)
    for p in prange(parts):
        lo = start + (stop - start) * p // parts
        hi = start + (stop - start) * (p + 1) // parts
        begin = time_ns()
        spans[p, 0] = count_inside(key, lo, hi)
        spans[p, 1] = begin
        spans[p, 2] = time_ns()
        spans[p, 3] = get_thread_id()
