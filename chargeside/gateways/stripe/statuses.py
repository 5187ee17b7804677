"""Explicit Stripe status → Chargeside status tables, and what happens when Stripe sends a status we do not know.

API version 2026-10-28.endive; the tables also hold values only older versions send (noted inline). No value
is ever guessed from its spelling. With `STRICT` (tests, and env CHARGESIDE_STRICT_MAPPING=1) an unknown
value raises `UnknownStatus` (a ValueError) naming the table to extend. In production it logs a warning and
maps to the value that claims the least: a charge or refund stays PENDING (no money claimed to have moved),
a subscription INCOMPLETE (not counted as revenue), an invoice OPEN (never claimed paid), a dispute
NEEDS_RESPONSE (an agent looks at it rather than a deadline being missed). The DTO's `raw` keeps the truth.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from chargeside.gateways.types import (
    ChargeStatus,
    DisputeStatus,
    InvoiceStatus,
    RefundStatus,
    SubscriptionStatus,
)

log = logging.getLogger(__name__)

STRICT = os.environ.get("CHARGESIDE_STRICT_MAPPING", "") == "1"


class UnknownStatus(ValueError):
    pass


REFUND_STATUS = {
    "pending": RefundStatus.PENDING,
    "requires_action": RefundStatus.PENDING,  # waiting on the customer (e.g. bank details); not done yet
    "succeeded": RefundStatus.SUCCEEDED,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.CANCELED,
}
SUBSCRIPTION_STATUS = {
    "trialing": SubscriptionStatus.TRIALING,
    "active": SubscriptionStatus.ACTIVE,
    "past_due": SubscriptionStatus.PAST_DUE,
    "unpaid": SubscriptionStatus.UNPAID,
    "paused": SubscriptionStatus.PAUSED,
    "incomplete": SubscriptionStatus.INCOMPLETE,
    "incomplete_expired": SubscriptionStatus.CANCELED,  # first payment never succeeded; terminal
    "canceled": SubscriptionStatus.CANCELED,
}
INVOICE_STATUS = {
    "draft": InvoiceStatus.DRAFT,
    "open": InvoiceStatus.OPEN,
    "paid": InvoiceStatus.PAID,
    "void": InvoiceStatus.VOID,
    "uncollectible": InvoiceStatus.UNCOLLECTIBLE,
}
DISPUTE_STATUS = {
    "warning_needs_response": DisputeStatus.WARNING,  # inquiries: no funds withdrawn yet
    "warning_under_review": DisputeStatus.WARNING,
    "warning_closed": DisputeStatus.CLOSED,
    "needs_response": DisputeStatus.NEEDS_RESPONSE,
    "under_review": DisputeStatus.UNDER_REVIEW,
    "won": DisputeStatus.WON,
    "lost": DisputeStatus.LOST,
    "charge_refunded": DisputeStatus.CLOSED,  # pre-2019 accounts: closed by refunding
    "prevented": DisputeStatus.CLOSED,  # resolved by a prevention programme before becoming a chargeback
}
CHARGE_STATUS = {"pending": ChargeStatus.PENDING, "failed": ChargeStatus.FAILED, "succeeded": ChargeStatus.SUCCEEDED}
FALLBACK = {
    "charge": ChargeStatus.PENDING, "refund": RefundStatus.PENDING, "subscription": SubscriptionStatus.INCOMPLETE,
    "invoice": InvoiceStatus.OPEN, "dispute": DisputeStatus.NEEDS_RESPONSE,
}

def lookup(table: dict, value: Any, what: str, obj_id: str):
    try:
        return table[value]
    except KeyError:
        if STRICT:
            raise UnknownStatus(f"Unknown Stripe {what} status {value!r} on {obj_id}: add it to the {what} table in gateways/stripe/statuses.py.") from None
        log.warning("Unknown Stripe %s status %r on %s; using %s", what, value, obj_id, FALLBACK[what])
        return FALLBACK[what]
