"""Braintree webhook notifications, built and signed as Braintree sends them, delivered with retries.

A notification is a form POST (`application/x-www-form-urlencoded`) of two fields:
- `bt_payload`: base64 (MIME style, a newline every 76 characters, as `base64.encodebytes` writes it) of
  `<notification><timestamp type="datetime">…</timestamp><kind>…</kind><subject>…</subject></notification>`,
  the subject holding the whole object (subscription, transaction or dispute) as the API renders it;
- `bt_signature`: `"{public_key}|{hex HMAC-SHA1(key=SHA1(private_key), bt_payload)}"` (protocols/gateways.md §3;
  the SDK's `webhook_testing.sample_notification` builds the same).
Non-2xx answers and connection errors are retried (max_attempts, doubling back-off) on a background thread.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import heapq
import itertools
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from . import wire

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def sign(payload: bytes, public_key: str, private_key: str) -> str:
    mac = hmac.new(hashlib.sha1(private_key.encode()).digest(), payload, hashlib.sha1).hexdigest()
    return f"{public_key}|{mac}"


def notification_xml(kind: str, timestamp, subject_name: str, subject: dict) -> bytes:
    return wire.document("notification", {"timestamp": timestamp, "kind": kind, "subject": {subject_name: subject}})


def form_body(kind: str, timestamp, subject_name: str, subject: dict, public_key: str, private_key: str) -> bytes:
    payload = base64.encodebytes(notification_xml(kind, timestamp, subject_name, subject))
    return urllib.parse.urlencode({"bt_signature": sign(payload, public_key, private_key), "bt_payload": payload.decode()}).encode()


@dataclass
class Attempt:
    kind: str
    url: str
    attempt: int
    status: int | None
    error: str | None
    body: bytes = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(order=True)
class _Job:
    due: float
    order: int
    url: str = field(compare=False)
    kind: str = field(compare=False)
    body: bytes = field(compare=False)
    attempt: int = field(compare=False, default=1)


class Webhooks:
    """Delivery queue; `drain()` blocks until nothing is queued or in flight."""

    def __init__(self, *, max_attempts: int = 4, backoff: float = 0.05, timeout: float = 5.0):
        self.max_attempts, self.backoff, self.timeout = max_attempts, backoff, timeout
        self.endpoints: list[str] = []
        self.sent: list[Attempt] = []
        self._heap: list[_Job] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._inflight = 0
        self._stopping = False
        self._thread: threading.Thread | None = None

    def register(self, url: str) -> None:
        self.endpoints.append(url)

    def enqueue(self, kind: str, body: bytes) -> None:
        with self._cond:
            for url in self.endpoints:
                heapq.heappush(self._heap, _Job(time.monotonic(), next(self._order), url, kind, body))
            self._cond.notify_all()
        self._ensure_thread()

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="braintree-fake-webhooks", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and (not self._heap or self._heap[0].due > time.monotonic()):
                    self._cond.wait(timeout=(self._heap[0].due - time.monotonic()) if self._heap else 0.5)
                if self._stopping:
                    return
                job = heapq.heappop(self._heap)
                self._inflight += 1
            try:
                self._deliver(job)
            finally:
                with self._cond:
                    self._inflight -= 1
                    self._cond.notify_all()

    def _deliver(self, job: _Job) -> None:
        request = urllib.request.Request(job.url, data=job.body, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Braintree/1.0"})
        status, error = None, None
        try:
            with _OPENER.open(request, timeout=self.timeout) as answer:
                status = answer.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, OSError) as exc:
            error = str(exc)
        attempt = Attempt(job.kind, job.url, job.attempt, status, error, job.body)
        self.sent.append(attempt)
        if not attempt.ok and job.attempt < self.max_attempts:
            with self._cond:
                heapq.heappush(self._heap, _Job(time.monotonic() + self.backoff * 2 ** (job.attempt - 1), next(self._order),
                                                job.url, job.kind, job.body, job.attempt + 1))
                self._cond.notify_all()

    def drain(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while (self._heap or self._inflight) and time.monotonic() < deadline:
                self._cond.wait(timeout=0.05)

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=2)
