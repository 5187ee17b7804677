"""Reference server for Chargeside's custom HTTP gateway contract (docs/custom-gateways.md).

Standard library only, in memory, seeded with a few customers. Run it:

    python examples/custom_gateway_server/server.py --port 8765 --secret S [--webhook-url URL]

then point a "custom_http" connection at http://127.0.0.1:8765 with the same secret, or check it with
`chargeside gateways check-custom http://127.0.0.1:8765 --secret S`. With --webhook-url (the connection's
webhook address, https://<chargeside>/hooks/<token>/) every change is POSTed there as a signed event.

It is written to be read and copied: `Ledger` holds the contract's rules (refundable amounts, cancel,
idempotency), `Handler` does signing and routing, `Webhooks` signs and delivers events. It implements the
signing scheme on its own (hashlib/hmac) rather than importing Chargeside, so it also proves the docs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import itertools
import json
import queue
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

TOLERANCE = 300  # seconds either way
MAX_LIMIT, DEFAULT_LIMIT = 100, 50
MAX_BODY = 64 * 1024


# --- signing (the same scheme both ways; docs/custom-gateways.md "Signing") --------------------------

def signature(secret: str, timestamp: str, method: str, target: str, key: str, body: bytes) -> str:
    message = f"{timestamp}\n{method}\n{target}\n{key}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign_headers(secrets: list[str], method: str, target: str, key: str, body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    value = ",".join(f"v1={signature(s, timestamp, method, target, key, body)}" for s in secrets)
    return {"X-Chargeside-Timestamp": timestamp, "X-Chargeside-Signature": value}


def signature_problem(headers, secrets: list[str], method: str, target: str, body: bytes) -> str:
    """Why a request must be refused, or "" if it is signed by one of `secrets` within the window."""
    timestamp = (headers.get("X-Chargeside-Timestamp") or "").strip()
    if not timestamp.isdigit():
        return "missing or malformed X-Chargeside-Timestamp"
    key = headers.get("Idempotency-Key") or ""  # signed too: a replay cannot bring a fresh key
    given = [part.strip()[3:] for part in (headers.get("X-Chargeside-Signature") or "").split(",") if part.strip().startswith("v1=")]
    ok = False
    for secret in secrets:  # compare every pair, in constant time
        expected = signature(secret, timestamp, method, target, key, body)
        for candidate in given:
            ok |= hmac.compare_digest(expected, candidate)
    if not ok:
        return "no valid v1 signature"
    if abs(time.time() - int(timestamp)) > TOLERANCE:
        return "timestamp outside the 300 s window"
    return ""


# --- state ---------------------------------------------------------------------------------------------

class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, param: str = ""):
        super().__init__(message)
        self.status, self.code, self.message, self.param = status, code, message, param

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, **({"param": self.param} if self.param else {})}}


def now_iso(offset_days: float = 0) -> str:
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(days=offset_days)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Ledger:
    """Everything the server knows, behind one lock. Objects are kept in the contract's JSON shape."""

    COLLECTIONS = ("customers", "payments", "refunds", "subscriptions", "invoices")

    def __init__(self, on_event=None):
        self.lock = threading.RLock()
        self.store: dict[str, dict[str, dict]] = {name: {} for name in self.COLLECTIONS}
        self.idempotency: dict[str, tuple[str, int, dict]] = {}  # key → (request fingerprint, status, body)
        self.counter = itertools.count(1)
        self.on_event = on_event or (lambda event: None)

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{next(self.counter):05d}"

    def get(self, collection: str, object_id: str) -> dict:
        with self.lock:
            obj = self.store[collection].get(object_id)
            if obj is None:
                raise ApiError(404, "not_found", f"No {collection[:-1]} {object_id!r}.")
            return dict(obj)

    def page(self, collection: str, *, limit: int, cursor: str | None, email: str = "") -> dict:
        """Oldest first; the cursor is the id of the last object of the previous page."""
        with self.lock:
            items = list(self.store[collection].values())
        if email:
            items = [c for c in items if (c.get("email") or "").lower() == email.lower()]
        start = 0
        if cursor:
            ids = [o["id"] for o in items]
            if cursor not in ids:
                raise ApiError(400, "invalid_cursor", "This cursor is not one this server gave out.", "cursor")
            start = ids.index(cursor) + 1
        chunk = items[start:start + limit]
        more = start + limit < len(items)
        return {"data": chunk, "next_cursor": chunk[-1]["id"] if more and chunk else None}

    # --- writes used by seeding and by the harness (no idempotency: not reachable over HTTP) -------------
    def add_customer(self, email: str, name: str) -> dict:
        return self._put("customers", {"id": self._id("cus"), "email": email, "name": name, "phone": "", "locale": "en",
                                       "metadata": {}, "created_at": now_iso(-30)}, "customer.created")

    def add_payment(self, customer_id: str, amount: int, currency: str, *, description: str = "", status: str = "succeeded",
                    invoice_id: str | None = None) -> dict:
        return self._put("payments", {"id": self._id("pay"), "customer_id": customer_id, "amount": amount, "currency": currency,
                                      "status": status, "amount_refunded": 0, "description": description, "invoice_id": invoice_id,
                                      "created_at": now_iso(-10)}, "payment.created")

    def add_subscription(self, customer_id: str, plan_id: str, plan_name: str, amount: int, currency: str, *,
                         status: str = "active") -> dict:
        sub = self._put("subscriptions", {
            "id": self._id("sub"), "customer_id": customer_id, "status": status, "plan_id": plan_id, "plan_name": plan_name,
            "amount": amount, "currency": currency, "interval": "month", "interval_count": 1, "quantity": 1,
            "current_period_start": now_iso(-10), "current_period_end": now_iso(20), "cancel_at_period_end": False,
            "canceled_at": None, "trial_end": now_iso(4) if status == "trialing" else None, "created_at": now_iso(-40)},
            "subscription.created")
        if status == "active":  # the current period's invoice, paid by a payment
            invoice_id = self._id("inv")
            pay = self.add_payment(customer_id, amount, currency, description=f"{plan_name} (monthly)", invoice_id=invoice_id)
            self._put("invoices", {
                "id": invoice_id, "customer_id": customer_id, "number": f"INV-{invoice_id[4:]}", "status": "paid",
                "currency": currency, "total": amount, "tax": 0, "amount_paid": amount, "amount_remaining": 0,
                "subscription_id": sub["id"], "payment_id": pay["id"], "hosted_url": "", "pdf_url": "", "due_at": None,
                "period_start": sub["current_period_start"], "period_end": sub["current_period_end"], "created_at": now_iso(-10),
                "lines": [{"description": f"{plan_name} (monthly)", "amount": amount, "quantity": 1, "plan_id": plan_id}]},
                "invoice.paid")
        return sub

    def _put(self, collection: str, obj: dict, event_type: str) -> dict:
        with self.lock:
            self.store[collection][obj["id"]] = obj
            self.on_event(self._event(event_type, collection, obj))
            return dict(obj)

    @staticmethod
    def _event(event_type: str, collection: str, obj: dict) -> dict:
        return {"id": f"evt_{uuid.uuid4().hex[:24]}", "type": event_type, "occurred_at": now_iso(),
                "object_type": collection[:-1], "object": dict(obj), "deleted": False}

    # --- the contract's writes ---------------------------------------------------------------------------
    def idempotent(self, key: str, fingerprint: str, run) -> tuple[int, dict, bool]:
        """Run a write once per key: a replay with the same request gets the stored answer, another request 409."""
        if not key:
            raise ApiError(400, "idempotency_key_missing", "Writes need an Idempotency-Key header.")
        if len(key) > 255:
            raise ApiError(400, "invalid_request", "Idempotency-Key is longer than 255 characters.")
        with self.lock:  # one write at a time, so a key is never "in use" by a concurrent request here
            if key in self.idempotency:
                seen, status, body = self.idempotency[key]
                if seen != fingerprint:
                    raise ApiError(409, "idempotency_conflict", "This Idempotency-Key was used with a different request.")
                return status, body, True
            try:
                status, body = 200, run()
            except ApiError as exc:
                if exc.status >= 500:
                    raise  # nothing was done: not remembered, so a retry runs again
                status, body = exc.status, exc.body()
            self.idempotency[key] = (fingerprint, status, body)
            return status, body, False

    def refund(self, payment_id: str, data: dict) -> dict:
        with self.lock:
            payment = self.store["payments"].get(payment_id)
            if payment is None:
                raise ApiError(404, "not_found", f"No payment {payment_id!r}.")
            amount, currency = data.get("amount"), data.get("currency")
            if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
                raise ApiError(400, "invalid_request", "amount must be a positive integer of minor units.", "amount")
            if currency != payment["currency"]:
                raise ApiError(400, "currency_mismatch", f"The payment is in {payment['currency']}.", "currency")
            if payment["status"] != "succeeded":
                raise ApiError(400, "not_refundable", f"A {payment['status']} payment cannot be refunded.")
            remaining = payment["amount"] - payment["amount_refunded"]
            if amount > remaining:
                raise ApiError(400, "over_refund", f"Only {remaining} of this payment can still be refunded.", "amount")
            reason, metadata = data.get("reason") or "", data.get("metadata") or {}
            if not isinstance(reason, str) or not isinstance(metadata, dict):
                raise ApiError(400, "invalid_request", "reason must be a string and metadata an object.")
            refund = {"id": self._id("re"), "payment_id": payment_id, "amount": amount, "currency": currency, "status": "succeeded",
                      "reason": reason[:500], "metadata": {str(k): str(v) for k, v in metadata.items()}, "created_at": now_iso()}
            self.store["refunds"][refund["id"]] = refund
            payment["amount_refunded"] += amount
            self.on_event(self._event("refund.created", "refunds", refund))
            self.on_event(self._event("payment.refunded", "payments", payment))
            return dict(refund)

    def cancel(self, subscription_id: str, data: dict) -> dict:
        with self.lock:
            sub = self.store["subscriptions"].get(subscription_id)
            if sub is None:
                raise ApiError(404, "not_found", f"No subscription {subscription_id!r}.")
            at_period_end = data.get("at_period_end", False)
            if not isinstance(at_period_end, bool):
                raise ApiError(400, "invalid_request", "at_period_end must be true or false.", "at_period_end")
            if sub["status"] == "canceled":
                raise ApiError(400, "already_canceled", "This subscription is already canceled.")
            if at_period_end:
                sub["cancel_at_period_end"] = True
            else:
                sub.update(status="canceled", canceled_at=now_iso(), cancel_at_period_end=False)
            self.on_event(self._event("subscription.canceled" if not at_period_end else "subscription.updated", "subscriptions", sub))
            return dict(sub)


