"""Start and stop the project's gunicorn (`chargeside.wsgi`) on a loopback port for a benchmark."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass

from .common import REPO, VENV_BIN, bench_env, log


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Gunicorn:
    database_url: str
    workers: int = 2
    threads: int = 1
    worker_class: str = "sync"
    port: int = 0
    process: subprocess.Popen | None = None
    env_extra: dict | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def describe(self) -> dict:
        return {"workers": self.workers, "threads": self.threads, "worker_class": self.worker_class}

    def start(self, timeout: float = 30.0) -> Gunicorn:
        self.port = self.port or free_port()
        command = [
            str(VENV_BIN / "gunicorn"), "chargeside.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--worker-class", self.worker_class,
            "--threads", str(self.threads), "--backlog", "2048", "--keep-alive", "5", "--log-level", "warning",
            "--timeout", "60",
        ]
        log(f"starting gunicorn: {self.workers} {self.worker_class} worker(s) x {self.threads} thread(s) on port {self.port}")
        self.process = subprocess.Popen(command, env=bench_env(self.database_url, **(self.env_extra or {})), cwd=REPO,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def worker_pids(self) -> list[int]:
        """The worker processes (children of the master), for profiling with py-spy."""
        if not self.process:
            return []
        try:
            out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True).stdout
        except OSError:
            return []
        return [int(pid) for pid in out.split()]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
