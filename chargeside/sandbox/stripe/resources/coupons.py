"""Coupons, promotion codes, and the discount objects they produce.

Discounts are stored as objects of their own, so ``expand[]=discounts`` works wherever ids are
listed (subscriptions, invoices), although the API offers no way to fetch one by id. A
discount keeps the 2023 ``coupon`` field (the bundled spec requires it) next to the current
``source.coupon``.
"""

from __future__ import annotations

import secrets
import string

from .. import errors, forms, money, shapes
from ..context import Ctx
from ..listing import list_objects
from ..router import route

shapes.register(
    "coupon",
    {
        "amount_off": None,
        "currency": None,
        "duration": "once",
        "duration_in_months": None,
        "max_redemptions": None,
        "metadata": {},
        "name": None,
        "percent_off": None,
        "redeem_by": None,
        "times_redeemed": 0,
        "valid": True,
    },
)

shapes.register(
    "promotion_code",
    {
        "active": True,
        "customer": None,
        "customer_account": None,
        "expires_at": None,
        "max_redemptions": None,
        "metadata": {},
        "restrictions": {
            "currency_options": {},
            "first_time_transaction": False,
            "minimum_amount": None,
            "minimum_amount_currency": None,
        },
        "times_redeemed": 0,
    },
    nested=("coupon",),
)

shapes.register(
    "discount",
    {"checkout_session": None, "customer_account": None, "end": None, "invoice": None,
     "invoice_item": None, "promotion_code": None, "subscription": None, "subscription_item": None},
    nested=("coupon",), livemode=False, created=False,
)


def new_coupon(object_id: str, created: int, *, duration: str = "once", percent_off=None,
               amount_off=None, currency=None, **fields) -> dict:
    obj = shapes.defaults("coupon")
    obj.update(id=object_id, object="coupon", created=created, duration=duration,
               percent_off=percent_off, amount_off=amount_off, currency=currency)
    obj.update(fields)
    return obj


def new_promotion_code(object_id: str, created: int, coupon: dict, code: str, **fields) -> dict:
    obj = shapes.defaults("promotion_code")
    obj.update(id=object_id, object="promotion_code", created=created, code=code,
               coupon=shapes.public(coupon), promotion={"coupon": coupon["id"], "type": "coupon"})
    obj.update(fields)
    return obj


def _random_code() -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(8))


def amount_off(coupon: dict, subtotal: int, currency: str) -> int:
    """The discount a coupon gives on ``subtotal`` (never more than the subtotal)."""
    if subtotal <= 0:
        return 0
    if coupon.get("percent_off") is not None:
        return min(subtotal, int(round(subtotal * float(coupon["percent_off"]) / 100)))
    if coupon.get("amount_off") is not None and coupon.get("currency") == currency:
        return min(subtotal, int(coupon["amount_off"]))
    return 0


# Removed from customers, subscriptions and invoice previews in 2025-03-31.basil in favour of
# ``discounts`` (docs.stripe.com/changelog/basil/2025-03-31/deprecate-singular-coupon-promotion-code);
# the live API now rejects them as unknown parameters.
REMOVED_PARAMS = ("coupon", "promotion_code")


def reject_removed_params(params: dict) -> None:
    for name in REMOVED_PARAMS:
        if name in params:
            raise errors.invalid_param(name, f"Received unknown parameter: {name}", code="parameter_unknown")


