"""A real Dask cluster of processes on loopback: a ``dask scheduler`` and ``dask worker`` processes started
by the test (the app's own local cluster runs its workers as threads in its process)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from tests.support.faults import folder_for

ROOT = Path(__file__).resolve().parents[2]


class ProcessCluster:
    """``dask scheduler`` plus ``workers`` single-threaded ``dask worker`` processes. With ``nanny`` a killed
    worker is replaced by its nanny; without, it stays dead. A context manager; ``stop()`` kills all."""

    def __init__(self, workers: int = 2, *, nanny: bool = True) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="pilab-dask-"))
        self.nanny = nanny
        file = self.folder / "scheduler.json"
        self.scheduler = self._spawn(
            "distributed.cli.dask_scheduler",
            *("--host", "127.0.0.1", "--port", "0", "--dashboard-address", "127.0.0.1:0"),
            *("--scheduler-file", str(file)),
        )
        deadline = time.monotonic() + 60
        while not file.exists():
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the dask scheduler did not start")
            time.sleep(0.1)
        self.address = json.loads(file.read_text())["address"]
        self.workers = [self.add_worker() for _ in range(workers)]
        self.wait_for(workers)

    def _spawn(self, *args: str) -> subprocess.Popen:
        env = os.environ | {"PYTHONPATH": str(ROOT), "PILAB_FAULT_DIR": str(folder_for(os.getpid()))}
        return subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def add_worker(self) -> subprocess.Popen:
        args = [
            "--scheduler-file",
            str(self.folder / "scheduler.json"),
            "--nthreads",
            "1",
            "--host",
            "127.0.0.1",
        ]
        return self._spawn("distributed.cli.dask_worker", *args, *([] if self.nanny else ["--no-nanny"]))

    def wait_for(self, count: int, timeout: float = 90) -> None:
        from distributed import Client

        with Client(self.address, timeout=30) as client:
            client.wait_for_workers(count, timeout=timeout)
            deadline = time.monotonic() + timeout
            while len(client.nthreads()) > count and time.monotonic() < deadline:  # a dead one, not yet gone
                time.sleep(0.1)

    def worker_pids(self) -> set[int]:
        """The processes that compute: each worker itself, under its nanny where it has one."""
        pids = set()
        for proc in self.workers:
            try:
                parent = psutil.Process(proc.pid)
                pids |= {c.pid for c in parent.children()} if self.nanny else {parent.pid}
            except psutil.Error:
                continue
        return pids

    def stop(self) -> None:
        procs = []
        for p in [getattr(self, "scheduler", None), *getattr(self, "workers", [])]:
            if p is not None:
                with contextlib.suppress(psutil.Error):
                    procs += [psutil.Process(p.pid), *psutil.Process(p.pid).children(recursive=True)]
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        psutil.wait_procs(procs, timeout=10)
        for p in [getattr(self, "scheduler", None), *getattr(self, "workers", [])]:
            if p is not None:
                p.wait(timeout=10)

    def __enter__(self) -> ProcessCluster:
        return self

    def __exit__(self, *exc) -> None:
        from core.pi import dask_client

        dask_client.close_client(self.address)
        self.stop()
