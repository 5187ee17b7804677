"""The fake Stripe for the backfill and webhook benchmarks: seeded once per size, served in its own process.

Seeding calls the function behind `chargeside sandbox seed` (`sandbox.stripe.seed.seed`) into a state file kept under $CHARGESIDE_HOME/bench
(`stripe-<customers>c-<rng seed>.sqlite3`), written to a temporary name and renamed when complete, so a
later run of the same size reuses it. Serving is `chargeside sandbox serve` in a separate process, so the
fake has its own interpreter (and GIL) and the figures measure Chargeside's client side, not a shared GIL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .common import REPO, VENV_BIN, bench_env, log
from .server import free_port

API_KEY = "sk_test_chargeside_bench"
_SEED_SCRIPT = """
import sys, time
from chargeside.sandbox.stripe.seed import seed
path, customers, rng_seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
step = max(customers // 10, 1)
def progress(done, total=customers):
    if done % step == 0 or done == total:
        print(f"  fake Stripe seeded {done:,}/{total:,} customers", file=sys.stderr, flush=True)
print(seed(path, customers=customers, rng_seed=rng_seed, progress=progress), flush=True)
"""


def state_dir() -> Path:
    home = Path(os.environ.get("CHARGESIDE_HOME", "/tmp/chargeside-bench"))
    path = home / "bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def seeded_state(database_url: str, customers: int, rng_seed: int, *, reseed: bool = False) -> Path:
    """A complete fake-Stripe state file with `customers` seeded customers (made once, then reused)."""
    final = state_dir() / f"stripe-{customers}c-{rng_seed}.sqlite3"
    if final.exists() and not reseed:
        log(f"reusing seeded fake Stripe state {final}")
        return final
    partial = final.with_name(final.name + ".partial")
    log(f"seeding the fake Stripe with {customers:,} customers (chargeside sandbox seed)")
    started = time.monotonic()
    for suffix in ("", "-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    # The seeding function behind `chargeside sandbox seed`, in a child process (it holds a large cache).
    subprocess.run([str(VENV_BIN / "python"), "-c", _SEED_SCRIPT, str(partial), str(customers), str(rng_seed)],
                   env=bench_env(database_url), cwd=REPO, check=True, stdout=sys.stderr)
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)  # the seeding process checkpointed on close
    partial.replace(final)
    log(f"fake Stripe seeded in {time.monotonic() - started:.1f}s")
    return final


@dataclass
class FakeStripeProcess:
    state: Path
    database_url: str
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> FakeStripeProcess:
        self.port = self.port or free_port()
        self.process = subprocess.Popen(
            [str(VENV_BIN / "chargeside"), "sandbox", "serve", "--port", str(self.port), "--state", str(self.state)],
            env=bench_env(self.database_url), cwd=REPO, stdout=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        request = urllib.request.Request(self.base_url + "/v1/customers?limit=1", headers={"Authorization": f"Bearer {API_KEY}"})
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the fake Stripe exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(request, timeout=2):
                    log(f"fake Stripe serving {self.state.name} at {self.base_url} (pid {self.process.pid})")
                    return self
            except urllib.error.HTTPError as exc:
                raise RuntimeError(f"the fake Stripe answered {exc.code} to a plain list") from None
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the fake Stripe did not start in time")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def __enter__(self) -> FakeStripeProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
