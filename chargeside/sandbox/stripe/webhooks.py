"""Signed webhook delivery on a background thread, with bounded retries.

Signature scheme (see shared/protocols/gateways.md §1): header
``Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>`` where the
secret is the ``whsec_...`` string used as-is.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field

from . import events as events_mod

# Deliveries go straight to the endpoint, never through an environment proxy.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def signature_header(payload: bytes, secret: str, timestamp: int) -> str:
    signed = str(timestamp).encode() + b"." + payload
    mac = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


@dataclass
class Attempt:
    event_id: str
    event_type: str
    endpoint_id: str
    url: str
    attempt: int
    status: int | None
    error: str | None
    at: float
    signature: str
    payload: bytes = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(order=True)
class _Job:
    due: float
    order: int
    endpoint_id: str = field(compare=False)
    url: str = field(compare=False)
    secret: str = field(compare=False)
    event_id: str = field(compare=False)
    event_type: str = field(compare=False)
    payload: bytes = field(compare=False)
    attempt: int = field(compare=False, default=1)


class Webhooks:
    """Delivery queue. ``drain()`` blocks until nothing is queued or in flight."""

    def __init__(self, *, max_attempts: int = 4, backoff: float = 0.05, timeout: float = 5.0,
                 clock=time.time):
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.timeout = timeout
        self._clock = clock  # unix time used in signatures (follows the fake's test clock)
        self.attempts: deque[Attempt] = deque(maxlen=20000)
        self._heap: list[_Job] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._inflight = 0
        self._thread: threading.Thread | None = None
        self._stopping = False

    # -- producer side ----------------------------------------------------------------------

    def enqueue(self, event: dict, endpoints: list[dict]) -> int:
        payload = json.dumps(event, indent=2, ensure_ascii=False).encode("utf-8")
        jobs = [
            _Job(time.monotonic(), next(self._order), ep["id"], ep["url"], ep["_secret"],
                 event["id"], event["type"], payload)
            for ep in endpoints
            if ep.get("status") == "enabled" and events_mod.matches(ep["enabled_events"], event["type"])
        ]
        if jobs:
            with self._cond:
                for job in jobs:
                    heapq.heappush(self._heap, job)
                self._cond.notify_all()
            self._ensure_thread()
        return len(jobs)

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until every queued delivery (including retries) has finished."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._heap or self._inflight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    def deliveries(self, *, event_id: str | None = None, event_type: str | None = None) -> list[Attempt]:
        return [
            a for a in list(self.attempts)
            if (event_id is None or a.event_id == event_id)
            and (event_type is None or a.event_type == event_type)
        ]

    def clear(self) -> None:
        self.attempts.clear()

    # -- worker ------------------------------------------------------------------------------

    def _ensure_thread(self) -> None:
        with self._cond:
            if self._thread is None or not self._thread.is_alive():
                self._stopping = False
                self._thread = threading.Thread(target=self._run, name="stripe-fake-webhooks", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping:
                    if self._heap and self._heap[0].due <= time.monotonic():
                        break
                    wait = self._heap[0].due - time.monotonic() if self._heap else 0.5
                    self._cond.wait(max(wait, 0.001))
                if self._stopping:
                    return
                job = heapq.heappop(self._heap)
                self._inflight += 1
            try:
                ok = self._deliver(job)
                if not ok and job.attempt < self.max_attempts:
                    job.attempt += 1
                    job.due = time.monotonic() + self.backoff * 2 ** (job.attempt - 2)
                    job.order = next(self._order)
                    with self._cond:
                        heapq.heappush(self._heap, job)
            finally:
                with self._cond:
                    self._inflight -= 1
                    self._cond.notify_all()

    def _deliver(self, job: _Job) -> bool:
        header = signature_header(job.payload, job.secret, int(self._clock()))
        request = urllib.request.Request(
            job.url,
            data=job.payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": header,
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
        )
        status, error = None, None
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                status = response.status
                response.read()
        except urllib.error.HTTPError as exc:
            status = exc.code
        except Exception as exc:  # connection refused, timeout, bad URL…
            error = f"{type(exc).__name__}: {exc}"
        self.attempts.append(
            Attempt(job.event_id, job.event_type, job.endpoint_id, job.url, job.attempt, status,
                    error, time.time(), header, job.payload)
        )
        return status is not None and 200 <= status < 300
