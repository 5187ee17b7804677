"""Charges: list, retrieve, update, search, plus the legacy create/capture endpoints."""

from __future__ import annotations

from .. import errors, forms, money
from ..context import Committed, Ctx
from ..listing import list_objects, search_objects
from ..router import route
from . import customers, payment_methods, payments


@route("GET", "/v1/charges")
def list_(ctx: Ctx) -> dict:
    where = {}
    for field in ("customer", "payment_intent"):
        value = forms.get_str(ctx.params, field)
        if value:
            where[field] = value
    return list_objects(ctx, "charge", "/v1/charges", where=where)


@route("GET", "/v1/charges/search")
def search(ctx: Ctx) -> dict:
    return search_objects(ctx, "charge", "/v1/charges/search",
                          indexed={"customer": "customer", "payment_intent": "payment_intent", "status": "status"})


@route("GET", "/v1/charges/{charge}")
def retrieve(ctx: Ctx, charge: str) -> dict:
    return ctx.load("charge", charge)


@route("POST", "/v1/charges/{charge}")
def update(ctx: Ctx, charge: str) -> dict:
    before = ctx.load("charge", charge)
    after = {**before, "metadata": forms.merge_metadata(before.get("metadata"), ctx.params)}
    for field in ("description", "receipt_email"):
        if field in ctx.params:
            after[field] = ctx.params[field] or None
    fraud = forms.get_dict(ctx.params, "fraud_details")
    if fraud and fraud.get("user_report"):
        after["fraud_details"] = {"user_report": fraud["user_report"]}
    return ctx.changed("charge.updated", before, after) if after != before else before


@route("POST", "/v1/charges")
def create(ctx: Ctx) -> dict:
    """Legacy Charges API (no PaymentIntent): ``source`` token/card or the customer's default."""
    p = ctx.params
    amount = forms.get_int(p, "amount", required=True, minimum=1)
    currency = forms.get_str(p, "currency", required=True).lower()
    if not money.validate_currency(currency):
        raise errors.invalid_param("currency", f"Invalid currency: {currency}", code="parameter_invalid_string")
    customer_id = forms.get_str(p, "customer")
    source = forms.get_str(p, "source")
    if source:
        pm = payment_methods.resolve(ctx, source, "source")
    elif customer_id:
        cust = ctx.load("customer", customer_id, "customer")
        pm_id = customers.default_payment_method(ctx, cust)
        if not pm_id:
            raise errors.invalid_request("Cannot charge a customer that has no active card", param="card",
                                         code="missing")
        pm = ctx.load("payment_method", pm_id, "customer")
    else:
        raise errors.invalid_request("Must provide source or customer.", code="parameter_missing")
    capture = forms.get_bool(p, "capture", default=True)
    decline = pm.get("_decline")
    ch = payments.new_charge(ctx.new_id("ch"), ctx.now, amount=amount, currency=currency, pm=pm,
                             customer=customer_id, payment_intent=None, captured=capture,
                             decline=decline, description=forms.get_str(p, "description"),
                             metadata=forms.merge_metadata({}, p))
    ctx.save(ch)
    if decline:
        ctx.emit("charge.failed", ch)
        raise Committed(payments.card_error(decline, charge=ch, pi=None, pm=pm))
    ctx.emit("charge.succeeded", ch)
    return ch


@route("POST", "/v1/charges/{charge}/capture")
def capture(ctx: Ctx, charge: str) -> dict:
    """Legacy capture, for charges made without a PaymentIntent.

    A PaymentIntent's charge must be captured through the intent; the wording is the live
    API's as quoted in the `pay` gem's comments and recorded by another public fake
    ("This uncaptured Charge was created by a PaymentIntent (pi_…). You must capture the
    PaymentIntent instead. …").
    """
    ch = ctx.load("charge", charge)
    amount = forms.get_int(ctx.params, "amount")
    if ch["captured"]:
        raise errors.invalid_request(f"Charge {charge} has already been captured.", code="charge_already_captured")
    if ch.get("payment_intent"):
        raise errors.invalid_request(
            f"This uncaptured Charge was created by a PaymentIntent ({ch['payment_intent']}). You must capture "
            "the PaymentIntent instead. For more information, see "
            "https://stripe.com/docs/payments/place-a-hold-on-a-payment-method")
    amount = ch["amount"] if amount is None else amount
    if not 1 <= amount <= ch["amount"]:
        raise errors.invalid_param("amount", "Amount must be no more than the authorized amount.",
                                   code="amount_too_large")
    return ctx.changed("charge.captured", ch, payments.capture_charge(ch, amount))
