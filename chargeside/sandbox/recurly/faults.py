"""Fault injection: `fake.faults.add(path_prefix="/invoices", status=503, times=2)` makes the next two
matching requests fail in Recurly's error shape *before* they run (nothing changes). `when="after"` runs
the request and then fails or drops the answer (the "money moved, answer lost" case). `drop=True` hangs up
without an answer; `unreachable = True` drops every request."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .errors import ApiError


@dataclass
class Fault:
    path_prefix: str = "/"
    status: int = 500
    times: int | None = 1  # None: until removed
    method: str | None = None
    when: str = "before"
    drop: bool = False
    hits: int = 0

    def error(self) -> ApiError:
        if self.status == 429:
            return ApiError("rate_limited", "You have made too many API requests in the last hour. Future API requests will be ignored until the beginning of the next hour.")
        if self.status == 503:
            return ApiError("service_not_available", "Recurly is temporarily unavailable.", status=503)
        if self.status >= 500:
            return ApiError("internal_server_error", "An internal server error has occurred.", status=self.status)
        return ApiError("bad_request", "Injected fault", status=self.status)


class Faults:
    def __init__(self):
        self._rules: list[Fault] = []
        self._lock = threading.Lock()
        self.unreachable = False

    def add(self, path_prefix: str = "/", status: int = 500, times: int | None = 1, *, method: str | None = None,
            when: str = "before", drop: bool = False) -> Fault:
        if when not in ("before", "after"):
            raise ValueError("when must be 'before' or 'after'")
        fault = Fault(path_prefix, status, times, method.upper() if method else None, when, drop)
        with self._lock:
            self._rules.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
        self.unreachable = False

    def take(self, method: str, path: str, when: str) -> Fault | None:
        with self._lock:
            for fault in self._rules:
                if fault.when != when or not path.startswith(fault.path_prefix) or (fault.method and fault.method != method):
                    continue
                fault.hits += 1
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._rules.remove(fault)
                return fault
        return None
