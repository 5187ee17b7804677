"""Webhook deliveries as WooCommerce sends them (`WC_Webhook::deliver`).

POST to the delivery URL, body = the resource as the REST API renders it (wp_json_encode bytes: escaped
slashes), headers `X-WC-Webhook-Source` (home URL + "/"), `-Topic`, `-Resource`, `-Event`,
`-Signature` (base64 HMAC-SHA256 of the body with the secret, after wp_specialchars_decode), `-ID`,
`-Delivery-ID` (wp_hash(webhook id . unix seconds): two deliveries of one webhook in the same second share
it). On save, an active webhook is pinged with the form body `webhook_id=<id>` and no signature.

WooCommerce does not retry a failed delivery; it counts consecutive failures and disables the webhook after
5 (`woocommerce_max_webhook_delivery_failures`). The fake does the same by default; `retries=N` adds up to N
re-sends of the same bytes (same delivery id), for tests of duplicate handling.
Deliveries run on one background thread in order; `flush()` waits until every queued one is done.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import queue
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from .shapes import WC_VERSION, php_json

MAX_FAILURES = 5
USER_AGENT = f"WooCommerce/{WC_VERSION} Hookshot (WordPress/6.8.2)"


def specialchars_decode(value: str) -> str:
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#039;", "'"), ("&#39;", "'"), ("&amp;", "&")):
        value = value.replace(entity, char)
    return value


def signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(specialchars_decode(secret).encode(), body, hashlib.sha256).digest()).decode()


def delivery_id(webhook_id: int, when: int) -> str:
    # wp_hash() is an HMAC-MD5 keyed with the site's salt; the fake's salt is fixed.
    return hmac.new(b"fake-wp-salt", f"{webhook_id}{when}".encode(), hashlib.md5).hexdigest()


@dataclass
class Delivery:
    webhook_id: int
    url: str
    headers: dict[str, str]
    body: bytes
    attempts: int = 0
    responses: list[int] = field(default_factory=list)  # HTTP statuses (0: no answer)


class Dispatcher:
    def __init__(self, fake, *, retries: int = 0):
        self.fake = fake
        self.retries = retries
        self.log: list[Delivery] = []
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="woo-fake-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread:
            self._queue.put(None)
            self._thread.join(timeout=10)

    def flush(self) -> None:
        self._queue.join()

    def emit(self, topic: str, payload: dict) -> None:
        """Queue `payload` for every active webhook subscribed to `topic` (or to "action.*" style wildcards)."""
        resource, _, event = topic.partition(".")
        body = php_json(payload)
        for hook in self.fake.store.all("webhook"):
            if hook["status"] != "active" or hook["topic"] not in (topic, f"{resource}.*", "*"):
                continue
            headers = self.headers_for(hook["id"], hook["__secret"], topic, body)
            self._enqueue(Delivery(hook["id"], hook["delivery_url"], headers, body))

    def headers_for(self, webhook_id: int, secret: str, topic: str, body: bytes) -> dict[str, str]:
        resource, _, event = topic.partition(".")
        return {
            "Content-Type": "application/json", "User-Agent": USER_AGENT,
            "X-WC-Webhook-Source": self.fake.home + "/", "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": resource, "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": signature(secret, body), "X-WC-Webhook-ID": str(webhook_id),
            "X-WC-Webhook-Delivery-ID": delivery_id(webhook_id, int(time.time())),
        }

    def ping(self, hook: dict) -> None:
        headers = {"User-Agent": USER_AGENT, "Content-Type": "application/x-www-form-urlencoded"}
        self._enqueue(Delivery(hook["id"], hook["delivery_url"], headers, f"webhook_id={hook['id']}".encode()))

    def redeliver(self, delivery: Delivery) -> None:
        """Send the same bytes again (what a merchant's "resend" or a proxy's retry produces)."""
        self._enqueue(Delivery(delivery.webhook_id, delivery.url, dict(delivery.headers), delivery.body))

    def _enqueue(self, delivery: Delivery) -> None:
        self.log.append(delivery)
        self._queue.put(delivery)

    def _run(self) -> None:
        while True:
            delivery = self._queue.get()
            try:
                if delivery is None:
                    return
                self._send(delivery)
            finally:
                self._queue.task_done()

    def _send(self, delivery: Delivery) -> None:
        while True:
            delivery.attempts += 1
            status = _post(delivery)
            delivery.responses.append(status)
            ok = 200 <= status < 300
            self._count(delivery.webhook_id, ok)
            if ok or delivery.attempts > self.retries:
                return

    def _count(self, webhook_id: int, ok: bool) -> None:
        with self.fake.store.lock:
            hook = self.fake.store.get("webhook", webhook_id)
            if hook is None:
                return
            hook["__failures"] = 0 if ok else hook.get("__failures", 0) + 1
            if hook["__failures"] > MAX_FAILURES:
                hook["status"] = "disabled"
            self.fake.store.put("webhook", hook)


def _post(delivery: Delivery) -> int:
    request = urllib.request.Request(delivery.url, data=delivery.body, headers=delivery.headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return 0
