"""Signed JSON notifications, delivered on a background thread with bounded retries, as Recurly sends them.

Header `recurly-signature: <unix ms>,<hex HMAC-SHA256(secret, f"{ms}.{body}")>` (see
shared/protocols/gateways.md §5); after `rotate_secret` both the new and the old secret sign for a while, so
the header carries two signatures. Body: `{"id", "object_type", "site_id", "event_type", "event_time",
"uuid"[, "account_code"]}`. A delivery that does not answer 2xx is retried (`max_attempts`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # straight to the endpoint


def signature_header(payload: bytes, secrets: list[str], timestamp_ms: int) -> str:
    signed = str(timestamp_ms).encode("ascii") + b"." + payload
    return ",".join([str(timestamp_ms)] + [hmac.new(s.encode("utf-8"), signed, hashlib.sha256).hexdigest() for s in secrets])


@dataclass
class Endpoint:
    url: str
    secret: str
    old_secrets: list[str] = field(default_factory=list)


@dataclass
class Attempt:
    url: str
    notification: dict
    attempt: int
    status: int | None
    error: str | None
    signature: str
    payload: bytes = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Webhooks:
    def __init__(self, *, max_attempts: int = 4, backoff: float = 0.05, timeout: float = 5.0, clock=time.time):
        self.endpoints: list[Endpoint] = []
        self.max_attempts, self.backoff, self.timeout, self._clock = max_attempts, backoff, timeout, clock
        self.attempts: list[Attempt] = []
        self.sent: list[dict] = []  # every notification made, delivered or not (endpoints or none)
        self._queue: queue.Queue = queue.Queue()
        self._pending = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def enqueue(self, notification: dict) -> None:
        self.sent.append(notification)
        payload = json.dumps(notification, separators=(",", ":")).encode("utf-8")
        for endpoint in list(self.endpoints):
            with self._cond:
                self._pending += 1
            self._queue.put((endpoint, notification, payload, 1))
        self._ensure_thread()

    def drain(self, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    def _ensure_thread(self) -> None:
        with self._cond:
            if self._thread is None or not self._thread.is_alive():
                self._stopping = False
                self._thread = threading.Thread(target=self._run, name="recurly-fake-webhooks", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stopping = True
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _run(self) -> None:
        while not self._stopping:
            job = self._queue.get()
            if job is None:
                return
            endpoint, notification, payload, attempt = job
            ok = self._deliver(endpoint, notification, payload, attempt)
            if not ok and attempt < self.max_attempts and not self._stopping:
                time.sleep(self.backoff * 2 ** (attempt - 1))
                self._queue.put((endpoint, notification, payload, attempt + 1))
                continue
            with self._cond:
                self._pending -= 1
                self._cond.notify_all()

    def _deliver(self, endpoint: Endpoint, notification: dict, payload: bytes, attempt: int) -> bool:
        header = signature_header(payload, [endpoint.secret, *endpoint.old_secrets], int(self._clock() * 1000))
        request = urllib.request.Request(endpoint.url, data=payload, method="POST", headers={
            "Content-Type": "application/json", "recurly-signature": header, "User-Agent": "Recurly Webhooks",
        })
        status, error = None, None
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                status = response.status
                response.read()
        except urllib.error.HTTPError as exc:
            status = exc.code
        except Exception as exc:  # refused, timeout, bad URL…
            error = f"{type(exc).__name__}: {exc}"
        self.attempts.append(Attempt(endpoint.url, notification, attempt, status, error, header, payload))
        return status is not None and 200 <= status < 300
