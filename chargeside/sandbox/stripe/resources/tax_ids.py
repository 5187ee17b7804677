"""Tax ids: a customer's (``/v1/customers/{id}/tax_ids``) and the owner-based ``/v1/tax_ids`` API
(what the SDK's ``client.v1.tax_ids`` calls: ``GET/DELETE /v1/tax_ids/{id}``, ``GET /v1/tax_ids``
with ``owner[type]``/``owner[customer]``, ``POST /v1/tax_ids``). The owner is ``customer`` or
``self`` (the account's own ids); ``account``/``application`` owners need Connect, which the fake
lacks, so they own nothing here.
"""

from __future__ import annotations

import re

from .. import errors, forms, shapes
from ..context import Ctx
from ..listing import list_objects
from ..router import route

# Formats the sandbox checks (enough to exercise an adapter's error path); others pass.
_FORMATS = {
    "eu_vat": r"[A-Z]{2}[0-9A-Z]{8,12}",
    "gb_vat": r"GB[0-9]{9}([0-9]{3})?",
    "tr_tin": r"[0-9]{10}",
    "us_ein": r"[0-9]{2}-?[0-9]{7}",
    "ch_vat": r"CHE-?[0-9]{3}\.?[0-9]{3}\.?[0-9]{3} ?(MWST|TVA|IVA)",
}
_COUNTRY = {"gb_vat": "GB", "tr_tin": "TR", "us_ein": "US", "ch_vat": "CH", "au_abn": "AU", "ca_bn": "CA",
            "in_gst": "IN", "jp_cn": "JP", "no_vat": "NO"}

shapes.register(
    "tax_id",
    {"customer_account": None, "verification": {"status": "pending", "verified_address": None,
                                                "verified_name": None}},
)


def new_tax_id(object_id: str, created: int, customer: str | None, type_: str, value: str) -> dict:
    """``customer=None``: one of the account's own tax ids (owner ``self``)."""
    obj = shapes.defaults("tax_id")
    country = value[:2].upper() if type_ == "eu_vat" else _COUNTRY.get(type_)
    if type_ == "eu_vat" and country == "EL":
        country = "GR"
    obj.update(id=object_id, object="tax_id", created=created, customer=customer, type=type_,
               value=value, country=country,
               owner={"account": None, "application": None, "customer": customer, "customer_account": None,
                      "type": "customer" if customer else "self"})
    return obj


def create_tax_id(ctx: Ctx, customer: str | None, params: dict) -> dict:
    type_ = forms.get_str(params, "type", required=True)
    value = forms.get_str(params, "value", required=True).strip()
    pattern = _FORMATS.get(type_)
    if pattern and not re.fullmatch(pattern, value.replace(" ", "") if type_ != "ch_vat" else value):
        raise errors.invalid_request(f"Invalid value for {type_}.", param="value", code="tax_id_invalid")
    tax_id = new_tax_id(ctx.new_id("txi"), ctx.now, customer, type_, value)
    ctx.save(tax_id)
    if customer:  # Stripe has events for customers' tax ids only
        ctx.emit("customer.tax_id.created", tax_id)
    return tax_id


def _delete(ctx: Ctx, obj: dict) -> dict:
    ctx.store.delete(obj["id"])
    if obj.get("customer"):
        ctx.emit("customer.tax_id.deleted", obj)
    return {"id": obj["id"], "object": "tax_id", "deleted": True}


@route("POST", "/v1/customers/{customer}/tax_ids")
def create(ctx: Ctx, customer: str) -> dict:
    ctx.load("customer", customer)
    return create_tax_id(ctx, customer, ctx.params)


@route("GET", "/v1/customers/{customer}/tax_ids")
def list_(ctx: Ctx, customer: str) -> dict:
    ctx.load("customer", customer)
    return list_objects(ctx, "tax_id", f"/v1/customers/{customer}/tax_ids", where={"customer": customer})


@route("GET", "/v1/customers/{customer}/tax_ids/{id}")
def retrieve(ctx: Ctx, customer: str, id: str) -> dict:
    obj = ctx.store.get(id, "tax_id")
    if obj is None or obj.get("customer") != customer:
        raise errors.no_such("tax_id", id)
    return obj


@route("DELETE", "/v1/customers/{customer}/tax_ids/{id}")
def delete(ctx: Ctx, customer: str, id: str) -> dict:
    return _delete(ctx, retrieve(ctx, customer, id))


# -- /v1/tax_ids: owner-based ---------------------------------------------------------------------

OWNER_TYPES = ("account", "application", "customer", "self")


def _owner(ctx: Ctx) -> tuple[str, str | None]:
    """(owner type, customer id) from ``owner[...]``; the type defaults to ``self``."""
    owner = forms.get_dict(ctx.params, "owner") or {}
    kind = owner.get("type") or "self"
    if kind not in OWNER_TYPES:
        raise errors.invalid_param("owner[type]", f"Invalid owner[type]: must be one of {', '.join(OWNER_TYPES)}",
                                   code="parameter_invalid_string")
    if kind == "customer":
        customer = owner.get("customer")
        if not customer:
            raise errors.missing_param("owner[customer]")
        ctx.load("customer", customer, "owner[customer]")
        return kind, customer
    if kind == "account" and not owner.get("account"):
        raise errors.missing_param("owner[account]")
    return kind, None


@route("GET", "/v1/tax_ids/{id}")
def retrieve_any(ctx: Ctx, id: str) -> dict:
    obj = ctx.store.get(id, "tax_id")
    if obj is None:
        raise errors.no_such("tax_id", id)
    return obj


@route("DELETE", "/v1/tax_ids/{id}")
def delete_any(ctx: Ctx, id: str) -> dict:
    return _delete(ctx, retrieve_any(ctx, id))


@route("GET", "/v1/tax_ids")
def list_any(ctx: Ctx) -> dict:
    kind, customer = _owner(ctx)
    if kind in ("account", "application"):  # no connected accounts or applications in the fake
        return {"object": "list", "data": [], "has_more": False, "url": "/v1/tax_ids"}
    return list_objects(ctx, "tax_id", "/v1/tax_ids", where={"customer": customer})


@route("POST", "/v1/tax_ids")
def create_any(ctx: Ctx) -> dict:
    kind, customer = _owner(ctx)
    if kind in ("account", "application"):
        raise errors.invalid_request("Tax ids for connected accounts and applications need Connect, which the "
                                     "sandbox does not simulate.", param="owner[type]")
    return create_tax_id(ctx, customer, ctx.params)
