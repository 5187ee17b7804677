"""Explicit Recurly state → Chargeside status tables (API v2021-02-25), and the policy for unknown values.

No value is guessed from its spelling. With `STRICT` (tests, and env CHARGESIDE_STRICT_MAPPING=1) an unknown
value raises `UnknownStatus` (a ValueError) naming the table to extend. In production it logs a warning and
maps to the value that claims the least: a charge or refund stays PENDING (no money claimed to have moved), a
subscription INCOMPLETE (not counted as live), an invoice OPEN (never claimed paid). `raw` keeps the truth.

Recurly quirks encoded here:
- Transactions: `status` says what happened to the attempt; `type` says whether it is a payment
  (purchase/capture), a hold (authorization), a refund or a card check (verify). An authorization that
  succeeded is held money (AUTHORIZED), not a payment.
- Subscriptions: `canceled` means "will not renew": it stays live until `expires_at` (our cancel at period
  end); `expired` is the terminal state; `failed` never started (its first payment failed); `future` starts
  later (nothing billed yet: INCOMPLETE). `in_trial` and `live` are list *filters*, not states, but are
  read defensively.
- Invoices: `closed` is a fully refunded or written-off charge invoice and a used-up credit invoice; `failed`
  is a charge invoice whose dunning ended unpaid.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from chargeside.gateways.types import ChargeStatus, InvoiceStatus, RefundStatus, SubscriptionStatus

log = logging.getLogger(__name__)

STRICT = os.environ.get("CHARGESIDE_STRICT_MAPPING", "") == "1"


class UnknownStatus(ValueError):
    pass


# (transaction type, status) is read in two steps: the status first, then whether a success is a hold.
TRANSACTION_STATUS = {
    "success": ChargeStatus.SUCCEEDED,
    "declined": ChargeStatus.FAILED,
    "error": ChargeStatus.FAILED,
    "void": ChargeStatus.VOIDED,
    "pending": ChargeStatus.PENDING,
    "processing": ChargeStatus.PENDING,
    "scheduled": ChargeStatus.PENDING,
    "chargeback": ChargeStatus.SUCCEEDED,  # the money was taken; the chargeback itself is a separate matter
}
CHARGE_TYPES = frozenset({"purchase", "authorization", "capture"})
REFUND_STATUS = {
    "success": RefundStatus.SUCCEEDED,
    "declined": RefundStatus.FAILED,
    "error": RefundStatus.FAILED,
    "void": RefundStatus.CANCELED,
    "pending": RefundStatus.PENDING,
    "processing": RefundStatus.PENDING,
    "scheduled": RefundStatus.PENDING,
    "chargeback": RefundStatus.SUCCEEDED,
}
SUBSCRIPTION_STATUS = {
    "active": SubscriptionStatus.ACTIVE,
    "canceled": SubscriptionStatus.ACTIVE,  # live until expires_at; the mapper sets cancel_at_period_end
    "expired": SubscriptionStatus.CANCELED,
    "failed": SubscriptionStatus.CANCELED,
    "future": SubscriptionStatus.INCOMPLETE,
    "paused": SubscriptionStatus.PAUSED,
    "in_trial": SubscriptionStatus.TRIALING,
    "live": SubscriptionStatus.ACTIVE,
}
INVOICE_STATUS = {
    "pending": InvoiceStatus.OPEN,
    "processing": InvoiceStatus.OPEN,
    "open": InvoiceStatus.OPEN,
    "past_due": InvoiceStatus.OPEN,
    "paid": InvoiceStatus.PAID,
    "closed": InvoiceStatus.PAID,
    "failed": InvoiceStatus.UNCOLLECTIBLE,
    "voided": InvoiceStatus.VOID,
}
FALLBACK = {
    "transaction": ChargeStatus.PENDING, "refund": RefundStatus.PENDING,
    "subscription": SubscriptionStatus.INCOMPLETE, "invoice": InvoiceStatus.OPEN,
}
TABLES = {"transaction": TRANSACTION_STATUS, "refund": REFUND_STATUS, "subscription": SUBSCRIPTION_STATUS, "invoice": INVOICE_STATUS}


def lookup(what: str, value: Any, obj_id: str):
    try:
        return TABLES[what][value]
    except KeyError:
        if STRICT:
            raise UnknownStatus(f"Unknown Recurly {what} state {value!r} on {obj_id}: add it to the {what} table in gateways/recurly/statuses.py.") from None
        log.warning("Unknown Recurly %s state %r on %s; using %s", what, value, obj_id, FALLBACK[what])
        return FALLBACK[what]
