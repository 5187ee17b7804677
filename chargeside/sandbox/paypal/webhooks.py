"""Webhook events and their signed delivery, as PayPal sends them.

Each state change makes one event `{"id": "WH-…", "event_version": "1.0", "create_time", "resource_type",
"resource_version", "event_type", "summary", "resource", "links"}`, POSTed as JSON to every registered
webhook that subscribed to its type (or to "*"), with the transmission headers PAYPAL-TRANSMISSION-ID,
-TIME, -SIG, PAYPAL-CERT-URL and PAYPAL-AUTH-ALGO (signing.py). Each webhook has its own id, which is part of
what is signed. A delivery that does not get a 2xx is retried after each of `retry_delays` seconds (PayPal
retries up to 25 times over 3 days; the fake is quicker). `synchronous=True` delivers inside the request
that changed the state (handy in tests: the delivery has happened when the API call returns).
"""

from __future__ import annotations

import json
import queue
import threading
import time
import urllib.request
import uuid

from .signing import AUTH_ALGO, CERT_NAME, Signer
from .store import Store, paypal_id

RESOURCE_VERSION = {"capture": "2.0", "authorization": "2.0", "refund": "2.0", "checkout-order": "2.0",
                    "subscription": "2.0", "plan": "2.0", "product": "1.0", "invoices": "2.0", "dispute": "1.0"}


class Webhooks:
    def __init__(self, store: Store, signer: Signer):
        self.store = store
        self.signer = signer
        self.base_url = ""
        self.synchronous = False
        self.retry_delays: tuple[float, ...] = (1.0, 5.0, 30.0)
        self.attempts: list[dict] = []  # every delivery attempt: {"event_id", "url", "status"}
        self._queue: queue.Queue = queue.Queue()
        self._worker: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- events ---------------------------------------------------------------------------------------------
    def emit(self, event_type: str, resource_type: str, resource: dict, summary: str = "") -> dict:
        event_id = f"WH-{paypal_id(17)}-{paypal_id(17)}"
        event = {"id": event_id, "event_version": "1.0", "create_time": self.store.clock.iso(), "resource_type": resource_type,
                 "resource_version": RESOURCE_VERSION.get(resource_type, "2.0"), "event_type": event_type,
                 "summary": summary or event_type.replace(".", " ").capitalize(), "resource": json.loads(json.dumps(resource)),
                 "links": [{"href": f"https://api.sandbox.paypal.com/v1/notifications/webhooks-events/{event_id}", "rel": "self", "method": "GET"},
                           {"href": f"https://api.sandbox.paypal.com/v1/notifications/webhooks-events/{event_id}/resend", "rel": "resend", "method": "POST"}]}
        self.store.events.append(event)
        for hook in list(self.store.webhooks.values()):
            types = {t["name"] for t in hook["event_types"]}
            if hook["url"] and ("*" in types or event_type in types):
                self._send_later(hook, event)
        return event

    # -- signing --------------------------------------------------------------------------------------------
    @property
    def cert_url(self) -> str:
        return f"{self.base_url}/v1/notifications/certs/{CERT_NAME}"

    def signed(self, webhook_id: str, event: dict, *, transmission_time: str | None = None) -> tuple[dict[str, str], bytes]:
        """Headers and body exactly as a delivery of `event` to webhook `webhook_id` carries them."""
        body = json.dumps(event, separators=(",", ":")).encode()
        transmission_id = str(uuid.uuid4())
        when = transmission_time or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())  # wall clock: receivers check theirs
        self.store.transmissions[transmission_id] = body
        headers = {"Content-Type": "application/json", "User-Agent": "PayPal/AUHD-214.0-58266056",
                   "PAYPAL-TRANSMISSION-ID": transmission_id, "PAYPAL-TRANSMISSION-TIME": when,
                   "PAYPAL-TRANSMISSION-SIG": self.signer.sign(transmission_id, when, webhook_id, body),
                   "PAYPAL-CERT-URL": self.cert_url, "PAYPAL-AUTH-ALGO": AUTH_ALGO}
        return headers, body

    # -- delivery -------------------------------------------------------------------------------------------
    def _send_later(self, hook: dict, event: dict) -> None:
        if self.synchronous:
            if not self._post(hook, event):
                self._queue.put((time.monotonic() + self.retry_delays[0], hook, event, 1) if self.retry_delays else None)
                self._ensure_worker()
            return
        self._queue.put((time.monotonic(), hook, event, 0))
        self._ensure_worker()

    def _post(self, hook: dict, event: dict) -> bool:
        headers, body = self.signed(hook["id"], event)
        status = 0
        try:
            request = urllib.request.Request(hook["url"], data=body, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except Exception:
            status = 0
        self.attempts.append({"event_id": event["id"], "url": hook["url"], "status": status})
        return 200 <= status < 300

    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._stopping.clear()
            self._worker = threading.Thread(target=self._run, name="paypal-fake-webhooks", daemon=True)
            self._worker.start()

    def _run(self) -> None:
        waiting: list[tuple[float, dict, dict, int]] = []
        while not self._stopping.is_set():
            try:
                item = self._queue.get(timeout=0.05)
                if item is not None:
                    waiting.append(item)
            except queue.Empty:
                pass
            now = time.monotonic()
            due = [w for w in waiting if w[0] <= now]
            waiting = [w for w in waiting if w[0] > now]
            for _, hook, event, attempt in due:
                if not self._post(hook, event) and attempt < len(self.retry_delays):
                    waiting.append((time.monotonic() + self.retry_delays[attempt], hook, event, attempt + 1))

    def idle(self) -> bool:
        return self._queue.empty()

    def stop(self) -> None:
        self._stopping.set()
        if self._worker is not None:
            self._worker.join(timeout=5)
            self._worker = None