def make_discount(ctx: Ctx, *, coupon_id=None, promotion_code=None, customer=None,
                  subscription=None, param: str = "coupon") -> dict:
    """Validate and redeem a coupon or promotion code; return the discount object."""
    promo = None
    if promotion_code:
        promo = ctx.store.get(promotion_code, "promotion_code") or ctx.store.first(
            "promotion_code", {"lookup": promotion_code}
        )
        if promo is None:
            raise errors.no_such("promotion code", promotion_code, "promotion_code")
        expired = promo.get("expires_at") and promo["expires_at"] < ctx.now
        used_up = promo.get("max_redemptions") and promo["times_redeemed"] >= promo["max_redemptions"]
        if not promo["active"] or expired or used_up:
            raise errors.invalid_request(
                f"The promotion code `{promo['code']}` is not active.",
                param="promotion_code",
            )
        if promo.get("customer") and promo["customer"] != customer:
            raise errors.invalid_request(
                "This promotion code cannot be redeemed by this customer.", param="promotion_code"
            )
        coupon_id = promo["promotion"]["coupon"]
        param = "promotion_code"
    coupon = ctx.store.get(coupon_id, "coupon") if isinstance(coupon_id, str) else None
    if coupon is None:
        raise errors.no_such("coupon", str(coupon_id), param)
    if not coupon["valid"]:
        raise errors.invalid_request(f"Coupon expired: {coupon['id']}", param=param, code="coupon_expired")
    coupon = {**coupon, "times_redeemed": coupon["times_redeemed"] + 1}
    if coupon.get("max_redemptions") and coupon["times_redeemed"] >= coupon["max_redemptions"]:
        coupon["valid"] = False
    ctx.save(coupon)
    if promo is not None:
        ctx.save({**promo, "times_redeemed": promo["times_redeemed"] + 1, "coupon": shapes.public(coupon)})
    end = None
    if coupon["duration"] == "repeating" and coupon.get("duration_in_months"):
        end = ctx.now + int(coupon["duration_in_months"]) * 30 * 86400
    return ctx.save({
        "id": ctx.new_id("di"),
        "object": "discount",
        "checkout_session": None,
        "coupon": shapes.public(coupon),
        "customer": customer,
        "customer_account": None,
        "end": end,
        "invoice": None,
        "invoice_item": None,
        "promotion_code": promo["id"] if promo else None,
        "source": {"coupon": coupon["id"], "type": "coupon"},
        "start": ctx.now,
        "subscription": subscription,
        "subscription_item": None,
    })


def terms(discount: dict) -> dict:
    """What an invoice needs to price a discount (kept privately on the invoice)."""
    coupon = discount["coupon"]
    return {"id": discount["id"], "percent_off": coupon.get("percent_off"), "amount_off": coupon.get("amount_off"),
            "currency": coupon.get("currency")}


def amounts_off(discounts: list[dict], subtotal: int, currency: str) -> list[tuple[str, int]]:
    """``(discount id, amount)`` per discount, each taken from what the ones before it left.

    Stacking order is the list order; whether Stripe computes stacked discounts on the running
    remainder or each on the subtotal is not documented where we looked, so the remainder
    (which can never go below zero) is used.
    """
    out, left = [], subtotal
    for d in discounts:
        off = amount_off(d.get("coupon") or d, left, currency)
        out.append((d["id"], off))
        left -= off
    return out


# -- coupons ------------------------------------------------------------------------------------


@route("POST", "/v1/coupons")
def create_coupon(ctx: Ctx) -> dict:
    p = ctx.params
    percent = p.get("percent_off")
    amount = forms.get_int(p, "amount_off", minimum=1)
    if (percent in (None, "")) == (amount is None):
        raise errors.invalid_request("You must pass exactly one of percent_off or amount_off.", param="percent_off")
    currency = (forms.get_str(p, "currency") or "").lower() or None
    if amount is not None and not (currency and money.validate_currency(currency)):
        raise errors.missing_param("currency")
    if percent not in (None, ""):
        try:
            percent = float(percent)
        except (TypeError, ValueError):
            raise errors.invalid_param("percent_off", f"Invalid decimal: {percent}")
        if not 0 < percent <= 100:
            raise errors.invalid_param("percent_off", "percent_off must be between 0 and 100.")
    else:
        percent = None
    duration = forms.get_str(p, "duration", default="once")
    if duration not in ("once", "repeating", "forever"):
        raise errors.invalid_param("duration", "Invalid duration: must be one of once, repeating, or forever")
    months = forms.get_int(p, "duration_in_months", minimum=1)
    if duration == "repeating" and months is None:
        raise errors.missing_param("duration_in_months")
    object_id = forms.get_str(p, "id") or _random_code()
    if ctx.store.exists(object_id):
        raise errors.invalid_request("Coupon already exists.", param="id", code="resource_already_exists")
    coupon = new_coupon(
        object_id, ctx.now, duration=duration, percent_off=percent, amount_off=amount,
        currency=currency if amount is not None else None,
        duration_in_months=months if duration == "repeating" else None,
        name=forms.get_str(p, "name"), max_redemptions=forms.get_int(p, "max_redemptions", minimum=1),
        redeem_by=forms.get_int(p, "redeem_by"), metadata=forms.merge_metadata({}, p),
    )
    ctx.save(coupon)
    ctx.emit("coupon.created", coupon)
    return coupon


