"""WooCommerce REST (wc/v3) JSON → Chargeside DTOs. Pure functions on plain dicts.

- Money: WooCommerce sends decimal strings ("29.35") with the store's price decimals; converted with
  Decimal and the order currency's ISO exponent (a value with more places than the currency has is refused).
- Dates: read the `*_gmt` fields (naive, UTC); the unsuffixed ones are in the site's time zone.
- Customers: a registered customer is its user id ("12"). A guest order has `customer_id` 0; its buyer
  becomes the identity "guest:<billing email, lower-cased>" (GUEST_PREFIX), built from the billing address of
  the order, so guests with several orders are one customer and a later account does not merge silently.
- Orders are charges (remote id = order id). Refund objects carry a positive `amount`; the order's own
  `refunds` list carries negative `total`s ("-10.00"); both are read as positive minor units. A refund has no
  currency of its own: it is its order's.
- Subscriptions (extension): amount = `total` per billing period; period from `billing_period` and
  `billing_interval` (a string); current period = last payment (or start) → next payment (or end).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from chargeside.core.money import MoneyError, exponent, normalise_currency
from chargeside.gateways.types import (
    ChargeDTO,
    ChargeStatus,
    CouponDTO,
    CustomerDTO,
    ProductDTO,
    RefundDTO,
    RefundStatus,
    SubscriptionDTO,
    SubscriptionStatus,
)

from . import statuses as st

GUEST_PREFIX = "guest:"
DECLINE_NOTE_PREFIXES = ("Payment failed:", "Stripe payment failed:", "Error processing payment.")


def minor(value, currency: str) -> int:
    """"29.35" EUR → 2935; "-10.00" → -1000. Refuses more decimal places than the currency has."""
    if value in (None, ""):
        return 0
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise MoneyError(f"{value!r} is not an amount") from None
    scaled = amount.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{value!r} has more decimal places than {currency} allows")
    return int(scaled)


def gmt(value) -> dt.datetime | None:
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def currency_of(obj: dict, default: str = "") -> str:
    return normalise_currency(obj.get("currency") or default)


def guest_id(email: str) -> str:
    return f"{GUEST_PREFIX}{email.strip().lower()}"


def customer_remote_id(order: dict) -> str:
    """The customer an order (or subscription) belongs to: the user id, else its guest identity, else ""."""
    if order.get("customer_id"):
        return str(order["customer_id"])
    email = (order.get("billing") or {}).get("email") or ""
    return guest_id(email) if email.strip() else ""


def _name(first: str, last: str) -> str:
    return " ".join(part for part in ((first or "").strip(), (last or "").strip()) if part)


def customer(obj: dict) -> CustomerDTO:
    billing = obj.get("billing") or {}
    name = _name(obj.get("first_name"), obj.get("last_name")) or _name(billing.get("first_name"), billing.get("last_name"))
    return CustomerDTO(
        remote_id=str(obj["id"]), email=obj.get("email") or billing.get("email") or "", name=name,
        phone=billing.get("phone") or "", metadata={"username": obj.get("username") or "", "role": obj.get("role") or ""},
        created_at=gmt(obj.get("date_created_gmt")), raw=obj,
    )


def guest_customer(order: dict) -> CustomerDTO:
    """The identity of a guest order's buyer, from its billing address (raw = that address and the order id)."""
    billing = order.get("billing") or {}
    email = (billing.get("email") or "").strip()
    if not email:
        raise ValueError(f"order {order.get('id')} has no customer and no billing email")
    return CustomerDTO(
        remote_id=guest_id(email), email=email, name=_name(billing.get("first_name"), billing.get("last_name")),
        phone=billing.get("phone") or "", metadata={"guest": "true", "from_order": str(order.get("id"))},
        created_at=gmt(order.get("date_created_gmt")), raw={"guest": True, "billing": billing, "order_id": order.get("id")},
    )


def refunded_total(order: dict, currency: str) -> int:
    return sum(abs(minor(r.get("total"), currency)) for r in order.get("refunds") or [])


