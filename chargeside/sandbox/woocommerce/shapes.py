"""JSON shapes the fake serves, in WooCommerce REST wc/v3's field order and formats.

Money is a decimal string with the store's price decimals (`wc_format_decimal`): the fake uses the
currency's ISO exponent. Dates come in pairs: `date_created` in the site's time zone (the fake's site runs
on Europe/Istanbul, UTC+3, so a client that reads the local field instead of `_gmt` is caught) and
`date_created_gmt`, both `YYYY-MM-DDTHH:MM:SS` without an offset. Keys starting with `__` are the fake's
private bookkeeping and never leave it.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from chargeside.core.money import exponent

SITE_OFFSET = dt.timedelta(hours=3)
NAMESPACE = "/wp-json/wc/v3"
WC_VERSION = "9.9.3"


def money(value, currency: str) -> str:
    places = exponent(currency or "USD")
    return f"{Decimal(str(value)).quantize(Decimal(1).scaleb(-places)):f}"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def date_pair(name: str, when: dt.datetime | None) -> dict:
    if when is None:
        return {name: None, f"{name}_gmt": None}
    gmt = when.astimezone(dt.UTC).replace(tzinfo=None)
    return {name: (gmt + SITE_OFFSET).isoformat(), f"{name}_gmt": gmt.isoformat()}


def parse_gmt(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC) if value else None


def public(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if not k.startswith("__")}


def php_json(data) -> bytes:
    """wp_json_encode's bytes: compact, non-ASCII as \\uXXXX, and slashes escaped (no JSON_UNESCAPED_SLASHES)."""
    return json.dumps(data, separators=(",", ":")).replace("/", "\\/").encode()


def links(home: str, *parts: tuple[str, str]) -> dict:
    return {rel: [{"href": f"{home}{NAMESPACE}/{path}"}] for rel, path in parts}


def address(first: str, last: str, *, email: str = "", phone: str = "", country: str = "DE", billing: bool = True) -> dict:
    out = {"first_name": first, "last_name": last, "company": "", "address_1": "Hauptstraße 1", "address_2": "",
           "city": "Berlin", "state": "", "postcode": "10115", "country": country}
    if billing:
        out.update(email=email, phone=phone)
    else:
        out["phone"] = ""
    return out


def customer(*, id_: int, email: str, first: str, last: str, phone: str, created: dt.datetime, country: str = "DE") -> dict:
    return {
        "id": id_, **date_pair("date_created", created), **date_pair("date_modified", created),
        "email": email, "first_name": first, "last_name": last, "role": "customer",
        "username": email.split("@")[0].lower(), "billing": address(first, last, email=email, phone=phone, country=country),
        "shipping": address(first, last, country=country, billing=False), "is_paying_customer": False,
        "avatar_url": "https://secure.gravatar.com/avatar/00000000000000000000000000000000?s=96&d=mm&r=g", "meta_data": [],
    }


def line_item(*, id_: int, product: dict, quantity: int, currency: str) -> dict:
    total = Decimal(product["price"] or "0") * quantity
    return {"id": id_, "name": product["name"], "product_id": product["id"], "variation_id": 0, "quantity": quantity,
            "tax_class": "", "subtotal": money(total, currency), "subtotal_tax": money(0, currency),
            "total": money(total, currency), "total_tax": money(0, currency), "taxes": [], "meta_data": [],
            "sku": product.get("sku", ""), "price": float(product["price"] or 0), "image": {"id": "", "src": ""},
            "parent_name": None}


def order(*, id_: int, status: str, currency: str, total: Decimal, customer_id: int, billing: dict, items: list[dict],
          payment_method: str, payment_method_title: str, transaction_id: str, created: dt.datetime,
          paid: dt.datetime | None, created_via: str = "checkout", order_key: str = "") -> dict:
    return {
        "id": id_, "parent_id": 0, "status": status, "currency": currency, "version": WC_VERSION,
        "prices_include_tax": False, **date_pair("date_created", created), **date_pair("date_modified", created),
        "discount_total": money(0, currency), "discount_tax": money(0, currency), "shipping_total": money(0, currency),
        "shipping_tax": money(0, currency), "cart_tax": money(0, currency), "total": money(total, currency),
        "total_tax": money(0, currency), "customer_id": customer_id, "order_key": order_key or f"wc_order_{id_:013x}",
        "billing": billing, "shipping": {**{k: v for k, v in billing.items() if k != "email"}},
        "payment_method": payment_method, "payment_method_title": payment_method_title, "transaction_id": transaction_id,
        "customer_ip_address": "", "customer_user_agent": "", "created_via": created_via, "customer_note": "",
        **date_pair("date_completed", None), **date_pair("date_paid", paid), "cart_hash": "", "number": str(id_),
        "meta_data": [], "line_items": items, "tax_lines": [], "shipping_lines": [], "fee_lines": [], "coupon_lines": [],
        "refunds": [], "payment_url": "", "is_editable": status in ("pending", "on-hold", "auto-draft"),
        "needs_payment": status in ("pending", "failed"), "needs_processing": True, "currency_symbol": "",
    }


