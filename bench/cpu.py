"""CPU time spent per request by the server side (gunicorn workers + their PostgreSQL backends).

Requests/s and latency depend on whatever else the machine is doing; the CPU seconds our processes burn per
request hardly do. On a shared machine this is the figure that still compares panel and bare view fairly:
at saturation an idle machine serves about `cores / cpu_per_request` requests/s (less the load generator's
own share). Read from /proc/<pid>/stat (utime + stime), so Linux only; elsewhere the figures are absent.
"""

from __future__ import annotations

import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # After the ")" closing the command name: state is field 3 of stat(5), utime 14, stime 15.
    return (int(fields[11]) + int(fields[12])) / _TICK


def backend_pids(url: str, database: str) -> list[int]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
            [database],
        ).fetchall()
    return [row[0] for row in rows]


class CpuMeter:
    """`start()` before a load run, `stop(requests)` after: CPU ms per request of app and database."""

    def __init__(self, url: str, database: str, app_pids):
        self.url, self.database, self.app_pids = url, database, app_pids
        self.before: dict[str, dict[int, float]] = {}

    def _sample(self) -> dict[str, dict[int, float]]:
        sample: dict[str, dict[int, float]] = {"app": {}, "db": {}}
        for group, pids in (("app", self.app_pids()), ("db", backend_pids(self.url, self.database))):
            for pid in pids:
                value = process_cpu_seconds(pid)
                if value is not None:
                    sample[group][pid] = value
        return sample

    def start(self) -> None:
        self.before = self._sample()

    def stop(self, requests: int) -> dict | None:
        after = self._sample()
        if not requests or not after["app"]:
            return None
        spent = {
            group: sum(value - self.before.get(group, {}).get(pid, 0.0) for pid, value in after[group].items())
            for group in ("app", "db")
        }
        app_ms, db_ms = 1000 * spent["app"] / requests, 1000 * spent["db"] / requests
        total = app_ms + db_ms
        return {"app_ms": round(app_ms, 3), "db_ms": round(db_ms, 3), "total_ms": round(total, 3),
                "idle_machine_capacity_req_s": round((os.cpu_count() or 1) * 1000 / total, 1) if total else None}
