"""Peak memory of one estimate, run in this (fresh) process: ``python -m benchmarks.memory BACKEND N``.

Prints one JSON object: the driver's peak RSS (``ru_maxrss``) and the largest peak RSS seen in any worker
process (sampled every 10 ms), in MiB.
"""

import contextlib
import json
import resource
import sys
import threading
import time

import psutil

from core.pi import estimate


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
            time.sleep(0.01)

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
                "driver_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "worker_peak_mib": worker_peak / 2**20,
                "wall_s": wall,
            }
        )
    )


if __name__ == "__main__":
    main()
