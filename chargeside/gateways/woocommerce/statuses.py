"""WooCommerce statuses → canonical statuses. Explicit tables; nothing is guessed from a status's spelling.

Orders (core): pending (awaiting payment), on-hold (awaiting action: bank transfer not yet received, or an
authorisation held by a card plugin; the REST API cannot tell which, so it is pending), processing (paid,
not shipped), completed, cancelled (by the shop or timed-out unpaid: no money moved, so voided), refunded,
failed (payment declined or abandoned), checkout-draft (block checkout in progress), trash.
A paid order with refunds becomes partially refunded in mapping.py from its refund totals.

Subscriptions (WooCommerce Subscriptions): pending, active, on-hold (a renewal payment failed, or suspended),
pending-cancel (cancelled, runs to the end of the prepaid period), cancelled, switched (replaced by another
subscription), expired.

Unknown statuses (plugins register their own, e.g. "wc-shipped") fall back to a safe default and are logged;
with STRICT (tests, env CHARGESIDE_STRICT_MAPPING=1) they raise.
"""

from __future__ import annotations

import logging
import os

from chargeside.gateways.types import ChargeStatus, SubscriptionStatus

log = logging.getLogger(__name__)
STRICT = os.environ.get("CHARGESIDE_STRICT_MAPPING", "") == "1"


class UnknownStatus(ValueError):
    pass


ORDER_STATUS = {
    "pending": ChargeStatus.PENDING,
    "on-hold": ChargeStatus.PENDING,
    "checkout-draft": ChargeStatus.PENDING,
    "processing": ChargeStatus.SUCCEEDED,
    "completed": ChargeStatus.SUCCEEDED,
    "refunded": ChargeStatus.REFUNDED,
    "cancelled": ChargeStatus.VOIDED,
    "failed": ChargeStatus.FAILED,
    "trash": ChargeStatus.VOIDED,
}
# Statuses in which the order's total was taken from the customer (before refunds).
PAID_ORDER_STATUSES = frozenset({"processing", "completed", "refunded"})

SUBSCRIPTION_STATUS = {
    "pending": SubscriptionStatus.INCOMPLETE,
    "active": SubscriptionStatus.ACTIVE,
    "on-hold": SubscriptionStatus.PAST_DUE,
    "pending-cancel": SubscriptionStatus.ACTIVE,  # with cancel_at_period_end
    "cancelled": SubscriptionStatus.CANCELED,
    "switched": SubscriptionStatus.CANCELED,
    "expired": SubscriptionStatus.CANCELED,
}
FALLBACK = {"order": ChargeStatus.PENDING, "subscription": SubscriptionStatus.INCOMPLETE}


def lookup(table: dict, value, what: str, obj_id):
    try:
        return table[value]
    except KeyError:
        if STRICT:
            raise UnknownStatus(f"Unknown WooCommerce {what} status {value!r} on {obj_id}: add it to gateways/woocommerce/statuses.py.") from None
        log.warning("Unknown WooCommerce %s status %r on %s; using %s", what, value, obj_id, FALLBACK[what])
        return FALLBACK[what]