@route("GET", "/v1/coupons/{coupon}")
def retrieve_coupon(ctx: Ctx, coupon: str) -> dict:
    return ctx.load("coupon", coupon)


@route("POST", "/v1/coupons/{coupon}")
def update_coupon(ctx: Ctx, coupon: str) -> dict:
    before = ctx.load("coupon", coupon)
    after = {**before, "metadata": forms.merge_metadata(before.get("metadata"), ctx.params)}
    if "name" in ctx.params:
        after["name"] = ctx.params["name"] or None
    return ctx.changed("coupon.updated", before, after)


@route("DELETE", "/v1/coupons/{coupon}")
def delete_coupon(ctx: Ctx, coupon: str) -> dict:
    obj = ctx.load("coupon", coupon)
    ctx.store.delete(coupon)
    ctx.emit("coupon.deleted", obj)
    return {"id": coupon, "object": "coupon", "deleted": True}


@route("GET", "/v1/coupons")
def list_coupons(ctx: Ctx) -> dict:
    return list_objects(ctx, "coupon", "/v1/coupons")


# -- promotion codes ------------------------------------------------------------------------------


@route("POST", "/v1/promotion_codes")
def create_promotion_code(ctx: Ctx) -> dict:
    p = ctx.params
    promotion = forms.get_dict(p, "promotion") or {}
    coupon_id = forms.get_str(p, "coupon") or promotion.get("coupon")
    if not coupon_id:
        raise errors.missing_param("promotion[coupon]")
    coupon = ctx.load("coupon", coupon_id, "promotion[coupon]" if promotion else "coupon")
    code = forms.get_str(p, "code") or _random_code()
    if any(o["active"] for o in ctx.store.find("promotion_code", {"lookup": code})):
        raise errors.invalid_request(
            "An active promotion code with `code: %s` already exists." % code, param="code",
            code="resource_already_exists",
        )
    customer = forms.get_str(p, "customer")
    if customer:
        ctx.load("customer", customer, "customer")
    restrictions = forms.get_dict(p, "restrictions") or {}
    promo = new_promotion_code(
        ctx.new_id("promo"), ctx.now, coupon, code, customer=customer,
        active=forms.get_bool(p, "active", default=True), expires_at=forms.get_int(p, "expires_at"),
        max_redemptions=forms.get_int(p, "max_redemptions", minimum=1),
        metadata=forms.merge_metadata({}, p),
        restrictions={
            "currency_options": {},
            "first_time_transaction": forms.get_bool(restrictions, "first_time_transaction", default=False),
            "minimum_amount": forms.get_int(restrictions, "minimum_amount"),
            "minimum_amount_currency": restrictions.get("minimum_amount_currency") or None,
        },
    )
    ctx.save(promo)
    ctx.emit("promotion_code.created", promo)
    return promo


@route("GET", "/v1/promotion_codes/{promotion_code}")
def retrieve_promotion_code(ctx: Ctx, promotion_code: str) -> dict:
    return ctx.load("promotion_code", promotion_code)


@route("POST", "/v1/promotion_codes/{promotion_code}")
def update_promotion_code(ctx: Ctx, promotion_code: str) -> dict:
    before = ctx.load("promotion_code", promotion_code)
    after = {**before, "metadata": forms.merge_metadata(before.get("metadata"), ctx.params)}
    if "active" in ctx.params:
        after["active"] = forms.get_bool(ctx.params, "active", default=True)
    return ctx.changed("promotion_code.updated", before, after)


@route("GET", "/v1/promotion_codes")
def list_promotion_codes(ctx: Ctx) -> dict:
    p = ctx.params
    where = {}
    if forms.get_str(p, "code"):
        where["lookup"] = p["code"]
    if forms.get_str(p, "coupon"):
        where["parent"] = p["coupon"]
    if forms.get_str(p, "customer"):
        where["customer"] = p["customer"]
    active = forms.get_bool(p, "active")
    predicate = (lambda o: o["active"] == active) if active is not None else None
    return list_objects(ctx, "promotion_code", "/v1/promotion_codes", where=where, predicate=predicate)
