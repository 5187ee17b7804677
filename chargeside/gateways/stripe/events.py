"""Stripe event type → ResourceKind, and a Stripe event object → InboundEvent (re-exported as mapping.event).

API version 2026-10-28.endive; snapshot events (`object: "event"`, `data.object` = the resource as rendered
in the webhook endpoint's API version). The table is explicit: a type not listed here gets kind None, is
stored by ingest and otherwise ignored. No prefix matching, so a new Stripe event type never silently
turns into an upsert of an object shape we have not read.

Quirks:
- `customer.subscription.deleted` means *canceled* (the object still exists with status canceled), so it is
  not a deletion; `customer.deleted`, `*.deleted` on products/prices/coupons/tax ids/draft invoices are.
- `payment_method.detached` and `customer.source.deleted` are treated as deletions: the method no longer
  belongs to the customer (Stripe keeps a detached PaymentMethod object, but it is useless to us).
- `customer.discount.*` carry a Discount, not a customer: it points at its subscription or customer.
- `payment_intent.*` carry a PaymentIntent; we track its latest charge (authorise, capture, cancel all
  change that charge), with no object, so ingest fetches the charge. Without a charge yet → kind None.
- `charge.refund.updated` carries a Refund; `invoice_payment.paid` points at its invoice.
- `invoice.upcoming` describes an invoice that does not exist yet (no id): not stored as an invoice.
"""

from __future__ import annotations

import logging

from chargeside.gateways.types import InboundEvent
from chargeside.gateways.types import ResourceKind as K

from . import mapping, statuses

log = logging.getLogger(__name__)


def _kinds(kind: K, *types: str) -> dict[str, K]:
    return dict.fromkeys(types, kind)


EVENT_KINDS: dict[str, K] = {
    **_kinds(K.CUSTOMER, "customer.created", "customer.updated", "customer.deleted",
             "customer.discount.created", "customer.discount.updated", "customer.discount.deleted"),
    **_kinds(K.PAYMENT_METHOD, "payment_method.attached", "payment_method.updated", "payment_method.detached",
             "payment_method.automatically_updated", "customer.source.created", "customer.source.updated",
             "customer.source.deleted", "customer.source.expiring"),
    **_kinds(K.TAX_ID, "customer.tax_id.created", "customer.tax_id.updated", "customer.tax_id.deleted"),
    **_kinds(K.CHARGE, "charge.succeeded", "charge.failed", "charge.pending", "charge.captured", "charge.expired",
             "charge.refunded", "charge.updated", "payment_intent.succeeded", "payment_intent.amount_capturable_updated",
             "payment_intent.canceled", "payment_intent.payment_failed", "payment_intent.processing",
             "payment_intent.requires_action", "payment_intent.partially_funded"),
    **_kinds(K.REFUND, "refund.created", "refund.updated", "refund.failed", "charge.refund.updated"),
    **_kinds(K.SUBSCRIPTION, "customer.subscription.created", "customer.subscription.updated",
             "customer.subscription.deleted", "customer.subscription.paused", "customer.subscription.resumed",
             "customer.subscription.pending_update_applied", "customer.subscription.pending_update_expired",
             "customer.subscription.trial_will_end"),
    **_kinds(K.INVOICE, "invoice.created", "invoice.updated", "invoice.deleted", "invoice.finalized",
             "invoice.finalization_failed", "invoice.sent", "invoice.paid", "invoice.payment_succeeded",
             "invoice.payment_failed", "invoice.payment_action_required", "invoice.marked_uncollectible",
             "invoice.voided", "invoice.overdue", "invoice.overpaid", "invoice.will_be_due", "invoice_payment.paid"),
    **_kinds(K.DISPUTE, "charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed",
             "charge.dispute.funds_withdrawn", "charge.dispute.funds_reinstated"),
    **_kinds(K.PRODUCT, "product.created", "product.updated", "product.deleted"),
    **_kinds(K.PRICE, "price.created", "price.updated", "price.deleted", "plan.created", "plan.updated", "plan.deleted"),
    **_kinds(K.COUPON, "coupon.created", "coupon.updated", "coupon.deleted"),
    **_kinds(K.PROMOTION_CODE, "promotion_code.created", "promotion_code.updated"),
}

DELETION_TYPES = frozenset({
    "customer.deleted", "payment_method.detached", "customer.source.deleted", "customer.tax_id.deleted",
    "invoice.deleted", "product.deleted", "price.deleted", "plan.deleted", "coupon.deleted",
})

MAPPERS = {
    K.CUSTOMER: mapping.customer, K.PAYMENT_METHOD: mapping.payment_method, K.TAX_ID: mapping.tax_id,
    K.CHARGE: mapping.charge, K.REFUND: mapping.refund, K.SUBSCRIPTION: mapping.subscription,
    K.INVOICE: mapping.invoice, K.DISPUTE: mapping.dispute, K.PRODUCT: mapping.product, K.PRICE: mapping.price,
    K.COUPON: mapping.coupon, K.PROMOTION_CODE: mapping.promotion_code,
}


def _target(type_: str, kind: K | None, data: dict) -> tuple[K | None, str, bool]:
    """(kind, remote id, whether data.object *is* that resource) for the event's object."""
    if kind is None:
        return None, "", False
    if type_.startswith("customer.discount."):
        if data.get("subscription"):
            return K.SUBSCRIPTION, mapping.ref(data["subscription"]), False
        return K.CUSTOMER, mapping.ref(data.get("customer")), False
    if type_.startswith("payment_intent."):
        charge_id = mapping.ref(data.get("latest_charge"))
        return (K.CHARGE, charge_id, False) if charge_id else (None, "", False)
    if type_ == "invoice_payment.paid":
        return K.INVOICE, mapping.ref(data.get("invoice")), False
    return kind, data.get("id") or "", True


def _kind_and_target(obj: dict) -> tuple[str, dict, K | None, str, bool]:
    if not isinstance(obj, dict) or obj.get("object") != "event" or not obj.get("id") or not obj.get("type"):
        raise ValueError("not a Stripe event object (expected object=event with id and type)")
    type_ = obj["type"]
    data = (obj.get("data") or {}).get("object") or {}
    kind, remote_id, is_resource = _target(type_, EVENT_KINDS.get(type_), data)
    if kind is not None and not remote_id:
        kind, is_resource = None, False  # e.g. a discount on neither customer nor subscription: nothing to sync
    return type_, data, kind, remote_id, is_resource


def summary(obj: dict) -> tuple[str, str, bool]:
    """(event id, type, whether ingest acts on it), without mapping the payload (see `event`)."""
    type_, _data, kind, _remote_id, _is_resource = _kind_and_target(obj)
    return obj["id"], type_, kind is not None


def event(obj: dict) -> InboundEvent:
    type_, data, kind, remote_id, is_resource = _kind_and_target(obj)
    dto = None
    if is_resource:
        try:
            dto = MAPPERS[kind](data)
        except (KeyError, TypeError, ValueError):
            if statuses.STRICT:
                raise
            # The payload is only a hint (ingest re-fetches); a shape we cannot read must not lose the event.
            log.warning("Could not map %s payload of Stripe event %s; ingest will re-fetch", type_, obj["id"], exc_info=True)
    return InboundEvent(
        event_id=obj["id"], type=type_, kind=kind, remote_id=remote_id, occurred_at=mapping.ts(obj.get("created")),
        deleted=kind is not None and (type_ in DELETION_TYPES or (is_resource and bool(data.get("deleted")))),
        obj=dto, raw=obj,
    )
