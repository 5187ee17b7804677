"""What every benchmark shares: logging to stderr, the final JSON line, databases, Django, machine facts.

Benchmarks talk only to 127.0.0.1: PostgreSQL, the gunicorn they start and the fakes they serve.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PG_SERVER = os.environ.get("CHARGESIDE_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
_started = time.monotonic()


def stop_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so `with` blocks stop the gunicorn/fake processes a benchmark started."""
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def log(message: str) -> None:
    print(f"[{time.monotonic() - _started:7.1f}s] {message}", file=sys.stderr, flush=True)


def emit(figures: dict) -> None:
    """The one JSON line on stdout, last."""
    sys.stdout.write(json.dumps(figures, sort_keys=False, default=str) + "\n")
    sys.stdout.flush()


def database_url(name: str) -> str:
    return f"{PG_SERVER.rstrip('/')}/{name}"


def bench_env(url: str, **extra: str) -> dict[str, str]:
    """Environment for the project's processes (migrate, gunicorn) against the bench database."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=url,
        CHARGESIDE_HOME=env.get("CHARGESIDE_HOME", "/tmp/chargeside-bench"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")])),
    )
    env.pop("CHARGESIDE_TESTING", None)  # production behaviour; bench.settings supplies the SECRET_KEY
    env.update(extra)
    Path(env["CHARGESIDE_HOME"], "static").mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
    return env


def ensure_database(name: str, *, fresh: bool = False) -> bool:
    """Create the database if missing (drop it first when `fresh`). Returns True when it was created."""
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
        return not exists


def migrate(url: str) -> None:
    """`chargeside migrate` exactly as an operator runs it: the schema is the migrations' schema."""
    log("chargeside migrate")
    subprocess.run(
        [str(VENV_BIN / "chargeside"), "migrate", "--no-input", "-v", "0"], env=bench_env(url), cwd=REPO, check=True
    )


def django_setup(url: str) -> None:
    """Configure Django in this process against the bench database (bench.settings)."""
    os.environ.update({k: v for k, v in bench_env(url).items() if k in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CHARGESIDE_HOME"}})
    os.environ.pop("CHARGESIDE_TESTING", None)
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import django

    django.setup()


def python_loop_cpu_ms() -> float:
    """CPU ms of a fixed pure-Python loop: larger than on an idle machine when other jobs share the cores
    (SMT siblings, caches, frequency), so it shows how far the other CPU figures were inflated."""
    started = time.process_time()
    total = 0
    for i in range(2_000_000):
        total += i
    return round((time.process_time() - started) * 1000, 1)


def machine_info(url: str | None = None) -> dict:
    info = {"cores": os.cpu_count(), "cpu": _cpu_model(), "memory_gib": _memory_gib(), "python": platform.python_version(),
            "python_loop_cpu_ms": python_loop_cpu_ms(), "loadavg_1m": round(os.getloadavg()[0], 2)}
    try:
        import django

        info["django"] = django.get_version()
    except ImportError:  # pragma: no cover - the venv always has it
        pass
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
            info["pg_shared_buffers"] = conn.execute("SHOW shared_buffers").fetchone()[0]
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0


def cpu_busy_pct(seconds: float = 1.0) -> float:
    """Share of all cores busy over `seconds` (from /proc/stat), to see whether something else is running.

    Time of niced processes counts as idle: at nice 19 they get ~1.5 % of a core against ours.
    """
    def sample():
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[1] + fields[3] + (fields[4] if len(fields) > 4 else 0)  # nice + idle + iowait
        return sum(fields[:8]), idle
    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except OSError:
        return -1.0
    total = total1 - total0
    return round(100 * (1 - (idle1 - idle0) / total), 1) if total else 0.0


def wait_for_quiet(max_wait: float, threshold: float = 15.0) -> float:
    """Wait up to `max_wait` seconds for the machine to be idle (other people's test runs share it).

    Returns the last busy figure; benchmarks report it so a figure taken on a busy machine is visible.
    """
    deadline = time.monotonic() + max_wait
    busy = cpu_busy_pct(1.0)
    while busy > threshold and time.monotonic() < deadline:
        log(f"machine busy ({busy}% of all cores used by other processes); waiting for quiet")
        busy = cpu_busy_pct(5.0)
    return busy
