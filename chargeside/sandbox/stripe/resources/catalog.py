"""Products and prices (recurring and one-time)."""

from __future__ import annotations

from .. import errors, forms, money, shapes
from ..context import Ctx
from ..listing import list_objects, search_objects
from ..router import route

INTERVALS = ("day", "week", "month", "year")

shapes.register(
    "product",
    {
        "active": True,
        "attributes": [],
        "default_price": None,
        "description": None,
        "features": [],
        "images": [],
        "marketing_features": [],
        "metadata": {},
        "package_dimensions": None,
        "shippable": None,
        "statement_descriptor": None,
        "tax_code": None,
        "type": "service",
        "unit_label": None,
        "url": None,
    },
)

shapes.register(
    "price",
    {
        "active": True,
        "billing_scheme": "per_unit",
        "custom_unit_amount": None,
        "lookup_key": None,
        "metadata": {},
        "nickname": None,
        "recurring": None,
        "tax_behavior": "unspecified",
        "tiers_mode": None,
        "transform_quantity": None,
        "type": "one_time",
    },
)


shapes.register(
    "plan",
    {
        "active": True, "aggregate_usage": None, "billing_scheme": "per_unit", "interval": "month",
        "interval_count": 1, "metadata": {}, "meter": None, "nickname": None, "tiers_mode": None,
        "transform_usage": None, "trial_period_days": None, "usage_type": "licensed",
    },
)


def new_product(object_id: str, created: int, name: str, **fields) -> dict:
    obj = shapes.defaults("product")
    obj.update(id=object_id, object="product", created=created, name=name, updated=created)
    obj.update(fields)
    return obj


def new_price(object_id: str, created: int, product: str, currency: str, unit_amount: int,
              interval: str | None = None, interval_count: int = 1, **fields) -> dict:
    obj = shapes.defaults("price")
    obj.update(id=object_id, object="price", created=created, product=product,
               currency=currency.lower(), unit_amount=unit_amount, unit_amount_decimal=str(unit_amount))
    if interval:
        obj["type"] = "recurring"
        obj["recurring"] = {
            "aggregate_usage": None,
            "interval": interval,
            "interval_count": interval_count,
            "meter": None,
            "trial_period_days": None,
            "usage_type": "licensed",
        }
    obj.update(fields)
    return obj


def as_plan(price: dict) -> dict:
    """The legacy ``plan`` view of a recurring price (older API versions still read it)."""
    rec = price.get("recurring") or {}
    return {
        "id": price["id"],
        "object": "plan",
        "active": price["active"],
        "aggregate_usage": None,
        "amount": price["unit_amount"],
        "amount_decimal": price.get("unit_amount_decimal"),
        "billing_scheme": price["billing_scheme"],
        "created": price["created"],
        "currency": price["currency"],
        "interval": rec.get("interval", "month"),
        "interval_count": rec.get("interval_count", 1),
        "livemode": False,
        "metadata": price.get("metadata", {}),
        "meter": None,
        "nickname": price.get("nickname"),
        "product": price["product"],
        "tiers_mode": None,
        "transform_usage": None,
        "trial_period_days": rec.get("trial_period_days"),
        "usage_type": "licensed",
    }


# -- products -----------------------------------------------------------------------------------


@route("POST", "/v1/products")
def create_product(ctx: Ctx) -> dict:
    params = ctx.params
    name = forms.get_str(params, "name", required=True)
    object_id = forms.get_str(params, "id") or ctx.new_id("prod")
    if ctx.store.exists(object_id):
        raise errors.invalid_request("Product already exists.", param="id", code="resource_already_exists")
    prod = new_product(object_id, ctx.now, name)
    _apply_product(prod, params)
    ctx.save(prod)
    ctx.emit("product.created", prod)
    price_data = forms.get_dict(params, "default_price_data")
    if price_data:
        price = _create_price(ctx, {**price_data, "product": object_id})
        prod["default_price"] = price["id"]
        ctx.save(prod)
    return prod


def _apply_product(prod: dict, params: dict) -> None:
    for field in ("name", "description", "statement_descriptor", "tax_code", "unit_label", "url"):
        if field in params:
            prod[field] = params[field] or None
    if "active" in params:
        prod["active"] = forms.get_bool(params, "active", default=True)
    if "images" in params:
        prod["images"] = forms.get_list(params, "images")
    prod["metadata"] = forms.merge_metadata(prod.get("metadata"), params)


@route("GET", "/v1/products/{id}")
def retrieve_product(ctx: Ctx, id: str) -> dict:
    return ctx.load("product", id)


@route("POST", "/v1/products/{id}")
def update_product(ctx: Ctx, id: str) -> dict:
    before = ctx.load("product", id)
    after = dict(before)
    _apply_product(after, ctx.params)
    if "default_price" in ctx.params:
        price_id = ctx.params["default_price"] or None
        if price_id:
            ctx.load("price", price_id, "default_price")
        after["default_price"] = price_id
    after["updated"] = ctx.now
    return ctx.changed("product.updated", before, after)


