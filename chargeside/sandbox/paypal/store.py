"""The fake's state: PayPal objects as PayPal renders them (plain JSON dicts), kept in memory under one lock.

Orders own their payments as PayPal nests them (`purchase_units[0].payments.{authorizations,captures,refunds}`);
`payment_index` finds the order of any capture, authorisation or refund id. Every list keeps insertion order
(oldest first). State lives as long as the fake object (tests and the demo build a fresh one and seed it).
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
import threading
import time

ALPHABET = string.ascii_uppercase + string.digits


ACCOUNT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # the spec's account_id pattern ^[2-9A-HJ-NP-Z]{13}$
MERCHANT_ID = "7FAKE2CHARGE3"


def account_id() -> str:
    """A payer or merchant id: 13 characters, no 0/1/I/O."""
    return "".join(secrets.choice(ACCOUNT_ALPHABET) for _ in range(13))


def paypal_id(length: int = 17) -> str:
    # PayPal payment ids: upper-case letters and digits, e.g. "2GG279541U471931P" (pattern ^[A-Z0-9]+$).
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


class Clock:
    """Wall clock plus an offset, so tests can place objects in the past."""

    def __init__(self):
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def iso(self, at: float | None = None) -> str:
        moment = dt.datetime.fromtimestamp(self.now() if at is None else at, tz=dt.UTC).replace(microsecond=0)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    def __init__(self):
        self.lock = threading.RLock()
        self.clock = Clock()
        self.orders: dict[str, dict] = {}
        self.payment_index: dict[str, tuple[str, str]] = {}  # payment id → (order id, "captures"/"authorizations"/"refunds")
        self.products: dict[str, dict] = {}
        self.plans: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.invoices: dict[str, dict] = {}
        self.disputes: dict[str, dict] = {}
        self.webhooks: dict[str, dict] = {}  # webhook id → {"id", "url", "event_types"}
        self.events: list[dict] = []
        self.tokens: dict[str, float] = {}  # access token → expires at
        self.request_ids: dict[tuple[str, str], tuple[str, int, dict]] = {}  # (PayPal-Request-Id, client) → (path, status, body)
        self.transmissions: dict[str, bytes] = {}  # transmission id → body as sent (for verify-webhook-signature)
        self.invoice_numbers = 0

    # payments -----------------------------------------------------------------------------------------------
    def payments(self, order: dict) -> dict:
        return order["purchase_units"][0].setdefault("payments", {})

    def payment(self, payment_id: str, kind: str) -> tuple[dict, dict] | None:
        """(order, payment) for a capture/authorization/refund id of that kind, or None."""
        found = self.payment_index.get(payment_id)
        if not found or found[1] != kind:
            return None
        order = self.orders[found[0]]
        return order, next(p for p in self.payments(order)[kind] if p["id"] == payment_id)

    def add_payment(self, order: dict, kind: str, payment: dict) -> dict:
        self.payments(order).setdefault(kind, []).append(payment)
        self.payment_index[payment["id"]] = (order["id"], kind)
        return payment

    def all_payments(self, kind: str) -> list[tuple[dict, dict]]:
        return [(order, p) for order in self.orders.values() for p in self.payments(order).get(kind, [])]
