"""Explicit Braintree status → Chargeside status tables (braintree 4.48.0 constants), and the fallback for
values we do not know: with STRICT (tests, CHARGESIDE_STRICT_MAPPING=1) an unknown value raises; otherwise it
is logged and mapped to the value that claims least (a payment PENDING, a subscription INCOMPLETE, a dispute
NEEDS_RESPONSE). The DTO's `raw` keeps Braintree's own word.
"""

from __future__ import annotations

import logging
import os

from chargeside.gateways.types import ChargeStatus, DisputeStatus, RefundStatus, SubscriptionStatus

log = logging.getLogger(__name__)
STRICT = os.environ.get("CHARGESIDE_STRICT_MAPPING", "") == "1"


class UnknownStatus(ValueError):
    pass


# Transaction.Status; the captured statuses become REFUNDED/PARTIALLY_REFUNDED in mapping from the refunds.
CHARGE_STATUS = {
    "authorizing": ChargeStatus.PENDING,
    "authorized": ChargeStatus.AUTHORIZED,
    "authorization_expired": ChargeStatus.VOIDED,  # the hold lapsed: nothing collected, nothing held
    "submitted_for_settlement": ChargeStatus.SUCCEEDED,  # captured; money arrives at settlement
    "settlement_pending": ChargeStatus.SUCCEEDED,
    "settling": ChargeStatus.SUCCEEDED,
    "settled": ChargeStatus.SUCCEEDED,
    "settlement_confirmed": ChargeStatus.SUCCEEDED,
    "settlement_declined": ChargeStatus.FAILED,
    "settlement_failed": ChargeStatus.FAILED,
    "voided": ChargeStatus.VOIDED,
    "processor_declined": ChargeStatus.FAILED,
    "gateway_rejected": ChargeStatus.FAILED,
    "failed": ChargeStatus.FAILED,
}
# A refund is a credit transaction with the same statuses.
REFUND_STATUS = {
    "authorizing": RefundStatus.PENDING,
    "authorized": RefundStatus.PENDING,
    "submitted_for_settlement": RefundStatus.SUCCEEDED,  # Braintree has accepted it; it settles in the next batch
    "settlement_pending": RefundStatus.SUCCEEDED,
    "settling": RefundStatus.SUCCEEDED,
    "settled": RefundStatus.SUCCEEDED,
    "settlement_confirmed": RefundStatus.SUCCEEDED,
    "settlement_declined": RefundStatus.FAILED,
    "settlement_failed": RefundStatus.FAILED,
    "processor_declined": RefundStatus.FAILED,
    "gateway_rejected": RefundStatus.FAILED,
    "failed": RefundStatus.FAILED,
    "voided": RefundStatus.CANCELED,
    "authorization_expired": RefundStatus.CANCELED,
}
SUBSCRIPTION_STATUS = {
    "Active": SubscriptionStatus.ACTIVE,
    "Canceled": SubscriptionStatus.CANCELED,
    "Expired": SubscriptionStatus.CANCELED,  # ran its billing cycles out; terminal
    "Past Due": SubscriptionStatus.PAST_DUE,
    "Pending": SubscriptionStatus.TRIALING,  # first billing date in the future (with or without a trial)
}
DISPUTE_STATUS = {
    "open": DisputeStatus.NEEDS_RESPONSE,
    "disputed": DisputeStatus.UNDER_REVIEW,  # the merchant answered
    "under_review": DisputeStatus.UNDER_REVIEW,
    "won": DisputeStatus.WON,
    "lost": DisputeStatus.LOST,
    "accepted": DisputeStatus.LOST,  # the merchant accepted the chargeback
    "auto_accepted": DisputeStatus.LOST,
    "expired": DisputeStatus.LOST,  # no answer before the reply-by date
}
FALLBACK = {"charge": ChargeStatus.PENDING, "refund": RefundStatus.PENDING, "subscription": SubscriptionStatus.INCOMPLETE,
            "dispute": DisputeStatus.NEEDS_RESPONSE}


def lookup(table: dict, value, what: str, obj_id: str):
    try:
        return table[value]
    except KeyError:
        if STRICT:
            raise UnknownStatus(f"Unknown Braintree {what} status {value!r} on {obj_id}: add it to gateways/braintree/statuses.py.") from None
        log.warning("Unknown Braintree %s status %r on %s; using %s", what, value, obj_id, FALLBACK[what])
        return FALLBACK[what]