def charge(order: dict, *, failure_message: str = "") -> ChargeDTO:
    currency = currency_of(order)
    amount = minor(order.get("total"), currency)
    status_name = order.get("status")
    status = st.lookup(st.ORDER_STATUS, status_name, "order", order.get("id"))
    paid = status_name in st.PAID_ORDER_STATUSES or (bool(order.get("date_paid_gmt")) and status == ChargeStatus.SUCCEEDED)
    refunded = refunded_total(order, currency)
    if status == ChargeStatus.SUCCEEDED and refunded > 0:
        status = ChargeStatus.REFUNDED if refunded >= amount else ChargeStatus.PARTIALLY_REFUNDED
    method = order.get("payment_method_title") or order.get("payment_method") or ""
    failed = status == ChargeStatus.FAILED
    return ChargeDTO(
        remote_id=str(order["id"]), customer_remote_id=customer_remote_id(order), amount=amount, currency=currency, status=status,
        amount_captured=amount if paid else 0, amount_refunded=refunded, intent_remote_id="",
        payment_method_remote_id=order.get("payment_method") or "", invoice_remote_id="",
        description=f"Order #{order.get('number') or order['id']}" + (f" ({method})" if method else ""),
        failure_code=("payment_failed" if failed else ""), failure_message=failure_message if failed else "",
        receipt_url="", created_at=gmt(order.get("date_created_gmt")), raw=order,
    )


def decline_message(notes: list[dict]) -> str:
    """The payment plugin's newest failure note ("Payment failed: Your card has insufficient funds.")."""
    for note in notes:
        text = (note.get("note") or "").strip()
        if text.startswith(DECLINE_NOTE_PREFIXES):
            return text
    return ""


def refund(obj: dict, *, order_id, currency: str) -> RefundDTO:
    currency = normalise_currency(currency)
    return RefundDTO(
        remote_id=str(obj["id"]), charge_remote_id=str(order_id), amount=abs(minor(obj.get("amount"), currency)), currency=currency,
        # A refund exists only once WooCommerce (and, with api_refund, the gateway) accepted it.
        status=RefundStatus.SUCCEEDED, reason=obj.get("reason") or "", created_at=gmt(obj.get("date_created_gmt")), raw=obj,
    )


def subscription(obj: dict) -> SubscriptionDTO:
    currency = currency_of(obj)
    status_name = obj.get("status")
    status = st.lookup(st.SUBSCRIPTION_STATUS, status_name, "subscription", obj.get("id"))
    trial_end = gmt(obj.get("trial_end_date_gmt"))
    now = dt.datetime.now(dt.UTC)
    if status == SubscriptionStatus.ACTIVE and trial_end and trial_end > now and not obj.get("last_payment_date_gmt"):
        status = SubscriptionStatus.TRIALING
    items = obj.get("line_items") or []
    item = items[0] if items else {}
    try:
        interval_count = int(obj.get("billing_interval") or 1)
    except (TypeError, ValueError):
        interval_count = 1
    period_end = gmt(obj.get("next_payment_date_gmt")) or gmt(obj.get("end_date_gmt"))
    return SubscriptionDTO(
        remote_id=str(obj["id"]), customer_remote_id=customer_remote_id(obj), status=status,
        price_remote_id=str(item.get("product_id") or ""), plan_name=item.get("name") or "",
        amount=minor(obj.get("total"), currency), currency=currency, interval=obj.get("billing_period") or "",
        interval_count=interval_count, quantity=int(item.get("quantity") or 1),
        current_period_start=gmt(obj.get("last_payment_date_gmt")) or gmt(obj.get("start_date_gmt")),
        current_period_end=period_end, cancel_at_period_end=status_name == "pending-cancel",
        canceled_at=gmt(obj.get("cancelled_date_gmt")), trial_end=trial_end,
        coupon_remote_ids=tuple(c.get("code") for c in obj.get("coupon_lines") or [] if c.get("code")),
        item_remote_id=str(item.get("id") or ""), created_at=gmt(obj.get("date_created_gmt")), raw=obj,
    )


def product(obj: dict) -> ProductDTO:
    return ProductDTO(remote_id=str(obj["id"]), name=obj.get("name") or "", active=obj.get("status") == "publish",
                      description=obj.get("short_description") or "", raw=obj)


def coupon(obj: dict, *, store_currency: str) -> CouponDTO:
    """percent → basis points; fixed_cart/fixed_product → an amount in the store's currency."""
    kind = obj.get("discount_type") or ""
    expires = gmt(obj.get("date_expires_gmt"))
    limit = obj.get("usage_limit")
    valid = obj.get("status") == "publish" and not (expires and expires < dt.datetime.now(dt.UTC)) \
        and not (limit and (obj.get("usage_count") or 0) >= limit)
    percent_bp = amount_off = None
    currency = ""
    if kind == "percent":
        percent_bp = int(Decimal(str(obj.get("amount") or "0")) * 100)
    else:
        currency = normalise_currency(store_currency)
        amount_off = minor(obj.get("amount"), currency)
    return CouponDTO(remote_id=str(obj["id"]), name=obj.get("code") or "", percent_off_bp=percent_bp, amount_off=amount_off,
                     currency=currency, duration="once", valid=valid, raw=obj)