def refund(*, id_: int, amount: Decimal, currency: str, reason: str, refunded_payment: bool, created: dt.datetime,
           meta: list[dict], parent_id: int) -> dict:
    return {"id": id_, **date_pair("date_created", created), "amount": money(amount, currency), "reason": reason,
            "refunded_by": 1, "refunded_payment": refunded_payment, "meta_data": meta, "line_items": [],
            "shipping_lines": [], "tax_lines": [], "fee_lines": [], "__parent_id": parent_id, "__currency": currency}


def product(*, id_: int, name: str, price: Decimal, currency: str, created: dt.datetime, subscription: bool = False,
            period: str = "month") -> dict:
    meta = [{"id": id_ * 10 + 1, "key": "_subscription_period", "value": period}] if subscription else []
    return {"id": id_, "name": name, "slug": name.lower().replace(" ", "-"), "permalink": "", **date_pair("date_created", created),
            **date_pair("date_modified", created), "type": "subscription" if subscription else "simple", "status": "publish",
            "featured": False, "catalog_visibility": "visible", "description": f"<p>{name}</p>", "short_description": "",
            "sku": f"SKU-{id_}", "price": money(price, currency), "regular_price": money(price, currency), "sale_price": "",
            "on_sale": False, "purchasable": True, "total_sales": 0, "virtual": subscription, "downloadable": False,
            "tax_status": "taxable", "tax_class": "", "manage_stock": False, "stock_quantity": None, "stock_status": "instock",
            "categories": [], "tags": [], "images": [], "attributes": [], "variations": [], "meta_data": meta}


def coupon(*, id_: int, code: str, discount_type: str, amount: Decimal, currency: str, created: dt.datetime,
           usage_limit: int | None = None, expires: dt.datetime | None = None) -> dict:
    return {"id": id_, "code": code, "amount": money(amount, currency), "status": "publish",
            **date_pair("date_created", created), **date_pair("date_modified", created), "discount_type": discount_type,
            "description": "", **date_pair("date_expires", expires), "usage_count": 0, "individual_use": False,
            "product_ids": [], "excluded_product_ids": [], "usage_limit": usage_limit, "usage_limit_per_user": None,
            "limit_usage_to_x_items": None, "free_shipping": False, "product_categories": [],
            "excluded_product_categories": [], "exclude_sale_items": False, "minimum_amount": "0.00",
            "maximum_amount": "0.00", "email_restrictions": [], "used_by": [], "meta_data": []}


def subscription(*, id_: int, status: str, currency: str, total: Decimal, customer_id: int, billing: dict, items: list[dict],
                 period: str, interval: int, created: dt.datetime, start: dt.datetime, next_payment: dt.datetime | None,
                 last_payment: dt.datetime | None, trial_end: dt.datetime | None, parent_id: int,
                 payment_method: str = "stripe", payment_method_title: str = "Credit Card (Stripe)") -> dict:
    doc = order(id_=id_, status=status, currency=currency, total=total, customer_id=customer_id, billing=billing, items=items,
                payment_method=payment_method, payment_method_title=payment_method_title, transaction_id="",
                created=created, paid=None, created_via="checkout")
    for key in ("refunds", "payment_url", "is_editable", "needs_payment", "needs_processing", "date_paid", "date_paid_gmt",
                "date_completed", "date_completed_gmt", "number"):
        doc.pop(key, None)
    doc.update(parent_id=parent_id, billing_period=period, billing_interval=str(interval), resubscribed_from="",
               resubscribed_subscription="", **date_pair("start_date", start), **date_pair("trial_end_date", trial_end),
               **date_pair("next_payment_date", next_payment), **date_pair("last_payment_date", last_payment),
               **date_pair("cancelled_date", None), **date_pair("end_date", None), removed_line_items=[])
    return doc