@route("DELETE", "/v1/products/{id}")
def delete_product(ctx: Ctx, id: str) -> dict:
    prod = ctx.load("product", id)
    if ctx.store.first("price", {"parent": id}):
        raise errors.invalid_request(
            "This product cannot be deleted because it has one or more user-created prices."
        )
    ctx.store.delete(id)
    ctx.emit("product.deleted", prod)
    return {"id": id, "object": "product", "deleted": True}


@route("GET", "/v1/products")
def list_products(ctx: Ctx) -> dict:
    active = forms.get_bool(ctx.params, "active")
    ids = set(forms.get_list(ctx.params, "ids"))

    def predicate(o):
        return (active is None or o["active"] == active) and (not ids or o["id"] in ids)

    return list_objects(ctx, "product", "/v1/products", predicate=predicate if (ids or active is not None) else None)


@route("GET", "/v1/products/search")
def search_products(ctx: Ctx) -> dict:
    return search_objects(ctx, "product", "/v1/products/search")


# -- prices -------------------------------------------------------------------------------------


def _create_price(ctx: Ctx, params: dict) -> dict:
    currency = forms.get_str(params, "currency", required=True).lower()
    if not money.validate_currency(currency):
        raise errors.invalid_param("currency", f"Invalid currency: {currency}", code="parameter_invalid_string")
    product_id = forms.get_str(params, "product")
    product_data = forms.get_dict(params, "product_data")
    if product_id:
        ctx.load("product", product_id, "product")
    elif product_data:
        prod = new_product(ctx.new_id("prod"), ctx.now, forms.get_str(product_data, "name", required=True))
        ctx.save(prod)
        ctx.emit("product.created", prod)
        product_id = prod["id"]
    else:
        raise errors.missing_param("product")
    amount = forms.get_int(params, "unit_amount", minimum=0)
    if amount is None:
        decimal = forms.get_str(params, "unit_amount_decimal")
        if decimal is None:
            raise errors.missing_param("unit_amount")
        amount = int(float(decimal))
    recurring = forms.get_dict(params, "recurring")
    interval = count = None
    if recurring:
        interval = forms.get_str(recurring, "interval", required=True)
        if interval not in INTERVALS:
            raise errors.invalid_param("recurring[interval]", f"Invalid recurring[interval]: must be one of {', '.join(INTERVALS)}")
        count = forms.get_int(recurring, "interval_count", default=1, minimum=1)
    price = new_price(ctx.new_id("price"), ctx.now, product_id, currency, amount, interval, count or 1)
    if recurring and recurring.get("trial_period_days"):
        price["recurring"]["trial_period_days"] = forms.get_int(recurring, "trial_period_days")
    for field in ("nickname", "lookup_key", "tax_behavior"):
        if params.get(field):
            price[field] = params[field]
    if "active" in params:
        price["active"] = forms.get_bool(params, "active", default=True)
    price["metadata"] = forms.merge_metadata({}, params)
    ctx.save(price)
    ctx.emit("price.created", price)
    return price


@route("POST", "/v1/prices")
def create_price(ctx: Ctx) -> dict:
    return _create_price(ctx, ctx.params)


@route("GET", "/v1/prices/{price}")
def retrieve_price(ctx: Ctx, price: str) -> dict:
    return ctx.load("price", price)


@route("POST", "/v1/prices/{price}")
def update_price(ctx: Ctx, price: str) -> dict:
    before = ctx.load("price", price)
    after = {**before, "metadata": forms.merge_metadata(before.get("metadata"), ctx.params)}
    for field in ("nickname", "lookup_key", "tax_behavior"):
        if field in ctx.params:
            after[field] = ctx.params[field] or None
    if "active" in ctx.params:
        after["active"] = forms.get_bool(ctx.params, "active", default=True)
    return ctx.changed("price.updated", before, after)


@route("GET", "/v1/prices")
def list_prices(ctx: Ctx) -> dict:
    p = ctx.params
    product = forms.get_str(p, "product")
    active = forms.get_bool(p, "active")
    kind = forms.get_str(p, "type")
    currency = (forms.get_str(p, "currency") or "").lower() or None
    lookup_keys = set(forms.get_list(p, "lookup_keys"))
    interval = (forms.get_dict(p, "recurring") or {}).get("interval")

    def predicate(o):
        return ((active is None or o["active"] == active) and (kind is None or o["type"] == kind)
                and (currency is None or o["currency"] == currency)
                and (not lookup_keys or o.get("lookup_key") in lookup_keys)
                and (interval is None or (o.get("recurring") or {}).get("interval") == interval))

    where = {"parent": product} if product else None
    return list_objects(ctx, "price", "/v1/prices", where=where, predicate=predicate)


@route("GET", "/v1/prices/search")
def search_prices(ctx: Ctx) -> dict:
    return search_objects(ctx, "price", "/v1/prices/search", indexed={"product": "parent"})
