"""Explicit PayPal status → Chargeside status tables (values from the specs in shared/specs/paypal and SDK 2.4.0).

With `STRICT` (tests, or env CHARGESIDE_STRICT_MAPPING=1) an unknown value raises `UnknownStatus`; otherwise it
is logged and mapped to the value that claims the least: a charge or refund PENDING (no money claimed to have
moved), a subscription INCOMPLETE, an invoice OPEN, a dispute NEEDS_RESPONSE. `raw` keeps the truth.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from chargeside.gateways.types import ChargeStatus, DisputeStatus, InvoiceStatus, RefundStatus, SubscriptionStatus

log = logging.getLogger(__name__)
STRICT = os.environ.get("CHARGESIDE_STRICT_MAPPING", "") == "1"


class UnknownStatus(ValueError):
    pass


CAPTURE_STATUS = {  # Payments v2 capture.status
    "COMPLETED": ChargeStatus.SUCCEEDED,
    "PARTIALLY_REFUNDED": ChargeStatus.PARTIALLY_REFUNDED,
    "REFUNDED": ChargeStatus.REFUNDED,
    "PENDING": ChargeStatus.PENDING,
    "DECLINED": ChargeStatus.FAILED,
    "FAILED": ChargeStatus.FAILED,
}
AUTHORIZATION_STATUS = {  # Payments v2 authorization.status; CAPTURED ones are re-read from their captures
    "CREATED": ChargeStatus.AUTHORIZED,
    "PENDING": ChargeStatus.PENDING,
    "DENIED": ChargeStatus.FAILED,
    "VOIDED": ChargeStatus.VOIDED,
    "EXPIRED": ChargeStatus.VOIDED,  # the hold lapsed: released like a void
    "CAPTURED": ChargeStatus.SUCCEEDED,
    "PARTIALLY_CAPTURED": ChargeStatus.SUCCEEDED,
}
REFUND_STATUS = {
    "COMPLETED": RefundStatus.SUCCEEDED,
    "PENDING": RefundStatus.PENDING,
    "FAILED": RefundStatus.FAILED,
    "CANCELLED": RefundStatus.CANCELED,
}
SUBSCRIPTION_STATUS = {
    "APPROVAL_PENDING": SubscriptionStatus.INCOMPLETE,  # the buyer has not approved it yet
    "APPROVED": SubscriptionStatus.INCOMPLETE,  # approved, not yet activated
    "ACTIVE": SubscriptionStatus.ACTIVE,  # PAST_DUE when payments have failed (see mapping.subscription)
    "SUSPENDED": SubscriptionStatus.PAUSED,
    "CANCELLED": SubscriptionStatus.CANCELED,
    "EXPIRED": SubscriptionStatus.CANCELED,  # ran its fixed number of cycles; terminal
}
INVOICE_STATUS = {  # Invoicing v2 invoice.status
    "DRAFT": InvoiceStatus.DRAFT,
    "SCHEDULED": InvoiceStatus.OPEN,
    "SENT": InvoiceStatus.OPEN,
    "UNPAID": InvoiceStatus.OPEN,
    "PAYMENT_PENDING": InvoiceStatus.OPEN,
    "PARTIALLY_PAID": InvoiceStatus.OPEN,
    "PAID": InvoiceStatus.PAID,
    "MARKED_AS_PAID": InvoiceStatus.PAID,
    "PARTIALLY_REFUNDED": InvoiceStatus.PAID,
    "REFUNDED": InvoiceStatus.PAID,  # was paid; the refund is the payment's story
    "MARKED_AS_REFUNDED": InvoiceStatus.PAID,
    "CANCELLED": InvoiceStatus.VOID,
}
DISPUTE_STATUS = {  # customer_disputes v1 dispute.status, before the outcome and life-cycle stage refine it
    "OPEN": DisputeStatus.NEEDS_RESPONSE,
    "WAITING_FOR_SELLER_RESPONSE": DisputeStatus.NEEDS_RESPONSE,
    "WAITING_FOR_BUYER_RESPONSE": DisputeStatus.UNDER_REVIEW,
    "UNDER_REVIEW": DisputeStatus.UNDER_REVIEW,
    "OTHER": DisputeStatus.UNDER_REVIEW,
    "RESOLVED": DisputeStatus.CLOSED,
}
DISPUTE_OUTCOME = {  # dispute_outcome.outcome_code of a RESOLVED dispute
    "RESOLVED_BUYER_FAVOUR": DisputeStatus.LOST,
    "RESOLVED_SELLER_FAVOUR": DisputeStatus.WON,
    "RESOLVED_WITH_PAYOUT": DisputeStatus.WON,
    "CANCELED_BY_BUYER": DisputeStatus.WON,
    "ACCEPTED": DisputeStatus.LOST,  # the seller accepted the claim
    "DENIED": DisputeStatus.WON,
    "NONE": DisputeStatus.CLOSED,
}
FALLBACK = {
    "capture": ChargeStatus.PENDING, "authorization": ChargeStatus.PENDING, "refund": RefundStatus.PENDING,
    "subscription": SubscriptionStatus.INCOMPLETE, "invoice": InvoiceStatus.OPEN, "dispute": DisputeStatus.NEEDS_RESPONSE,
    "dispute outcome": DisputeStatus.CLOSED,
}


def lookup(table: dict, value: Any, what: str, obj_id: str):
    try:
        return table[value]
    except KeyError:
        if STRICT:
            raise UnknownStatus(f"Unknown PayPal {what} status {value!r} on {obj_id}: add it to gateways/paypal/statuses.py.") from None
        log.warning("Unknown PayPal %s status %r on %s; using %s", what, value, obj_id, FALLBACK[what])
        return FALLBACK[what]
