"""Card payment methods: create (test tokens or test numbers), attach, detach, list.

``pm_card_visa``-style ids are accepted wherever a payment method id is: like the live
test mode, each use makes a new ``pm_…`` object from that test card.
"""

from __future__ import annotations

import time

from .. import errors, forms, shapes
from ..context import Ctx
from ..listing import list_objects
from ..router import route
from . import cards

_BILLING_NULL = {
    "address": {"city": None, "country": None, "line1": None, "line2": None, "postal_code": None, "state": None},
    "email": None,
    "name": None,
    "phone": None,
    "tax_id": None,
}

shapes.register(
    "payment_method",
    {
        "allow_redisplay": "unspecified",
        "billing_details": _BILLING_NULL,
        "customer": None,
        "customer_account": None,
        "metadata": {},
        "type": "card",
        "card": cards.card_details(cards.by_token("pm_card_visa"), 12, 2030),
    },
    deep=("card",),
)


def new_payment_method(object_id: str, created: int, card: cards.SandboxCard, exp_month: int,
                       exp_year: int, **fields) -> dict:
    obj = shapes.defaults("payment_method")
    obj.update(id=object_id, object="payment_method", created=created)
    obj["card"] = cards.card_details(card, exp_month, exp_year)
    if card.decline:
        obj["_decline"] = card.decline
    obj.update(fields)
    return obj


def _default_expiry(now: int) -> tuple[int, int]:
    t = time.gmtime(now)
    return t.tm_mon, t.tm_year + 3


def _billing(params: dict) -> dict:
    given = forms.get_dict(params, "billing_details") or {}
    out = {**_BILLING_NULL, **{k: v or None for k, v in given.items() if k in _BILLING_NULL and k != "address"}}
    if isinstance(given.get("address"), dict):
        out["address"] = {**_BILLING_NULL["address"], **given["address"]}
    return out


def from_token(ctx: Ctx, token: str) -> dict | None:
    card = cards.by_token(token)
    if card is None:
        return None
    month, year = _default_expiry(ctx.now)
    return ctx.save(new_payment_method(ctx.new_id("pm"), ctx.now, card, month, year))


def resolve(ctx: Ctx, value, param: str = "payment_method") -> dict:
    """An existing payment method, or a fresh one for a ``pm_card_*`` test id."""
    if not isinstance(value, str) or not value:
        raise errors.missing_param(param)
    pm = ctx.store.get(value, "payment_method")
    if pm is None:
        pm = from_token(ctx, value)
    if pm is None:
        raise errors.no_such("PaymentMethod", value, param)
    return pm


def attach(ctx: Ctx, pm_id: str, customer_id: str, param: str = "payment_method") -> dict:
    pm = resolve(ctx, pm_id, param)
    if pm.get("customer") == customer_id:
        return pm
    if pm.get("customer"):
        raise errors.invalid_request(
            "The payment method you provided has already been attached to a customer.",
            param=param, code="payment_method_unexpected_state",
        )
    if pm.get("_detached"):
        raise errors.invalid_request(
            "This PaymentMethod was previously used without being attached to a Customer or was "
            "detached from a Customer, and may not be used again.",
            param=param, code="payment_method_unexpected_state",
        )
    before = dict(pm)
    pm["customer"] = customer_id
    ctx.save(pm)
    ctx.emit("payment_method.attached", pm, {"customer": before.get("customer")})
    return pm


@route("POST", "/v1/payment_methods")
def create(ctx: Ctx) -> dict:
    params = ctx.params
    kind = forms.get_str(params, "type", default="card")
    if kind != "card":
        raise errors.invalid_param("type", f"The sandbox only supports card payment methods, not {kind!r}.",
                                   code="parameter_invalid_string")
    card_params = forms.get_dict(params, "card") or {}
    if card_params.get("token"):
        card = cards.by_token(card_params["token"])
        if card is None:
            raise errors.no_such("token", card_params["token"], "card[token]")
    elif card_params.get("number"):
        card = cards.by_number(card_params["number"])  # only brand/last4/fingerprint are kept
    else:
        raise errors.missing_param("card")
    month, year = _default_expiry(ctx.now)
    month = forms.get_int(card_params, "exp_month", default=month)
    year = forms.get_int(card_params, "exp_year", default=year)
    pm = new_payment_method(ctx.new_id("pm"), ctx.now, card, month, year, billing_details=_billing(params))
    pm["metadata"] = forms.merge_metadata({}, params)
    return ctx.save(pm)


