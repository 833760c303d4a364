"""A real local Ray cluster in processes of its own, for the tests and benchmarks of the Ray job backend.

`LocalRayCluster` runs `ray start --head --block` on free ports with a temporary folder of its own (short:
Ray's socket paths must fit in 107 bytes), waits until it is up, and stops it by its process id; whatever it
started that is still there afterwards (found by that folder in its command line) is killed, so neither a
crash nor another test's cluster is touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lib.engine.distribute import free_ports
from tests.browser import free_port

RAY = Path(sys.executable).with_name("ray")


class LocalRayCluster:
    def __init__(self, cpus: int, env: dict | None = None):
        self.cpus, self.env = cpus, dict(env or {})
        self.temp = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))
        self.address = f"127.0.0.1:{free_port()}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90.0) -> LocalRayCluster:
        port = self.address.rsplit(":", 1)[1]
        # Found together, so no two are the same (one at a time, the system may hand out one twice: Ray refused
        # to start with its metrics and its agent on one port).
        client, agent, metrics = free_ports(3)
        while str(port) in (str(client), str(agent), str(metrics)):
            client, agent, metrics = free_ports(3)
        command = [str(RAY), "start", "--head", f"--port={port}", "--node-ip-address=127.0.0.1",
                   f"--num-cpus={self.cpus}", "--num-gpus=0", "--include-dashboard=false",
                   "--disable-usage-stats", f"--temp-dir={self.temp}", f"--ray-client-server-port={client}",
                   f"--dashboard-agent-listen-port={agent}", f"--metrics-export-port={metrics}",
                   "--block"]
        # No memory monitor (it polls every 250 ms and would kill jobs on a busy shared machine). No drain on
        # SIGTERM: Ray 2.60 marks the node draining and waits up to 30 s for its workers' leases to come back, which
        # they never do on a cluster that has run jobs (idle workers keep them), so every stop took 30 s; a test
        # cluster has nobody to hand its work to.
        env = {**os.environ, "RAY_memory_monitor_refresh_ms": "0", "RAY_USAGE_STATS_ENABLED": "0",
               "RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S": "0", **self.env}
        self.log = self.temp / "start.log"
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while "Ray runtime started" not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                text = self.log.read_text(errors="replace")[-3000:]
                self.stop()
                raise RuntimeError(f"the local Ray cluster did not start:\n{text}")
            time.sleep(0.2)
        return self

    def leftovers(self) -> list[int]:
        """Processes whose command line names this cluster's folder (its raylet, GCS, workers...)."""
        found = []
        marker = str(self.temp).encode()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                try:
                    if marker in (entry / "cmdline").read_bytes():
                        found.append(int(entry.name))
                except OSError:
                    continue
        return found

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # `ray start --block` stops what it started
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in self.leftovers():  # the safety net, scoped to this cluster's folder
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.temp, ignore_errors=True)

    def __enter__(self) -> LocalRayCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
