"""PaymentIntents: create (optionally confirm), confirm, capture (full/partial), cancel, list."""

from __future__ import annotations

from .. import errors, forms, money
from ..context import Committed, Ctx
from ..listing import list_objects, search_objects
from ..router import route
from . import payment_methods, payments

CAPTURE_METHODS = ("automatic", "automatic_async", "manual")


@route("POST", "/v1/payment_intents")
def create(ctx: Ctx) -> dict:
    p = ctx.params
    amount = forms.get_int(p, "amount", required=True, minimum=1)
    currency = forms.get_str(p, "currency", required=True).lower()
    if not money.validate_currency(currency):
        raise errors.invalid_param("currency", f"Invalid currency: {currency}", code="parameter_invalid_string")
    capture_method = forms.get_str(p, "capture_method", default="automatic_async")
    if capture_method not in CAPTURE_METHODS:
        raise errors.invalid_param("capture_method", f"Invalid capture_method: {capture_method}")
    customer = forms.get_str(p, "customer")
    if customer:
        ctx.load("customer", customer, "customer")
    pi = payments.new_payment_intent(
        ctx.new_id("pi"), ctx.now, amount, currency, customer=customer,
        capture_method=capture_method, description=forms.get_str(p, "description"),
        receipt_email=forms.get_str(p, "receipt_email"), metadata=forms.merge_metadata({}, p),
        statement_descriptor=forms.get_str(p, "statement_descriptor"),
        setup_future_usage=forms.get_str(p, "setup_future_usage"),
    )
    if p.get("payment_method_types"):
        pi["payment_method_types"] = forms.get_list(p, "payment_method_types")
    pm = None
    if p.get("payment_method"):
        pm = payment_methods.resolve(ctx, p["payment_method"])
        _check_owner(pm, customer)
        pi["payment_method"] = pm["id"]
        pi["status"] = "requires_confirmation"
    ctx.save(pi)
    ctx.emit("payment_intent.created", pi)
    if forms.get_bool(p, "confirm", default=False):
        return _confirm(ctx, pi, pm)
    return pi


def _check_owner(pm: dict, customer: str | None) -> None:
    if pm.get("customer") and customer and pm["customer"] != customer:
        raise errors.invalid_request(
            "The provided PaymentMethod belongs to a different Customer than the one on this PaymentIntent.",
            param="payment_method",
        )


def _confirm(ctx: Ctx, pi: dict, pm: dict | None) -> dict:
    if pm is None:
        raise errors.invalid_request(
            "You cannot confirm this PaymentIntent because it's missing a payment method. To "
            "confirm the PaymentIntent with a payment method, pass `payment_method`.",
            code="payment_intent_unexpected_state",
        )
    if pi.get("setup_future_usage") and pi.get("customer") and not pm.get("customer"):
        payment_methods.attach(ctx, pm["id"], pi["customer"])
    err = payments.authorize(ctx, pi, pm)
    if err is not None:
        raise Committed(err)
    return pi


@route("POST", "/v1/payment_intents/{intent}/confirm")
def confirm(ctx: Ctx, intent: str) -> dict:
    pi = ctx.load("payment_intent", intent)
    if pi["status"] not in ("requires_payment_method", "requires_confirmation", "requires_action"):
        raise errors.invalid_request(
            f"You cannot confirm this PaymentIntent because it has a status of {pi['status']}.",
            code="payment_intent_unexpected_state",
        )
    pm_id = forms.get_str(ctx.params, "payment_method") or pi.get("payment_method")
    pm = payment_methods.resolve(ctx, pm_id) if pm_id else None
    if pm is not None:
        _check_owner(pm, pi.get("customer"))
    return _confirm(ctx, pi, pm)


@route("GET", "/v1/payment_intents/{intent}")
def retrieve(ctx: Ctx, intent: str) -> dict:
    return ctx.load("payment_intent", intent)


@route("POST", "/v1/payment_intents/{intent}")
def update(ctx: Ctx, intent: str) -> dict:
    before = ctx.load("payment_intent", intent)
    p = ctx.params
    after = {**before, "metadata": forms.merge_metadata(before.get("metadata"), p)}
    if before["status"] in ("succeeded", "canceled") and set(p) - {"metadata", "description", "expand"}:
        raise errors.invalid_request(
            f"You cannot update this PaymentIntent because it has a status of {before['status']}.",
            code="payment_intent_unexpected_state",
        )
    for field in ("description", "receipt_email", "statement_descriptor"):
        if field in p:
            after[field] = p[field] or None
    if "amount" in p:
        after["amount"] = forms.get_int(p, "amount", minimum=1)
    if "customer" in p:
        after["customer"] = p["customer"] or None
        if after["customer"]:
            ctx.load("customer", after["customer"], "customer")
    if p.get("payment_method"):
        pm = payment_methods.resolve(ctx, p["payment_method"])
        after["payment_method"] = pm["id"]
        after["status"] = "requires_confirmation"
    return ctx.changed("payment_intent.updated", before, after) if after != before else before


@route("POST", "/v1/payment_intents/{intent}/capture")
def capture(ctx: Ctx, intent: str) -> dict:
    pi = ctx.load("payment_intent", intent)
    amount = forms.get_int(ctx.params, "amount_to_capture")
    if "metadata" in ctx.params:
        pi["metadata"] = forms.merge_metadata(pi.get("metadata"), ctx.params)
    return payments.capture(ctx, pi, amount)


@route("POST", "/v1/payment_intents/{intent}/cancel")
def cancel(ctx: Ctx, intent: str) -> dict:
    pi = ctx.load("payment_intent", intent)
    reason = forms.get_str(ctx.params, "cancellation_reason")
    if reason and reason not in ("duplicate", "fraudulent", "requested_by_customer", "abandoned"):
        raise errors.invalid_param("cancellation_reason", f"Invalid cancellation_reason: {reason}")
    return payments.cancel(ctx, pi, reason)


@route("GET", "/v1/payment_intents")
def list_(ctx: Ctx) -> dict:
    customer = forms.get_str(ctx.params, "customer")
    return list_objects(ctx, "payment_intent", "/v1/payment_intents",
                        where={"customer": customer} if customer else None)


@route("GET", "/v1/payment_intents/search")
def search(ctx: Ctx) -> dict:
    return search_objects(ctx, "payment_intent", "/v1/payment_intents/search",
                          indexed={"customer": "customer", "status": "status"})
