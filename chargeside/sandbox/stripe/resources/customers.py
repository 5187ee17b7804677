"""Customers: create, retrieve, update, delete, list (``email`` filter) and search."""

from __future__ import annotations

import secrets

from .. import errors, forms, shapes
from ..context import Ctx
from ..listing import list_objects, search_objects
from ..router import route
from . import coupons, payment_methods

ADDRESS_NULL = {"city": None, "country": None, "line1": None, "line2": None, "postal_code": None, "state": None}

shapes.register(
    "customer",
    {
        "address": None,
        "balance": 0,
        "currency": None,
        "customer_account": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": None,
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "metadata": {},
        "name": None,
        "next_invoice_sequence": 1,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    },
    nested=("discount",),
)


def new_customer(object_id: str, created: int, **fields) -> dict:
    obj = shapes.defaults("customer")
    obj.update(id=object_id, object="customer", created=created)
    obj["invoice_prefix"] = secrets.token_hex(4).upper()
    obj.update(fields)
    return obj


def _address(params: dict, name: str):
    value = forms.get_dict(params, name)
    if value is None:
        return None
    return {**ADDRESS_NULL, **{k: v for k, v in value.items() if k in ADDRESS_NULL}}


def _apply(ctx: Ctx, cust: dict, params: dict) -> None:
    for field in ("email", "name", "description", "phone", "currency"):
        if field in params:
            cust[field] = params[field] or None
    if "address" in params:
        cust["address"] = _address(params, "address")
    if "shipping" in params:
        shipping = forms.get_dict(params, "shipping")
        cust["shipping"] = shipping and {
            "address": {**ADDRESS_NULL, **(shipping.get("address") or {})},
            "name": shipping.get("name"),
            "phone": shipping.get("phone"),
        }
    if "preferred_locales" in params:
        cust["preferred_locales"] = forms.get_list(params, "preferred_locales")
    if "balance" in params:
        cust["balance"] = forms.get_int(params, "balance", default=0)
    if "tax_exempt" in params:
        cust["tax_exempt"] = params["tax_exempt"] or "none"
    cust["metadata"] = forms.merge_metadata(cust.get("metadata") or {}, params)
    settings = forms.get_dict(params, "invoice_settings")
    if settings is not None:
        merged = dict(cust["invoice_settings"])
        if "default_payment_method" in settings:
            pm_id = settings["default_payment_method"] or None
            if pm_id:
                pm = ctx.load("payment_method", pm_id, "invoice_settings[default_payment_method]")
                if pm.get("customer") != cust["id"]:
                    raise errors.invalid_request(
                        f"The customer does not have a payment method with the ID {pm_id}. The "
                        "payment method must be attached to the customer.",
                        param="invoice_settings[default_payment_method]",
                        code="resource_missing",
                    )
            merged["default_payment_method"] = pm_id
        if "footer" in settings:
            merged["footer"] = settings["footer"] or None
        cust["invoice_settings"] = merged
    # Since basil a customer takes no coupon through the API (its `discount` remains readable).
    coupons.reject_removed_params(params)


@route("POST", "/v1/customers")
def create(ctx: Ctx) -> dict:
    params = dict(ctx.params)
    cust = new_customer(ctx.new_id("cus"), ctx.now)
    pm_id = forms.get_str(params, "payment_method")
    settings = forms.get_dict(params, "invoice_settings") or {}
    default_pm = settings.get("default_payment_method")
    if default_pm:
        # Applied after the attach below, since it may name the payment method attached here.
        params["invoice_settings"] = {k: v for k, v in settings.items() if k != "default_payment_method"}
    _apply(ctx, cust, params)
    ctx.save(cust)
    ctx.emit("customer.created", cust)
    attached = payment_methods.attach(ctx, pm_id, cust["id"], param="payment_method") if pm_id else None
    if default_pm:
        if attached and default_pm == pm_id:
            default_pm = attached["id"]
        _apply(ctx, cust, {"invoice_settings": {"default_payment_method": default_pm}})
        ctx.save(cust)
    for item in forms.get_list(params, "tax_id_data"):
        from .tax_ids import create_tax_id

        create_tax_id(ctx, cust["id"], item)
    return cust


@route("GET", "/v1/customers/{customer}")
def retrieve(ctx: Ctx, customer: str) -> dict:
    obj = ctx.store.get(customer, "customer")
    if obj is None:
        if ctx.store.tombstone_type(customer) == "customer":
            return {"id": customer, "object": "customer", "deleted": True}
        raise errors.no_such("customer", customer)
    return obj


@route("POST", "/v1/customers/{customer}")
def update(ctx: Ctx, customer: str) -> dict:
    before = ctx.load("customer", customer)
    after = {**before}
    _apply(ctx, after, ctx.params)
    return ctx.changed("customer.updated", before, after)


@route("DELETE", "/v1/customers/{customer}")
def delete(ctx: Ctx, customer: str) -> dict:
    cust = ctx.load("customer", customer)
    from . import subscriptions

    for sub in ctx.store.find("subscription", {"customer": customer}):
        if sub["status"] not in ("canceled", "incomplete_expired"):
            subscriptions.cancel_now(ctx, sub, reason="cancellation_requested")
    ctx.store.delete(customer, tombstone=True)
    ctx.emit("customer.deleted", cust)
    return {"id": customer, "object": "customer", "deleted": True}


@route("DELETE", "/v1/customers/{customer}/discount")
def delete_discount(ctx: Ctx, customer: str) -> dict:
    before = ctx.load("customer", customer)
    discount = before.get("discount")
    if not discount:
        raise errors.invalid_request(f"No active discount for customer: '{customer}'", code="resource_missing", status=404)
    after = {**before, "discount": None}
    ctx.changed("customer.updated", before, after)
    ctx.emit("customer.discount.deleted", discount)
    return {"object": "discount", "deleted": True, **{k: v for k, v in discount.items() if k != "object"}}


@route("GET", "/v1/customers")
def list_(ctx: Ctx) -> dict:
    email = forms.get_str(ctx.params, "email")
    where = {"lookup": email} if email else None
    return list_objects(ctx, "customer", "/v1/customers", where=where)


@route("GET", "/v1/customers/search")
def search(ctx: Ctx) -> dict:
    return search_objects(ctx, "customer", "/v1/customers/search", indexed={"email": "lookup"})


def default_payment_method(ctx: Ctx, customer: dict) -> str | None:
    return (customer.get("invoice_settings") or {}).get("default_payment_method")
