"""Fault injection: make the next N matching requests fail the way PayPal fails (tests of retries and errors).

`fake.faults.add(status=429)` → the next request answers 429 RATE_LIMIT_REACHED; `add(status=503, path="/v2/payments/",
times=2)` → the next two requests whose path starts there answer 503; `add(drop=True)` closes the connection
without an answer (a network failure: nothing is known to have happened). The OAuth token call is exempt
unless `path` names it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass
class Fault:
    status: int = 500
    path: str = ""
    method: str = ""
    times: int = 1
    drop: bool = False
    after: bool = False  # apply the request first, then fail the answer (the write happened, the caller cannot know)


class Faults:
    def __init__(self):
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, *, status: int = 500, path: str = "", method: str = "", times: int = 1, drop: bool = False, after: bool = False) -> None:
        with self._lock:
            self._faults.append(Fault(status, path, method.upper(), times, drop, after))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path and not path.startswith(fault.path):
                    continue
                if not fault.path and path == "/v1/oauth2/token":
                    continue
                if fault.method and fault.method != method:
                    continue
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None
