"""Customer tax ids (``/v1/customers/{id}/tax_ids``)."""

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


def new_tax_id(object_id: str, created: int, customer: str, type_: str, value: str) -> dict:
    obj = shapes.defaults("tax_id")
    country = value[:2].upper() if type_ == "eu_vat" else _COUNTRY.get(type_)
    if type_ == "eu_vat" and country == "EL":
        country = "GR"
    obj.update(id=object_id, object="tax_id", created=created, customer=customer, type=type_,
               value=value, country=country, owner={"customer": customer, "type": "customer",
                                                    "account": None, "application": None})
    return obj


def create_tax_id(ctx: Ctx, customer: str, params: dict) -> dict:
    type_ = forms.get_str(params, "type", required=True)
    value = forms.get_str(params, "value", required=True).strip()
    pattern = _FORMATS.get(type_)
    if pattern and not re.fullmatch(pattern, value.replace(" ", "") if type_ != "ch_vat" else value):
        raise errors.invalid_request(f"Invalid value for {type_}.", param="value", code="tax_id_invalid")
    tax_id = new_tax_id(ctx.new_id("txi"), ctx.now, customer, type_, value)
    ctx.save(tax_id)
    ctx.emit("customer.tax_id.created", tax_id)
    return tax_id


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
    obj = retrieve(ctx, customer, id)
    ctx.store.delete(id)
    ctx.emit("customer.tax_id.deleted", obj)
    return {"id": id, "object": "tax_id", "deleted": True}
