"""CPU time spent per request by the server side (gunicorn workers + their PostgreSQL backends).

Requests/s and latency depend on whatever else the machine is doing; the CPU seconds our processes burn per
request hardly do. On a shared machine this is the figure that still compares panel and bare view fairly:
at saturation an idle machine serves about `cores / cpu_per_request` requests/s (less the load generator's
own share). The same works per backfilled object or per applied event. Read from /proc/<pid>/stat (utime + stime), so Linux only; elsewhere the figures are absent.
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
    """`start()` before a run, `stop(units)` after: CPU ms per unit (request, object, event) of each group
    of processes (`groups`: name → callable returning pids) and of the database's client backends."""

    def __init__(self, url: str, database: str, groups: dict):
        self.url, self.database, self.groups = url, database, groups
        self.before: dict[str, dict[int, float]] = {}

    def _sample(self) -> dict[str, dict[int, float]]:
        pids = {name: pids_of() for name, pids_of in self.groups.items()}
        pids["db"] = backend_pids(self.url, self.database)
        sample: dict[str, dict[int, float]] = {}
        for group, members in pids.items():
            sample[group] = {pid: value for pid in members if (value := process_cpu_seconds(pid)) is not None}
        return sample

    def start(self) -> None:
        self.before = self._sample()

    def stop(self, units: int) -> dict | None:
        after = self._sample()
        if not units:
            return None
        figures, total = {}, 0.0
        for group, values in after.items():
            spent = sum(value - self.before.get(group, {}).get(pid, 0.0) for pid, value in values.items())
            figures[f"{group}_ms"] = round(1000 * spent / units, 3)
            total += 1000 * spent / units
        figures["total_ms"] = round(total, 3)
        figures["idle_machine_capacity_per_s"] = round((os.cpu_count() or 1) * 1000 / total, 1) if total else None
        return figures
