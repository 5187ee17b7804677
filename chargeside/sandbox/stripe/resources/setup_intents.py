"""SetupIntents: save a card for later off-session use (the card-update flow)."""

from __future__ import annotations

from .. import errors, forms, shapes
from ..context import Ctx
from ..ids import client_secret
from ..listing import list_objects
from ..router import route
from . import payment_methods

shapes.register(
    "setup_intent",
    {
        "application": None, "automatic_payment_methods": None, "cancellation_reason": None,
        "customer": None, "customer_account": None, "description": None,
        "excluded_payment_method_types": None, "flow_directions": None, "last_setup_error": None,
        "latest_attempt": None, "mandate": None, "metadata": {}, "next_action": None,
        "on_behalf_of": None, "payment_method": None, "payment_method_configuration_details": None,
        "payment_method_options": {"card": {"mandate_options": None, "network": None,
                                            "request_three_d_secure": "automatic"}},
        "payment_method_types": ["card"], "single_use_mandate": None,
        "status": "requires_payment_method", "usage": "off_session",
    },
)


def new_setup_intent(ctx: Ctx, customer: str | None, **fields) -> dict:
    seti = shapes.defaults("setup_intent")
    object_id = ctx.new_id("seti")
    seti.update(id=object_id, object="setup_intent", created=ctx.now, customer=customer,
                client_secret=client_secret(object_id))
    seti.update(fields)
    ctx.save(seti)
    ctx.emit("setup_intent.created", seti)
    return seti


def succeed(ctx: Ctx, seti: dict, pm: dict) -> dict:
    if seti["status"] not in ("requires_payment_method", "requires_confirmation", "requires_action"):
        raise errors.invalid_request(
            f"You cannot confirm this SetupIntent because it has a status of {seti['status']}.",
            code="setup_intent_unexpected_state",
        )
    if seti.get("customer") and pm.get("customer") != seti["customer"]:
        pm = payment_methods.attach(ctx, pm["id"], seti["customer"])
    seti.update(status="succeeded", payment_method=pm["id"], last_setup_error=None,
                latest_attempt="setatt_" + seti["id"][5:])
    ctx.save(seti)
    ctx.emit("setup_intent.succeeded", seti)
    return seti


@route("POST", "/v1/setup_intents")
def create(ctx: Ctx) -> dict:
    p = ctx.params
    customer = forms.get_str(p, "customer")
    if customer:
        ctx.load("customer", customer, "customer")
    seti = new_setup_intent(ctx, customer, description=forms.get_str(p, "description"),
                            metadata=forms.merge_metadata({}, p),
                            usage=forms.get_str(p, "usage", default="off_session"))
    if p.get("payment_method"):
        pm = payment_methods.resolve(ctx, p["payment_method"])
        seti.update(payment_method=pm["id"], status="requires_confirmation")
        ctx.save(seti)
        if forms.get_bool(p, "confirm", default=False):
            return succeed(ctx, seti, pm)
    return seti


@route("GET", "/v1/setup_intents/{intent}")
def retrieve(ctx: Ctx, intent: str) -> dict:
    return ctx.load("setup_intent", intent)


@route("POST", "/v1/setup_intents/{intent}")
def update(ctx: Ctx, intent: str) -> dict:
    before = ctx.load("setup_intent", intent)
    after = {**before, "metadata": forms.merge_metadata(before.get("metadata"), ctx.params)}
    if "description" in ctx.params:
        after["description"] = ctx.params["description"] or None
    if ctx.params.get("payment_method"):
        after["payment_method"] = payment_methods.resolve(ctx, ctx.params["payment_method"])["id"]
        after["status"] = "requires_confirmation"
    return ctx.save(after)


@route("POST", "/v1/setup_intents/{intent}/confirm")
def confirm(ctx: Ctx, intent: str) -> dict:
    seti = ctx.load("setup_intent", intent)
    pm_id = forms.get_str(ctx.params, "payment_method") or seti.get("payment_method")
    if not pm_id:
        raise errors.invalid_request(
            "You cannot confirm this SetupIntent because it's missing a payment method.",
            code="setup_intent_unexpected_state",
        )
    return succeed(ctx, seti, payment_methods.resolve(ctx, pm_id))


@route("POST", "/v1/setup_intents/{intent}/cancel")
def cancel(ctx: Ctx, intent: str) -> dict:
    seti = ctx.load("setup_intent", intent)
    if seti["status"] in ("succeeded", "canceled"):
        raise errors.invalid_request(
            f"You cannot cancel this SetupIntent because it has a status of {seti['status']}.",
            code="setup_intent_unexpected_state",
        )
    seti.update(status="canceled", cancellation_reason=forms.get_str(ctx.params, "cancellation_reason"))
    ctx.save(seti)
    ctx.emit("setup_intent.canceled", seti)
    return seti


@route("GET", "/v1/setup_intents")
def list_(ctx: Ctx) -> dict:
    customer = forms.get_str(ctx.params, "customer")
    pm = forms.get_str(ctx.params, "payment_method")
    return list_objects(ctx, "setup_intent", "/v1/setup_intents",
                        where={"customer": customer} if customer else None,
                        predicate=(lambda o: o.get("payment_method") == pm) if pm else None)
