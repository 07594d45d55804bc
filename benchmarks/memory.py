"""Peak memory of one estimate, run in this (fresh) process: ``python -m benchmarks.memory BACKEND N``.

Prints one JSON object, in MiB: this process's peak RSS (``VmHWM``, kept by the kernel, so a kernel that holds
the GIL cannot hide a peak; not ``ru_maxrss``, which a child inherits from its parent's high-water mark) and
the largest RSS seen in any worker process (sampled every 5 ms).
"""

import contextlib
import json
import sys
import threading
import time
from pathlib import Path

import psutil

from core.pi import estimate


def peak_rss_kib() -> int:
    """This process's peak resident set size (``VmHWM`` of /proc/self/status), in KiB."""
    line = next(ln for ln in Path("/proc/self/status").read_text().splitlines() if ln.startswith("VmHWM:"))
    return int(line.split()[1])


def main() -> None:
    backend, n = sys.argv[1], int(float(sys.argv[2]))
    me = psutil.Process()
    worker_peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal worker_peak
        while not done.is_set():
            for child in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    worker_peak = max(worker_peak, child.memory_info().rss)
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    result = estimate(backend, n, seed=1, workers=2)
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    print(
        json.dumps(
            {
                "backend": backend,
                "n": n,
                "inside": result.inside,
                "driver_peak_mib": peak_rss_kib() / 1024,
                "worker_peak_mib": worker_peak / 2**20,
                "wall_s": wall,
            }
        )
    )


if __name__ == "__main__":
    main()