@route("GET", "/v1/payment_methods/{payment_method}")
def retrieve(ctx: Ctx, payment_method: str) -> dict:
    return resolve(ctx, payment_method, "payment_method")


@route("POST", "/v1/payment_methods/{payment_method}")
def update(ctx: Ctx, payment_method: str) -> dict:
    before = ctx.load("payment_method", payment_method)
    after = {**before, "metadata": forms.merge_metadata(before.get("metadata"), ctx.params)}
    if "billing_details" in ctx.params:
        after["billing_details"] = _billing(ctx.params)
    card_params = forms.get_dict(ctx.params, "card") or {}
    if card_params:
        after["card"] = {
            **before["card"],
            "exp_month": forms.get_int(card_params, "exp_month", default=before["card"]["exp_month"]),
            "exp_year": forms.get_int(card_params, "exp_year", default=before["card"]["exp_year"]),
        }
    return ctx.changed("payment_method.updated", before, after)


@route("POST", "/v1/payment_methods/{payment_method}/attach")
def attach_route(ctx: Ctx, payment_method: str) -> dict:
    customer = forms.get_str(ctx.params, "customer", required=True)
    ctx.load("customer", customer, "customer")
    return attach(ctx, payment_method, customer, param="payment_method")


@route("POST", "/v1/payment_methods/{payment_method}/detach")
def detach(ctx: Ctx, payment_method: str) -> dict:
    pm = ctx.load("payment_method", payment_method)
    customer_id = pm.get("customer")
    if not customer_id:
        raise errors.invalid_request(
            "The payment method you provided is not attached to a customer so detachment is impossible.",
            code="payment_method_unexpected_state",
        )
    before = dict(pm)
    pm["customer"] = None
    pm["_detached"] = True
    ctx.save(pm)
    ctx.emit("payment_method.detached", pm, {"customer": before["customer"]})
    cust = ctx.store.get(customer_id, "customer")
    if cust and cust["invoice_settings"].get("default_payment_method") == payment_method:
        after = {**cust, "invoice_settings": {**cust["invoice_settings"], "default_payment_method": None}}
        ctx.changed("customer.updated", cust, after)
    return pm


@route("GET", "/v1/payment_methods")
def list_(ctx: Ctx) -> dict:
    customer = forms.get_str(ctx.params, "customer")
    kind = forms.get_str(ctx.params, "type")
    where = {"customer": customer} if customer else None
    predicate = (lambda o: o["type"] == kind) if kind else None
    return list_objects(ctx, "payment_method", "/v1/payment_methods", where=where, predicate=predicate)


@route("GET", "/v1/customers/{customer}/payment_methods")
def list_for_customer(ctx: Ctx, customer: str) -> dict:
    ctx.load("customer", customer)
    kind = forms.get_str(ctx.params, "type")
    predicate = (lambda o: o["type"] == kind) if kind else None
    return list_objects(ctx, "payment_method", f"/v1/customers/{customer}/payment_methods",
                        where={"customer": customer}, predicate=predicate)


@route("GET", "/v1/customers/{customer}/payment_methods/{payment_method}")
def retrieve_for_customer(ctx: Ctx, customer: str, payment_method: str) -> dict:
    ctx.load("customer", customer)
    pm = ctx.store.get(payment_method, "payment_method")
    if pm is None or pm.get("customer") != customer:
        raise errors.no_such("PaymentMethod", payment_method)
    return pm
