"""Stripe JSON → Chargeside DTOs. Pure functions: no network, no Django, no SDK objects (plain dicts in).

Written for API version 2026-10-28.endive (what stripe 16.1.0 pins) and still reading the older shapes,
because webhook payloads are rendered in the *endpoint's* API version and old accounts send old shapes:
- subscription `current_period_*` moved from the subscription onto each item (2025-03-31.basil);
- invoice `subscription` moved to `parent.subscription_details.subscription`, invoice `charge` was replaced
  by the `payments` list (basil), invoice `tax` by `total_taxes` (earlier `total_tax_amounts`);
- invoice line `price`/`proration` moved to `pricing.price_details.price` / `parent.<type>.proration`;
- singular `discount`/`coupon` became the `discounts` list (basil) and a discount's `coupon` moved to
  `source.coupon` (2025-09-30.clover); promotion code `coupon` moved to `promotion.coupon` (clover);
- tax id `customer` moved to `owner.customer`;
- partial capture and authorisation release no longer create refunds (basil): `amount_refunded` counts only
  real refunds and a released authorisation keeps `refunded: false`, so only its PaymentIntent (status
  canceled) shows it was voided; the adapter expands `payment_intent` on charge reads for that reason.
  Older payloads still mark a release `refunded: true` (read too); an old-shape *partial capture* counted the
  released remainder in `amount_refunded` and would read as partially refunded, but those only arrive in
  webhooks of old-version endpoints, and ingest re-fetches charges in the current version anyway.
Amounts are already minor units in every currency (JPY 500 = ¥500, KWD 1000 = 1.000 KD); only the
currency code is upper-cased. Timestamps are unix seconds → aware UTC datetimes.
Status tables, and the policy for statuses Stripe adds later, are in statuses.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chargeside.gateways.types import (
    ChargeDTO,
    ChargeStatus,
    CouponDTO,
    CustomerDTO,
    DisputeDTO,
    InvoiceDTO,
    InvoiceLineDTO,
    PaymentMethodDTO,
    PriceDTO,
    ProductDTO,
    PromotionCodeDTO,
    RefundDTO,
    SubscriptionDTO,
    TaxIdDTO,
)

from . import statuses as st
from .statuses import UnknownStatus  # noqa: F401  (re-exported for callers and tests)

# Legacy card sources spell brands for humans; PaymentMethods use these keys.
CARD_BRANDS = {"American Express": "amex", "Diners Club": "diners", "MasterCard": "mastercard", "UnionPay": "unionpay"}
WALLET_TYPES = frozenset(["paypal", "link", "cashapp", "amazon_pay", "revolut_pay", "samsung_pay", "kakao_pay", "naver_pay", "alipay", "wechat_pay"])


def ts(value) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromtimestamp(int(value), tz=dt.UTC)


def ref(value) -> str:
    """An expandable field: an id string, an expanded object, or null."""
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def dig(obj, *path):
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def upper_currency(value) -> str:
    return (value or "").upper()


def _meta(obj) -> dict[str, str]:
    return {str(k): str(v) for k, v in (obj.get("metadata") or {}).items()}


def coupon_of(discount) -> str:
    # An unexpanded discount ("di_...") does not say its coupon; the adapter expands discounts on reads.
    if not isinstance(discount, dict):
        return ""
    return ref(discount.get("coupon")) or ref(dig(discount, "source", "coupon"))


def customer(obj: dict) -> CustomerDTO:
    if obj.get("deleted"):
        return CustomerDTO(remote_id=obj["id"], deleted=True, raw=obj)
    return CustomerDTO(
        remote_id=obj["id"], email=obj.get("email") or "", name=obj.get("name") or "", phone=obj.get("phone") or "",
        locale=(obj.get("preferred_locales") or [""])[0], metadata=_meta(obj), created_at=ts(obj.get("created")),
        default_payment_method_remote_id=ref(dig(obj, "invoice_settings", "default_payment_method")) or ref(obj.get("default_source")),
        coupon_remote_id=coupon_of(obj.get("discount")), raw=obj,
    )


def payment_method(obj: dict) -> PaymentMethodDTO:
    if obj.get("object") == "card":  # legacy card source (card_...), still listed with PaymentMethods
        wallet = {"android_pay": "google_pay"}.get(obj.get("tokenization_method") or "", obj.get("tokenization_method") or "")
        return PaymentMethodDTO(
            remote_id=obj["id"], customer_remote_id=ref(obj.get("customer")), type="card",
            brand=CARD_BRANDS.get(obj.get("brand") or "", (obj.get("brand") or "").lower()), last4=obj.get("last4") or "",
            exp_month=obj.get("exp_month"), exp_year=obj.get("exp_year"), wallet=wallet, raw=obj,
        )
    kind = obj.get("type") or ""
    details = obj.get(kind) or {}
    wallet = (dig(details, "wallet", "type") or "") if kind == "card" else (kind if kind in WALLET_TYPES else "")
    return PaymentMethodDTO(
        remote_id=obj["id"], customer_remote_id=ref(obj.get("customer")), type=kind, brand=details.get("brand") or "",
        last4=details.get("last4") or "", exp_month=details.get("exp_month"), exp_year=details.get("exp_year"),
        wallet=wallet, created_at=ts(obj.get("created")), raw=obj,
    )


def _charge_status(obj: dict, intent: dict | None) -> ChargeStatus:
    status = st.lookup(st.CHARGE_STATUS, obj.get("status"), "charge", obj.get("id", "?"))
    if status != ChargeStatus.SUCCEEDED:
        return status
    if not obj.get("captured"):
        # A released authorisation: the PaymentIntent is canceled (current API) or the charge is marked
        # refunded (before 2025-03-31). Without either, the hold is still open.
        released = obj.get("refunded") or (intent or {}).get("status") == "canceled"
        return ChargeStatus.VOIDED if released else ChargeStatus.AUTHORIZED
    refunded = obj.get("amount_refunded") or 0
    captured = obj.get("amount_captured") if obj.get("amount_captured") is not None else obj.get("amount") or 0
    if refunded <= 0:
        return ChargeStatus.SUCCEEDED
    return ChargeStatus.REFUNDED if obj.get("refunded") or refunded >= captured else ChargeStatus.PARTIALLY_REFUNDED


def charge(obj: dict, *, intent: dict | None = None) -> ChargeDTO:
    """`intent`: the PaymentIntent when known (also read from an expanded `payment_intent`)."""
    intent = intent or (obj["payment_intent"] if isinstance(obj.get("payment_intent"), dict) else None)
    status = _charge_status(obj, intent)
    failure_code = failure_message = ""
    if status == ChargeStatus.FAILED:
        # outcome.reason carries the issuer's decline reason (insufficient_funds); failure_code is coarser.
        failure_code = dig(obj, "outcome", "reason") or obj.get("failure_code") or ""
        failure_message = obj.get("failure_message") or dig(obj, "outcome", "seller_message") or ""
    return ChargeDTO(
        remote_id=obj["id"], customer_remote_id=ref(obj.get("customer")), amount=obj.get("amount") or 0,
        currency=upper_currency(obj.get("currency")), status=status, amount_captured=obj.get("amount_captured") or 0,
        amount_refunded=obj.get("amount_refunded") or 0, intent_remote_id=ref(intent) or ref(obj.get("payment_intent")),
        payment_method_remote_id=ref(obj.get("payment_method")), invoice_remote_id=ref(obj.get("invoice")),
        description=obj.get("description") or "", failure_code=failure_code, failure_message=failure_message,
        receipt_url=obj.get("receipt_url") or "", created_at=ts(obj.get("created")), raw=obj,
    )


def refund(obj: dict) -> RefundDTO:
    return RefundDTO(
        remote_id=obj["id"], charge_remote_id=ref(obj.get("charge")), amount=obj.get("amount") or 0,
        currency=upper_currency(obj.get("currency")), status=st.lookup(st.REFUND_STATUS, obj.get("status"), "refund", obj["id"]),
        reason=obj.get("reason") or "", created_at=ts(obj.get("created")), raw=obj,
    )


def subscription(obj: dict, *, product_names: dict[str, str] | None = None) -> SubscriptionDTO:
    """`product_names`: product id → name, for pages where the product could not be expanded."""
    items = dig(obj, "items", "data") or []
    item = items[0] if items else {}
    price_obj = item.get("price") or item.get("plan") or {}
    product = price_obj.get("product")
    name = product.get("name") if isinstance(product, dict) else (product_names or {}).get(product or "")
    quantity = item.get("quantity") if item.get("quantity") is not None else 1
    unit = price_obj.get("unit_amount") if "unit_amount" in price_obj else price_obj.get("amount")
    recurring = price_obj.get("recurring") or price_obj  # plans carry interval at top level
    coupons = [coupon_of(obj.get("discount"))] + [coupon_of(d) for d in obj.get("discounts") or []]
    return SubscriptionDTO(
        remote_id=obj["id"], customer_remote_id=ref(obj.get("customer")),
        status=st.lookup(st.SUBSCRIPTION_STATUS, obj.get("status"), "subscription", obj["id"]),
        price_remote_id=ref(price_obj), plan_name=name or price_obj.get("nickname") or "",
        amount=(unit or 0) * quantity, currency=upper_currency(price_obj.get("currency") or obj.get("currency")),
        interval=recurring.get("interval") or "", interval_count=recurring.get("interval_count") or 1, quantity=quantity,
        current_period_start=ts(item.get("current_period_start") or obj.get("current_period_start")),
        current_period_end=ts(item.get("current_period_end") or obj.get("current_period_end")),
        cancel_at_period_end=bool(obj.get("cancel_at_period_end")), canceled_at=ts(obj.get("canceled_at")),
        trial_end=ts(obj.get("trial_end")), coupon_remote_ids=tuple(dict.fromkeys(c for c in coupons if c)),
        item_remote_id=item.get("id") or "", created_at=ts(obj.get("created")), raw=obj,
    )


def invoice_line(line: dict, currency: str = "") -> InvoiceLineDTO:
    parent = line.get("parent") or {}
    details = parent.get(parent.get("type") or "") or {}
    return InvoiceLineDTO(
        description=line.get("description") or "", amount=line.get("amount") or 0,
        currency=upper_currency(line.get("currency") or currency), quantity=line.get("quantity") or 1,
        price_remote_id=ref(line.get("price")) or ref(dig(line, "pricing", "price_details", "price")),
        proration=bool(line.get("proration") or details.get("proration")),
    )


def _invoice_tax(obj: dict) -> int:
    if isinstance(obj.get("tax"), int):
        return obj["tax"]
    for key in ("total_taxes", "total_tax_amounts"):
        if obj.get(key):
            return sum(int(t.get("amount") or 0) for t in obj[key])
    return 0


def _invoice_subscription(obj: dict) -> str:
    parent = obj.get("parent") or {}
    if parent.get("type") not in (None, "subscription_details"):
        return ref(obj.get("subscription"))
    return ref(obj.get("subscription")) or ref(dig(parent, "subscription_details", "subscription"))


def _invoice_payment(obj: dict) -> tuple[str, str]:
    """(charge id, PaymentIntent id) of the payment that settled the invoice, either possibly "".

    Before 2025-03-31 the invoice named its `charge`/`payment_intent`; since basil it lists `payments`
    (an includable field: present only when expanded), whose entries name a PaymentIntent, or a charge for
    out-of-band payments. The PaymentIntent's charge is its `latest_charge`, known here only when expanded;
    otherwise the local Charge row is found by its `intent_remote_id`."""
    if obj.get("charge") or obj.get("payment_intent"):
        return ref(obj.get("charge")), ref(obj.get("payment_intent"))
    payments = dig(obj, "payments", "data") or []
    for entry in sorted(payments, key=lambda p: (p.get("status") != "paid", not p.get("is_default"))):
        payment = entry.get("payment") or {}
        intent = payment.get("payment_intent")
        latest = intent.get("latest_charge") if isinstance(intent, dict) else None
        if payment.get("charge") or intent:
            return ref(payment.get("charge")) or ref(latest), ref(intent)
    return "", ""


def invoice(obj: dict) -> InvoiceDTO:
    currency = upper_currency(obj.get("currency"))
    charge_id, intent_id = _invoice_payment(obj)
    return InvoiceDTO(
        remote_id=obj.get("id") or "", customer_remote_id=ref(obj.get("customer")),
        status=st.lookup(st.INVOICE_STATUS, obj.get("status"), "invoice", obj.get("id") or "?"), currency=currency,
        total=obj.get("total") or 0, amount_due=obj.get("amount_due") or 0, amount_paid=obj.get("amount_paid") or 0,
        amount_remaining=obj.get("amount_remaining") or 0, tax=_invoice_tax(obj), number=obj.get("number") or "",
        subscription_remote_id=_invoice_subscription(obj), charge_remote_id=charge_id, intent_remote_id=intent_id,
        hosted_url=obj.get("hosted_invoice_url") or "", pdf_url=obj.get("invoice_pdf") or "",
        due_at=ts(obj.get("due_date")), period_start=ts(obj.get("period_start")), period_end=ts(obj.get("period_end")),
        created_at=ts(obj.get("created")), lines=tuple(invoice_line(x, currency) for x in dig(obj, "lines", "data") or []),
        raw=obj,
    )


def dispute(obj: dict) -> DisputeDTO:
    return DisputeDTO(
        remote_id=obj["id"], charge_remote_id=ref(obj.get("charge")), amount=obj.get("amount") or 0,
        currency=upper_currency(obj.get("currency")), status=st.lookup(st.DISPUTE_STATUS, obj.get("status"), "dispute", obj["id"]),
        reason=obj.get("reason") or "", evidence_due_by=ts(dig(obj, "evidence_details", "due_by")),
        created_at=ts(obj.get("created")), raw=obj,
    )


def percent_to_bp(value) -> int:
    """12.5 → 1250 exactly: through Decimal(str()), never float arithmetic (33.33 * 100 = 3332.9999…)."""
    bp = Decimal(str(value)) * 100
    if bp != bp.to_integral_value():
        raise ValueError(f"percent_off {value!r} has more precision than basis points")
    return int(bp)


def coupon(obj: dict) -> CouponDTO:
    if obj.get("deleted"):
        return CouponDTO(remote_id=obj["id"], valid=False, raw=obj)
    pct = obj.get("percent_off")
    return CouponDTO(
        remote_id=obj["id"], name=obj.get("name") or "", percent_off_bp=None if pct is None else percent_to_bp(pct),
        amount_off=obj.get("amount_off"), currency=upper_currency(obj.get("currency")) if obj.get("amount_off") is not None else "",
        duration=obj.get("duration") or "", duration_in_months=obj.get("duration_in_months"),
        valid=bool(obj.get("valid", True)), raw=obj,
    )


def promotion_code(obj: dict) -> PromotionCodeDTO:
    return PromotionCodeDTO(
        remote_id=obj["id"], code=obj.get("code") or "",
        coupon_remote_id=ref(obj.get("coupon")) or ref(dig(obj, "promotion", "coupon")),
        active=bool(obj.get("active", True)), raw=obj,
    )


def tax_id(obj: dict) -> TaxIdDTO:
    return TaxIdDTO(
        remote_id=obj["id"], customer_remote_id=ref(obj.get("customer")) or ref(dig(obj, "owner", "customer")),
        type=obj.get("type") or "", value=obj.get("value") or "", country=obj.get("country") or "",
        verification_status=dig(obj, "verification", "status") or "", raw=obj,
    )


def product(obj: dict) -> ProductDTO:
    return ProductDTO(remote_id=obj["id"], name=obj.get("name") or "", active=bool(obj.get("active", not obj.get("deleted"))),
                      description=obj.get("description") or "", raw=obj)


def price(obj: dict) -> PriceDTO:
    """Prices, and legacy plans (plan.* events): plans carry `amount` and the interval at top level."""
    recurring = obj.get("recurring") or (obj if obj.get("object") == "plan" else {})
    unit = obj.get("unit_amount") if obj.get("object") != "plan" else obj.get("amount")
    return PriceDTO(
        remote_id=obj["id"], product_remote_id=ref(obj.get("product")), currency=upper_currency(obj.get("currency")),
        unit_amount=unit or 0, interval=recurring.get("interval") or "", interval_count=recurring.get("interval_count") or 1,
        nickname=obj.get("nickname") or "", active=bool(obj.get("active", True)), raw=obj,
    )


# Re-exported (imported last: events.py maps payloads with the functions above).
from .events import EVENT_KINDS, event  # noqa: E402, F401
