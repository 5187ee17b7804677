"""Fault injection for tests and demos.

``fake.faults.add(path_prefix="/v1/refunds", status=503, times=2)`` makes the next two
matching requests fail with a Stripe-shaped error *before* they run (nothing changes, no
idempotent result is saved, so a retry with the same key executes for real).
``when="after"`` runs the request first and then fails or drops the response: the
"money moved but the answer was lost" case a client must recover from with its
idempotency key. ``drop=True`` closes the connection without an answer;
``unreachable = True`` drops every request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from . import errors


@dataclass
class Fault:
    path_prefix: str = "/v1/"
    status: int = 500
    times: int | None = 1  # None: until removed
    method: str | None = None
    when: str = "before"  # or "after"
    drop: bool = False
    delay: float = 0.0
    hits: int = 0

    def error(self) -> errors.StripeError:
        if self.status == 429:
            return errors.rate_limited()
        if self.status == 409:
            return errors.idempotency_in_use("(injected)")
        if self.status >= 500:
            return errors.api_error(self.status)
        return errors.invalid_request("Injected fault", status=self.status, store_idempotent=False)


class Faults:
    def __init__(self):
        self._rules: list[Fault] = []
        self._lock = threading.Lock()
        self.unreachable = False

    def add(self, path_prefix: str = "/v1/", status: int = 500, times: int | None = 1, *,
            method: str | None = None, when: str = "before", drop: bool = False,
            delay: float = 0.0) -> Fault:
        if when not in ("before", "after"):
            raise ValueError("when must be 'before' or 'after'")
        fault = Fault(path_prefix, status, times, method.upper() if method else None, when, drop, delay)
        with self._lock:
            self._rules.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        with self._lock:
            if fault in self._rules:
                self._rules.remove(fault)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
        self.unreachable = False

    def take(self, method: str, path: str, when: str) -> Fault | None:
        """The first matching rule for this phase, consuming one of its uses."""
        with self._lock:
            for fault in self._rules:
                if fault.when != when or not path.startswith(fault.path_prefix):
                    continue
                if fault.method and fault.method != method:
                    continue
                fault.hits += 1
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._rules.remove(fault)
                return fault
        return None