def seed(ledger: Ledger) -> None:
    """A small, fixed world: enough for the contract checks to find everything they look for."""
    ada = ledger.add_customer("ada@example.com", "Ada Lovelace")
    ledger.add_payment(ada["id"], 5000, "EUR", description="Order 1001")
    ledger.add_subscription(ada["id"], "pro-monthly", "Pro", 2900, "EUR")
    grace = ledger.add_customer("grace@example.com", "Grace Hopper")
    order = ledger.add_payment(grace["id"], 12000, "USD", description="Order 1002")
    ledger.refund(order["id"], {"amount": 2000, "currency": "USD", "reason": "one item returned"})
    ledger.add_subscription(grace["id"], "team-monthly", "Team", 9900, "USD")
    linus = ledger.add_customer("linus@example.com", "Linus Torvalds")
    ledger.add_payment(linus["id"], 750, "JPY", description="Order 1003")
    ledger.add_payment(linus["id"], 2000, "EUR", description="Order 1004", status="failed")
    ledger.add_subscription(linus["id"], "pro-monthly", "Pro", 2900, "EUR", status="trialing")
    for n in range(4, 8):
        extra = ledger.add_customer(f"customer{n}@example.com", f"Customer {n}")
        ledger.add_subscription(extra["id"], "basic-monthly", "Basic", 900, "EUR")


