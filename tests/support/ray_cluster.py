"""A real Ray cluster of processes on this machine: ``ray start --head`` plus more ``ray start --address``
nodes, started by the test (the app's own local instance is Ray's processes under the test process).

Each node is one ``ray start --block``: its GCS, raylet and workers stay below that process instead of
daemonizing, so ``stop()`` finds every one of them, kills them, and checks by psutil that no process
carrying the cluster's mark in its environment is left. ``ray stop --force`` is not used: it stops every
Ray process of the machine, the test process's own local instance included.

Ray refuses a second node on a loopback-only head, so the nodes use this machine's own address (Ray's
choice); the GCS is reached on 127.0.0.1 and the cluster uses Ray's token authentication (the token in
~/.ray/auth_token, as the app's driver does).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from tests.support.browser import free_port
from tests.support.faults import folder_for

ROOT = Path(__file__).resolve().parents[2]
RAY = str(Path(sys.executable).with_name("ray"))
NODE_ARGS = ["--num-cpus", "1", "--object-store-memory", str(80 * 2**20), "--disable-usage-stats", "--block"]
START_S = 180  # a node starts in 5-20 s on a busy two-core machine
MARK = "PILAB_RAY_TEST_CLUSTER"  # in the environment of every process of a cluster: its folder


def token_ready(env: dict) -> None:
    """Make sure Ray's default token exists (``ray get-auth-token --generate``, as Ray's docs say)."""
    if not (Path.home() / ".ray" / "auth_token").exists():
        command = [RAY, "get-auth-token", "--generate"]
        subprocess.run(command, env=env, capture_output=True, check=True, timeout=60)


class RayCluster:
    """A head and ``nodes - 1`` worker nodes of one CPU each. ``address`` is the GCS on 127.0.0.1,
    ``client_address`` the Ray Client server (``ray://``). A context manager; ``stop()`` kills all."""

    def __init__(self, nodes: int = 2) -> None:
        self.started = time.time()
        self.folder = Path(tempfile.mkdtemp(prefix="pilab-ray-"))
        port, client_port = free_port(), free_port()
        self.address = f"127.0.0.1:{port}"
        self.client_address = f"ray://127.0.0.1:{client_port}"
        self.env = os.environ | {
            "PYTHONPATH": str(ROOT),
            "PILAB_FAULT_DIR": str(folder_for(os.getpid())),
            MARK: str(self.folder),
            "RAY_AUTH_MODE": "token",
            "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "1",  # a multi-node cluster (the app's driver sets it to 0)
        }
        self.nodes: list[subprocess.Popen] = []
        try:
            token_ready(self.env)
            head = ["--head", "--port", str(port), "--ray-client-server-port", str(client_port)]
            self._start("head", *head, "--include-dashboard", "false", "--temp-dir", str(self.folder))
            for _ in range(nodes - 1):
                self.add_node()
        except BaseException:
            self.stop()
            raise

    def _start(self, name: str, *args: str) -> subprocess.Popen:
        log = self.folder / f"{name}-{len(self.nodes)}.log"
        with open(log, "w") as out:
            node = subprocess.Popen([RAY, "start", *args, *NODE_ARGS], env=self.env, stdout=out, stderr=out)
        self.nodes.append(node)
        deadline = time.monotonic() + START_S
        while "Ray runtime started" not in log.read_text():
            if node.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"a Ray node did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        return node

    def add_node(self) -> subprocess.Popen:
        """One more node of one CPU, joined to the head."""
        return self._start("node", "--address", self.address)

    def worker_pids(self) -> set[int]:
        """The Ray worker processes (``ray::…``) of every node."""
        pids = set()
        for proc in self._tree():
            with contextlib.suppress(psutil.Error):
                if " ".join(proc.cmdline()).startswith("ray::") and "Agent" not in proc.name():
                    pids.add(proc.pid)
        return pids

    def _tree(self) -> list[psutil.Process]:
        procs = []
        for node in self.nodes:
            with contextlib.suppress(psutil.Error):
                top = psutil.Process(node.pid)
                procs += [top, *top.children(recursive=True)]
        return procs

    def leftovers(self) -> list[psutil.Process]:
        """Every process, anywhere, that inherited this cluster's mark from its environment: what a node
        that daemonized or an orphaned worker would be."""
        found = []
        for proc in psutil.process_iter():
            with contextlib.suppress(psutil.Error):
                if proc.environ().get(MARK) == str(self.folder):
                    found.append(proc)
        return found

    def stop(self) -> None:
        """Kill every node's processes, reap the ``ray start`` processes, and fail if any Ray process that
        this cluster started is still alive."""
        procs = self._tree()
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        psutil.wait_procs(procs, timeout=10)
        for node in self.nodes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                node.wait(timeout=10)
        left = self.leftovers()
        for proc in left:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        _, alive = psutil.wait_procs(left, timeout=10)
        assert not alive, f"Ray processes left behind: {[p.pid for p in alive]}"
        shutil.rmtree(self.folder, ignore_errors=True)  # the nodes' logs and sockets

    def __enter__(self) -> RayCluster:
        return self

    def __exit__(self, *exc) -> None:
        from core.pi import ray_engine

        ray_engine.shutdown()  # the driver leaves first, so nothing waits on a cluster that is gone
        self.stop()
