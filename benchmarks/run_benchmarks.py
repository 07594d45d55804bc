"""Sweep every available backend over n = 1e3 … 1e9 in one run and rewrite BENCHMARKS.md.

Every timing goes through ``core.bench`` (the harness the Benchmarks page and ``python -m core.bench`` use),
over the backends the registry says run here. Also times the reference loop (benchmarks/reference.py) at the
same n, finds where each parallel backend starts to beat the fastest serial one, measures peak memory at
n = 1e9 in child processes and five browser sessions at once (benchmarks/load.py).
Run: ``make bench`` (or ``python -m benchmarks.run_benchmarks [--quick] [--out PATH]``).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from benchmarks import reference, sections
from benchmarks.report import REFERENCE, Results, markdown
from core.bench import Timing, measure_call, sweep
from core.bench.tables import parallel_crossovers
from core.pi import BACKENDS, stream
from core.pi.backends import available

ROOT = Path(__file__).resolve().parents[1]

SEED = 2024
WORKERS = 2  # the parallel backends' workers, and the reference loop's threads
SERIAL_ONE = "numba_parallel@1"  # the counter-based loop on one thread: the fastest serial kernel here
REPEAT, TARGET_S = 3, 0.3  # timings per point, and the seconds each point's timings aim at in all
TIME_LIMIT_S = 10.0  # a backend whose timing at one n passes this stops there
CALL_LIMIT_S = 4.0  # no call predicted past this is timed: python stops at 1e7, past 1e8 only the quick go on


def machine() -> dict:
    """The CPU (and its widest SIMD), cores, memory, Python and the numerical libraries of this run."""
    flags = Path("/proc/cpuinfo").read_text()
    cpu = next((ln.split(":", 1)[1].strip() for ln in flags.splitlines() if ln.startswith("model name")), "?")
    simd = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE"
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    libs = ", ".join(
        f"{p} {version(p)}"
        for p in ("numpy", "numba", "llvmlite", "joblib", "dask", "distributed", "ray")
        if p != "ray" or not BACKENDS["ray"].why_unavailable()  # Ray is optional (`make ray`)
    )
    return {
        "cpu": f"{cpu} ({simd})",
        "cores": os.cpu_count(),
        "memory": f"{mem_gib:.0f} GiB",
        "python": platform.python_version(),
        "libraries": libs,
    }


def sizes(top_exponent: int) -> list[int]:
    """1e3, 3e3, 1e4, … up to 10**top_exponent."""
    return sorted({10**e for e in range(3, top_exponent + 1)} | {3 * 10**e for e in range(3, top_exponent)})


def labels() -> list[str]:
    """Every backend that runs here, in registry order, with the serial loop after the lecture's four."""
    names = available()
    lecture = [name for name in names if BACKENDS[name].family == "lecture"]
    return [*lecture, SERIAL_ONE, *(name for name in names if name not in lecture)]


def show(timing: Timing) -> None:
    print(
        f"{timing.backend:18s} {timing.n:8.0e} {timing.samples_per_s:10.3g}/s  best {timing.best_s:.4g} s",
        flush=True,
    )


def time_backends(ns: list[int]) -> list[Timing]:
    """The sweep: every label at every n, each parallel backend on ``WORKERS`` workers."""
    return sweep(
        labels(),
        ns,
        repeat=REPEAT,
        target_s=TARGET_S,
        seed=SEED,
        workers=WORKERS,
        time_limit_s=TIME_LIMIT_S,
        call_limit_s=CALL_LIMIT_S,
        on_result=show,
    )


def time_reference(ns: list[int]) -> list[Timing]:
    """The reference loop at every n, on ``WORKERS`` Numba threads (as many as the parallel backends)."""
    import numba

    threads = min(WORKERS, numba.config.NUMBA_NUM_THREADS)
    numba.set_num_threads(threads)
    count = functools.partial(reference.count, stream.key_for_seed(SEED))
    timings = []
    for n in ns:
        timings.append(measure_call(REFERENCE, count, n, repeat=REPEAT, target_s=TARGET_S, workers=threads))
        show(timings[-1])
    return timings


def run_json(*module_and_args: str) -> str:
    """The stdout of ``python -m module args`` run from the repository root (which must succeed)."""
    return subprocess.run(
        [sys.executable, "-m", *module_and_args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def memory(n: int) -> list[dict]:
    """Peak RSS of each backend at n, each in a fresh child process (the lecture arrays at 1e7 and 1e8)."""
    rows = []
    for name in available():
        for size in [10**7, 10**8] if BACKENDS[name].max_n < n else [n]:
            rows.append(json.loads(run_json("benchmarks.memory", name, str(size)).strip().splitlines()[-1]))
            print(f"memory {name:16s} {size:8.0e} {rows[-1]['driver_peak_mib']:8.0f} MiB", flush=True)
    return rows


def measure_load(sessions: int = 5) -> dict:
    """Five browser sessions running estimates at once against one fresh server (benchmarks/load.py)."""
    out = run_json("benchmarks.load", "--sessions", str(sessions))
    return json.loads(out[out.index("{") :])


def write_json(results: Results, path: Path) -> None:
    """The run's figures beside the markdown: label → n → timing, crossovers, memory, load, machine."""
    timings: dict[str, dict[int, dict]] = {}
    for t in [*results.timings, *results.reference]:
        timings.setdefault(t.backend, {})[t.n] = t.to_dict()
    document = {
        "machine": results.machine,
        "timings": timings,
        "crossovers": parallel_crossovers(results.timings)[0],
        "memory": results.memory,
        "load": results.load,
    }
    path.write_text(json.dumps(document, indent=1, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="n up to 1e6, no memory or load (a smoke test)")
    parser.add_argument(
        "--out", metavar="PATH", default=str(ROOT / "BENCHMARKS.md"), help="the markdown (and its .json)"
    )
    args = parser.parse_args()
    ns = sizes(6 if args.quick else 9)
    results = Results(
        machine=machine(),
        ns=ns,
        timings=time_backends(ns),
        reference=time_reference(ns),
        workers=WORKERS,
        serial_one=SERIAL_ONE,
        memory=[] if args.quick else memory(10**9),
        load=None if args.quick else measure_load(),
    )
    out = Path(args.out)
    out.write_text(markdown(results) + sections.kept(out))
    write_json(results, out.with_suffix(".json"))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