# --- webhooks ------------------------------------------------------------------------------------------

class Webhooks:
    """Signs every event; keeps the signed deliveries (`sent`) and POSTs them to `url` from a thread."""

    def __init__(self, secrets: list[str], url: str = ""):
        self.secrets, self.url = secrets, url
        self.sent: list[tuple[dict, dict[str, str], bytes]] = []  # (event, headers, body)
        self.queue: queue.Queue = queue.Queue()
        if url:
            threading.Thread(target=self._deliver_forever, daemon=True, name="webhooks").start()

    def signed(self, event: dict) -> tuple[dict[str, str], bytes]:
        body = json.dumps(event, separators=(",", ":")).encode()
        return {"Content-Type": "application/json", **sign_headers(self.secrets, "WEBHOOK", "", "", body)}, body

    def __call__(self, event: dict) -> None:
        headers, body = self.signed(event)
        self.sent.append((event, headers, body))
        if self.url:
            self.queue.put(event)

    def post(self, url: str, event: dict) -> int:
        headers, body = self.signed(event)  # signed when sent, so a retry is inside the window
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def _deliver_forever(self) -> None:
        while True:
            event = self.queue.get()
            for wait in (1, 5, 30, None):  # a few retries, then give up (Chargeside's reconcile catches up)
                try:
                    if self.post(self.url, event) < 300:
                        break
                except OSError:
                    pass
                if wait is None:
                    break
                time.sleep(wait)


