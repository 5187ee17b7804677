"""Fields the fake still serves although API 2026-10-28 (stripe 16.1.0) no longer has them.

The fake leaves them out of every response and webhook by default, as the live API does; Chargeside
reads none of them. ``StripeFake(legacy_fields=True)`` serves them for code written against older
versions. None is required by the bundled 2023 spec. Most went in
2025-03-31.basil: the invoice's ``charge``/``payment_intent``/``subscription`` (read
``payments`` and ``parent.subscription_details`` instead), the charge's and PaymentIntent's
``invoice``, the line item's ``price`` (now ``pricing.price_details``), the subscription's
``plan``/``quantity``. The list is the difference between the fake's objects and the SDK's
models, minus what the 2023 spec requires (``invoice.paid``, ``subscription.current_period_*``,
``line_item.proration``/``type``, ``discount.coupon`` … stay).
"""

from __future__ import annotations

REMOVED: dict[str, frozenset[str]] = {
    "invoice": frozenset({"application_fee_amount", "charge", "days_until_due", "payment_intent", "quote",
                          "subscription", "subscription_details", "tax", "transfer_data"}),
    "subscription": frozenset({"plan", "quantity"}),
    "charge": frozenset({"destination", "dispute", "invoice"}),
    "payment_intent": frozenset({"invoice"}),
    "line_item": frozenset({"amount_excluding_tax", "price", "proration_details", "subscription_item",
                            "invoice_item", "tax_amounts", "tax_rates", "unit_amount_excluding_tax"}),
    "invoiceitem": frozenset({"price", "subscription", "subscription_item", "unit_amount", "unit_amount_decimal"}),
    "refund": frozenset({"livemode"}),
    "dispute": frozenset({"balance_transaction"}),
    "product": frozenset({"attributes"}),
}


# "Includable" fields: the live API sends them only when asked for with expand[] (the fake always
# fills them in). ``invoice.payments`` is one (basil; "an includable payments property").
INCLUDABLE: dict[str, frozenset[str]] = {"invoice": frozenset({"payments"})}


def strip(value, expanded: frozenset[str] = frozenset()):
    """``value`` without the removed fields, at any depth (expanded objects, lists, event data);
    includable fields stay when ``expanded`` (the segments of the request's expand paths) names them."""
    if isinstance(value, dict):
        kind = value.get("object")  # an event's data.object is a dict, not a type name
        if isinstance(kind, str):
            gone = REMOVED.get(kind, frozenset()) | (INCLUDABLE.get(kind, frozenset()) - expanded)
        else:
            gone = ()
        return {k: strip(v, expanded) for k, v in value.items() if k not in gone}
    if isinstance(value, list):
        return [strip(v, expanded) for v in value]
    return value
