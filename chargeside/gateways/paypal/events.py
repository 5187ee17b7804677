"""PayPal webhook event → InboundEvents. The table is explicit; a type not listed is stored and ignored.

One PayPal event can touch several of our objects, so it may yield several InboundEvents, with derived ids
(`<event id>#customer`, `<event id>#charge:<id>`) that stay unique and stable across PayPal's retries:
- CHECKOUT.ORDER.* carry the order: its payer (the only place a customer appears) and every payment in it.
- PAYMENT.CAPTURE.REFUNDED / PAYMENT.REFUND.* carry the refund: the refund, and its capture (the `up` link).
- BILLING.SUBSCRIPTION.* carry the subscription and its subscriber.
- INVOICING.INVOICE.* carry the invoice and its recipient.
- A capture made from an authorisation is the authorisation's charge (mapping.py), so it targets that id.
Payment, subscription, invoice and dispute payloads are only hints: the adapter asks ingest to re-fetch them
(PayPal retries for days, so a payload can be older than what we hold). Customers cannot be fetched (PayPal
has no customer API), so their copy is written as the event carries it.
"""

from __future__ import annotations

import json
import logging

from chargeside.gateways.types import InboundEvent
from chargeside.gateways.types import ResourceKind as K

from . import mapping

log = logging.getLogger(__name__)


def _kinds(kind: K, *types: str) -> dict[str, K]:
    return dict.fromkeys(types, kind)


EVENT_KINDS: dict[str, K] = {
    **_kinds(K.CHARGE, "PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.PENDING", "PAYMENT.CAPTURE.DENIED",
             "PAYMENT.CAPTURE.DECLINED", "PAYMENT.CAPTURE.REVERSED", "PAYMENT.AUTHORIZATION.CREATED",
             "PAYMENT.AUTHORIZATION.VOIDED", "CHECKOUT.ORDER.COMPLETED", "CHECKOUT.ORDER.APPROVED"),
    **_kinds(K.REFUND, "PAYMENT.CAPTURE.REFUNDED", "PAYMENT.REFUND.PENDING", "PAYMENT.REFUND.FAILED"),
    **_kinds(K.SUBSCRIPTION, "BILLING.SUBSCRIPTION.CREATED", "BILLING.SUBSCRIPTION.ACTIVATED", "BILLING.SUBSCRIPTION.UPDATED",
             "BILLING.SUBSCRIPTION.RE-ACTIVATED", "BILLING.SUBSCRIPTION.EXPIRED", "BILLING.SUBSCRIPTION.CANCELLED",
             "BILLING.SUBSCRIPTION.SUSPENDED", "BILLING.SUBSCRIPTION.PAYMENT.FAILED"),
    **_kinds(K.PRODUCT, "CATALOG.PRODUCT.CREATED", "CATALOG.PRODUCT.UPDATED"),
    **_kinds(K.PRICE, "BILLING.PLAN.CREATED", "BILLING.PLAN.UPDATED", "BILLING.PLAN.ACTIVATED", "BILLING.PLAN.DEACTIVATED",
             "BILLING.PLAN.PRICING-CHANGE.ACTIVATED"),
    **_kinds(K.INVOICE, "INVOICING.INVOICE.CREATED", "INVOICING.INVOICE.UPDATED", "INVOICING.INVOICE.PAID",
             "INVOICING.INVOICE.CANCELLED", "INVOICING.INVOICE.REFUNDED", "INVOICING.INVOICE.SCHEDULED"),
    **_kinds(K.DISPUTE, "CUSTOMER.DISPUTE.CREATED", "CUSTOMER.DISPUTE.UPDATED", "CUSTOMER.DISPUTE.RESOLVED"),
}


def parse(body: bytes) -> list[InboundEvent]:
    try:
        obj = json.loads(bytes(body))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"webhook body is not JSON: {exc}") from None
    return events_of(obj)


def events_of(obj: dict) -> list[InboundEvent]:
    if not isinstance(obj, dict) or not obj.get("id") or not obj.get("event_type") or not isinstance(obj.get("resource"), dict):
        raise ValueError("not a PayPal webhook event (expected id, event_type and a resource object)")
    type_, resource, event_id = obj["event_type"], obj["resource"], str(obj["id"])
    at = mapping.ts(obj.get("create_time"))
    kind = EVENT_KINDS.get(type_)

    def event(suffix: str, kind_: K | None, remote_id: str, dto=None) -> InboundEvent:
        return InboundEvent(event_id=event_id + suffix, type=type_, kind=kind_, remote_id=remote_id, occurred_at=at, obj=dto, raw=obj)

    if kind is None:
        return [event("", None, "")]
    found: list[InboundEvent] = []
    try:
        if type_.startswith("CHECKOUT.ORDER."):
            if customer := mapping.customer_from_payer(resource.get("payer")):
                found.append(event("#customer", K.CUSTOMER, customer.remote_id, customer))
            found += [event(f"#charge:{c.remote_id}", K.CHARGE, c.remote_id) for c in mapping.charges_of_order(resource)]
        elif kind == K.REFUND:
            found.append(event("", K.REFUND, str(resource.get("id") or "")))
            if capture_id := mapping.up_id(resource):
                found.append(event(f"#charge:{capture_id}", K.CHARGE, capture_id))
        elif kind == K.CHARGE:
            folded = mapping.related(resource, "authorization_id") if type_.startswith("PAYMENT.CAPTURE.") else ""
            found.append(event("", K.CHARGE, folded or str(resource.get("id") or "")))
        elif kind == K.SUBSCRIPTION:
            if customer := mapping.customer_from_payer(resource.get("subscriber")):
                found.append(event("#customer", K.CUSTOMER, customer.remote_id, customer))
            found.append(event("", K.SUBSCRIPTION, str(resource.get("id") or "")))
        elif kind == K.INVOICE:
            if customer := mapping.customer_from_invoice(resource):
                found.append(event("#customer", K.CUSTOMER, customer.remote_id, customer))
            found.append(event("", K.INVOICE, str(resource.get("id") or "")))
        elif kind == K.DISPUTE:
            found.append(event("", K.DISPUTE, str(resource.get("dispute_id") or "")))
        else:  # products and plans: the id is all ingest needs, it re-fetches
            found.append(event("", kind, str(resource.get("id") or "")))
    except (KeyError, TypeError, ValueError):
        log.warning("Could not read the %s resource of PayPal event %s; stored without action", type_, event_id, exc_info=True)
        return [event("", None, "")]
    return [e if e.remote_id else InboundEvent(event_id=e.event_id, type=type_, kind=None, occurred_at=at, raw=obj) for e in found] or [event("", None, "")]