# --- HTTP ----------------------------------------------------------------------------------------------

ROUTES = [
    ("GET", re.compile(r"^/v1/account$"), "account"),
    ("GET", re.compile(r"^/v1/(customers|payments|refunds|subscriptions|invoices)$"), "list"),
    ("GET", re.compile(r"^/v1/(customers|payments|refunds|subscriptions|invoices)/([^/]+)$"), "get"),
    ("POST", re.compile(r"^/v1/payments/([^/]+)/refunds$"), "refund"),
    ("POST", re.compile(r"^/v1/subscriptions/([^/]+)/cancel$"), "cancel"),
    ("POST", re.compile(r"^/v1/webhook_tests$"), "webhook_test"),
]


class Handler(BaseHTTPRequestHandler):
    server_version = "ChargesideReferenceServer/1"
    disable_nagle_algorithm = True  # else each keep-alive answer waits ~40 ms for the client's delayed ACK
    app: ReferenceServer  # set on the subclass each server makes

    def log_message(self, format, *args):  # noqa: A002 - quiet unless asked
        if self.app.verbose:
            super().log_message(format, *args)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def _handle(self, method: str) -> None:
        request_id = f"req_{uuid.uuid4().hex[:16]}"
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                raise ApiError(413, "invalid_request", "Body too large.")
            body = self.rfile.read(length) if length else b""
            # self.path is the request target exactly as received: what the signature covers.
            if problem := signature_problem(self.headers, self.app.secrets, method, self.path, body):
                raise ApiError(401, "invalid_signature", f"{problem[0].upper()}{problem[1:]}.")
            status, answer, replayed = self._route(method, body)
            self._send(status, answer, request_id, replayed)
        except ApiError as exc:
            self._send(exc.status, exc.body(), request_id)
        except Exception as exc:  # a bug here: say so, and say nothing was done
            self._send(500, {"error": {"code": "internal_error", "message": type(exc).__name__}}, request_id)

    def _route(self, method: str, body: bytes) -> tuple[int, dict, bool]:
        parts = urlsplit(self.path)
        for route_method, pattern, name in ROUTES:
            if (match := pattern.match(parts.path)) is None:
                continue
            if route_method != method:
                raise ApiError(405, "invalid_request", f"{method} is not allowed here.")
            args = [unquote(g) for g in match.groups()]
            if method == "GET":
                return 200, getattr(self, f"_{name}")(parse_qs(parts.query), *args), False
            try:
                data = json.loads(body or b"{}")
            except ValueError:
                raise ApiError(400, "invalid_request", "The body is not JSON.") from None
            if not isinstance(data, dict):
                raise ApiError(400, "invalid_request", "The body must be a JSON object.")
            if name == "webhook_test":
                return 200, self._webhook_test(data), False
            fingerprint = hashlib.sha256(f"{method} {parts.path}\n".encode() + body).hexdigest()
            run = (lambda: self.app.ledger.refund(args[0], data)) if name == "refund" else (lambda: self.app.ledger.cancel(args[0], data))
            status, answer, replayed = self.app.ledger.idempotent(self.headers.get("Idempotency-Key") or "", fingerprint, run)
            return (201 if name == "refund" and status == 200 else status), answer, replayed
        raise ApiError(404, "not_found", f"No route {parts.path}.")

    def _account(self, query) -> dict:
        return {"name": self.app.name, "contract_version": 1}

    def _list(self, query, collection: str) -> dict:
        raw_limit = (query.get("limit") or [str(DEFAULT_LIMIT)])[0]
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
            raise ApiError(400, "invalid_request", f"limit must be 1 to {MAX_LIMIT}.", "limit")
        email = (query.get("email") or [""])[0] if collection == "customers" else ""
        return self.app.ledger.page(collection, limit=int(raw_limit), cursor=(query.get("cursor") or [None])[0], email=email)

    def _get(self, query, collection: str, object_id: str) -> dict:
        return self.app.ledger.get(collection, object_id)

    def _webhook_test(self, data: dict) -> dict:
        url = data.get("url")
        if not isinstance(url, str) or urlsplit(url).scheme not in {"http", "https"}:
            raise ApiError(400, "invalid_request", "url must be an http(s) address.", "url")
        event = {"id": f"evt_{uuid.uuid4().hex[:24]}", "type": "ping", "occurred_at": now_iso(), "object_type": "ping",
                 "object": None, "deleted": False}
        try:
            status = self.app.webhooks.post(url, event)
        except OSError as exc:
            return {"delivered": False, "status": None, "error": type(exc).__name__}
        return {"delivered": status < 300, "status": status}

    def _send(self, status: int, answer: dict, request_id: str, replayed: bool = False) -> None:
        body = json.dumps(answer, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Request-Id", request_id)
        if replayed:
            self.send_header("Idempotent-Replayed", "true")
        self.end_headers()
        self.wfile.write(body)


class ReferenceServer:
    """The server, startable in a thread (tests, Chargeside's sandbox harness) or from the command line."""

    def __init__(self, *, secrets: list[str], port: int = 0, webhook_url: str = "", name: str = "Reference billing server",
                 seeded: bool = True, verbose: bool = False):
        if not secrets or not all(secrets):
            raise ValueError("at least one non-empty shared secret is needed")
        self.secrets, self.name, self.verbose = list(secrets), name, verbose
        self.webhooks = Webhooks(self.secrets, webhook_url)
        self.ledger = Ledger()
        if seeded:
            seed(self.ledger)
        self.ledger.on_event = self.webhooks  # the seed is the starting state, not news
        handler = type("BoundHandler", (Handler,), {"app": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> ReferenceServer:
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True, name="reference-billing-server")
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--secret", action="append", required=True, help="shared secret (repeat while rotating: first signs)")
    parser.add_argument("--webhook-url", default="", help="where to POST signed events (the connection's webhook URL)")
    args = parser.parse_args(argv)
    server = ReferenceServer(secrets=args.secret, port=args.port, webhook_url=args.webhook_url, verbose=True)
    print(f"Reference billing server on {server.base_url} (Ctrl-C stops it)", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()


if __name__ == "__main__":
    main()
