"""Recurly JSON (API v2021-02-25) → Chargeside DTOs. Pure functions: no network, no Django, plain dicts in.

Money: Recurly sends decimal amounts as JSON numbers (10.5 for 10.50 EUR). Each goes through
`Decimal(str(x))` and the currency's exponent (core.money) into integer minor units; no float arithmetic.
Timestamps are ISO 8601 (`2026-01-01T00:00:00Z`) → aware UTC datetimes.

Identity choices (documented because Recurly has two ids for most things):
- A customer is an account, by its Recurly `id` (not its merchant-chosen `code`, which can change);
  `metadata["code"]` keeps the code.
- A payment method is the account's billing info, identified by the *account* id: the v2021 API fetches
  billing info only through its account (`GET /accounts/{id}/billing_info`), so that is the id a re-fetch
  can use. The billing info's own id stays in `raw`.
- A product is a plan; a price is a plan in one currency, `"<plan id>:<CUR>"` (Recurly prices a plan in
  several currencies, and subscription create takes the plan plus the currency).
- A charge is a purchase, capture or authorization transaction; a refund is a refund transaction
  (`original_transaction_id` names the charge). A transaction does not carry how much of it was refunded,
  only `refunded: true`: the adapter sums the account's refund transactions and passes `refunded_amount`.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from chargeside.core.money import MoneyError, exponent
from chargeside.gateways.types import (
    ChargeDTO,
    ChargeStatus,
    CouponDTO,
    CustomerDTO,
    InvoiceDTO,
    InvoiceLineDTO,
    PaymentMethodDTO,
    PriceDTO,
    ProductDTO,
    RefundDTO,
    RefundStatus,
    SubscriptionDTO,
)

from . import statuses as st

CARD_BRANDS = {
    "Visa": "visa", "MasterCard": "mastercard", "American Express": "amex", "Discover": "discover", "JCB": "jcb",
    "Diners Club": "diners", "Union Pay": "unionpay", "Maestro": "maestro", "Dankort": "dankort", "ELO": "elo",
    "Hipercard": "hipercard", "Forbrugsforeningen": "forbrugsforeningen", "Laser": "laser", "Test Card": "test",
    "Tarjeta Naranja": "naranja", "Unknown": "",
}
WALLETS = {"paypal": "paypal", "paypal_billing_agreement": "paypal", "amazon": "amazon_pay", "amazon_billing_agreement": "amazon_pay",
           "apple_pay": "apple_pay", "google_pay": "google_pay", "venmo": "venmo", "braintree_v_zero": "paypal", "roku": "roku"}
INTERVALS = {"months": "month", "days": "day"}


def ts(value) -> dt.datetime | None:
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def currency_of(obj: dict) -> str:
    return (obj.get("currency") or "").upper()


def minor(value, currency: str) -> int:
    """A Recurly decimal amount (JSON number, or a string) → integer minor units of `currency`."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise ValueError("an amount cannot be a boolean")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount") from None
    try:
        places = exponent(currency)
    except MoneyError:
        raise ValueError(f"{currency!r} is not a currency") from None
    # Recurly rounds to the currency's places; a longer tail (unit_amount_decimal style) is rounded like a ledger would.
    return int(amount.scaleb(places).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def ref(obj: dict, key: str) -> str:
    inner = obj.get(key)
    return (inner.get("id") or "") if isinstance(inner, dict) else ""


def price_id(plan_id: str, currency: str) -> str:
    return f"{plan_id}:{currency.upper()}" if plan_id and currency else ""


def split_price_id(remote_id: str) -> tuple[str, str]:
    plan_id, sep, currency = (remote_id or "").rpartition(":")
    if not sep or not plan_id or len(currency) != 3:
        raise ValueError(f"{remote_id!r} is not a Recurly price id (<plan id>:<currency>)")
    return plan_id, currency.upper()


# --- customers and payment methods ----------------------------------------------------------------------

def full_name(obj: dict) -> str:
    return " ".join(p for p in (obj.get("first_name"), obj.get("last_name")) if p) or (obj.get("company") or "")


def customer(obj: dict) -> CustomerDTO:
    meta = {k: str(obj[k]) for k in ("code", "company") if obj.get(k)}
    billing = obj.get("billing_info")
    return CustomerDTO(
        remote_id=obj["id"], email=obj.get("email") or "", name=full_name(obj), locale=obj.get("preferred_locale") or "",
        metadata=meta, created_at=ts(obj.get("created_at")),
        # A closed (deactivated) account takes no payments or actions any more; deleted_at is a redaction.
        deleted=obj.get("state") == "inactive" or bool(obj.get("deleted_at")),
        default_payment_method_remote_id=obj["id"] if isinstance(billing, dict) and billing.get("payment_method") else "",
        raw=obj,
    )


def payment_method(obj: dict, account_id: str = "") -> PaymentMethodDTO:
    """A BillingInfo → PaymentMethodDTO (card brand, last four, expiry; never a number: Recurly has none to give)."""
    account_id = account_id or obj.get("account_id") or ""
    if not account_id:
        raise ValueError("billing info without account_id")
    pm = obj.get("payment_method") or {}
    kind = pm.get("object") or ""
    wallet = WALLETS.get(kind, "")
    card = kind in ("credit_card", "apple_pay", "google_pay")
    return PaymentMethodDTO(
        remote_id=account_id, customer_remote_id=account_id,
        type="card" if card else (wallet or kind or "card"),
        brand=CARD_BRANDS.get(pm.get("card_type") or "", (pm.get("card_type") or "").lower().replace(" ", "_")) if card else "",
        last4=(pm.get("last_four") or "") if card else "",
        exp_month=pm.get("exp_month") if card else None, exp_year=pm.get("exp_year") if card else None,
        wallet=wallet if kind != "credit_card" else "", created_at=ts(obj.get("created_at")), raw=obj,
    )


# --- transactions ------------------------------------------------------------------------------------------

def is_charge(obj: dict) -> bool:
    return obj.get("type") in st.CHARGE_TYPES


def charge(obj: dict, refunded_amount: int | None = None) -> ChargeDTO:
    """A purchase/capture/authorization transaction → ChargeDTO; `refunded_amount` (minor units) from the adapter."""
    if not is_charge(obj):
        raise ValueError(f"transaction {obj.get('id')} is a {obj.get('type')!r}, not a charge")
    currency = currency_of(obj)
    amount = minor(obj.get("amount"), currency)
    status = st.lookup("transaction", obj.get("status"), obj.get("id", ""))
    if obj.get("type") == "authorization" and status == ChargeStatus.SUCCEEDED:
        status = ChargeStatus.AUTHORIZED
    captured = amount if status == ChargeStatus.SUCCEEDED else 0
    refunded = min(refunded_amount or 0, captured)
    if status == ChargeStatus.SUCCEEDED and refunded:
        status = ChargeStatus.REFUNDED if refunded >= captured else ChargeStatus.PARTIALLY_REFUNDED
    failed = status == ChargeStatus.FAILED
    return ChargeDTO(
        remote_id=obj["id"], customer_remote_id=ref(obj, "account"), amount=amount, currency=currency, status=status,
        amount_captured=captured, amount_refunded=refunded,
        payment_method_remote_id=ref(obj, "account") if obj.get("payment_method") else "",
        invoice_remote_id=ref(obj, "invoice"),
        description=obj.get("description") or "",
        failure_code=(obj.get("status_code") or obj.get("status") or "") if failed else "",
        failure_message=(obj.get("status_message") or obj.get("customer_message") or "") if failed else "",
        created_at=ts(obj.get("created_at")), raw=obj,
    )


def refund(obj: dict) -> RefundDTO:
    if obj.get("type") != "refund":
        raise ValueError(f"transaction {obj.get('id')} is a {obj.get('type')!r}, not a refund")
    currency = currency_of(obj)
    status = st.lookup("refund", obj.get("status"), obj.get("id", ""))
    return RefundDTO(
        remote_id=obj["id"], charge_remote_id=obj.get("original_transaction_id") or "",
        amount=minor(obj.get("amount"), currency), currency=currency, status=status,
        # Recurly's status_message on a successful refund is the gateway's "Transaction Normal": only a failure says why.
        reason=(obj.get("status_message") or "") if status == RefundStatus.FAILED else "", created_at=ts(obj.get("created_at")), raw=obj,
    )


def refunded_by_charge(transactions: list[dict]) -> dict[str, int]:
    """Successful refund transactions summed per original transaction id, in minor units."""
    out: dict[str, int] = {}
    for t in transactions:
        if t.get("type") == "refund" and t.get("status") == "success" and t.get("original_transaction_id"):
            out[t["original_transaction_id"]] = out.get(t["original_transaction_id"], 0) + minor(t.get("amount"), currency_of(t))
    return out


# --- catalogue -------------------------------------------------------------------------------------------

def product(plan: dict) -> ProductDTO:
    return ProductDTO(remote_id=plan["id"], name=plan.get("name") or plan.get("code") or "", active=plan.get("state", "active") == "active",
                      description=plan.get("description") or "", raw=plan)


def prices(plan: dict) -> list[PriceDTO]:
    """One PriceDTO per currency the plan is priced in."""
    interval = INTERVALS.get(plan.get("interval_unit") or "", "")
    out = []
    for p in plan.get("currencies") or []:
        currency = currency_of(p)
        out.append(PriceDTO(
            remote_id=price_id(plan["id"], currency), product_remote_id=plan["id"], currency=currency,
            unit_amount=minor(p.get("unit_amount"), currency), interval=interval, interval_count=int(plan.get("interval_length") or 1),
            nickname=plan.get("name") or "", active=plan.get("state", "active") == "active", raw={**plan, "currencies": [p]},
        ))
    return out


def coupon(obj: dict) -> CouponDTO:
    discount = obj.get("discount") or {}
    kind = discount.get("type")
    amounts = discount.get("currencies") or []
    amount_off, currency = None, ""
    if kind == "fixed" and amounts:
        # CouponDTO has one amount; a multi-currency coupon is shown in its first currency (raw keeps all).
        currency = currency_of(amounts[0])
        amount_off = minor(amounts[0].get("amount"), currency)
    duration = {"forever": "forever", "single_use": "once", "temporal": "repeating"}.get(obj.get("duration") or "", obj.get("duration") or "")
    months = None
    if obj.get("duration") == "temporal" and obj.get("temporal_amount"):
        months = {"month": 1, "year": 12}.get(obj.get("temporal_unit") or "", 0) * int(obj["temporal_amount"]) or None
    return CouponDTO(
        remote_id=obj["id"], name=obj.get("name") or obj.get("code") or "",
        percent_off_bp=int(discount["percent"]) * 100 if kind == "percent" and discount.get("percent") is not None else None,
        amount_off=amount_off, currency=currency, duration=duration, duration_in_months=months,
        valid=obj.get("state", "redeemable") == "redeemable", raw=obj,
    )


# --- subscriptions and invoices -------------------------------------------------------------------------------

def subscription(obj: dict, plan: dict | None = None) -> SubscriptionDTO:
    """`plan` (the full plan, when the adapter has it) gives the interval: a subscription names only its plan."""
    currency = currency_of(obj)
    state = obj.get("state")
    status = st.lookup("subscription", state, obj.get("id", ""))
    period_end, trial_end = ts(obj.get("current_period_ends_at")), ts(obj.get("trial_ends_at"))
    if status == st.SubscriptionStatus.ACTIVE and trial_end and period_end and period_end <= trial_end:
        status = st.SubscriptionStatus.TRIALING  # during a trial the current period is the trial
    quantity = int(obj.get("quantity") or 1)
    unit = Decimal(str(obj.get("unit_amount") or 0))
    plan_ref = obj.get("plan") or {}
    plan = plan or {}
    return SubscriptionDTO(
        remote_id=obj["id"], customer_remote_id=ref(obj, "account"), status=status,
        price_remote_id=price_id(plan_ref.get("id") or "", currency), plan_name=plan_ref.get("name") or plan_ref.get("code") or "",
        amount=minor(unit * quantity, currency) if currency else 0, currency=currency,
        interval=INTERVALS.get(plan.get("interval_unit") or "", ""), interval_count=int(plan.get("interval_length") or 1),
        quantity=quantity, current_period_start=ts(obj.get("current_period_started_at")), current_period_end=period_end,
        cancel_at_period_end=state == "canceled", canceled_at=ts(obj.get("canceled_at")), trial_end=trial_end,
        coupon_remote_ids=tuple(cr["coupon"]["id"] for cr in obj.get("coupon_redemptions") or []
                                if cr.get("state", "active") == "active" and (cr.get("coupon") or {}).get("id")),
        item_remote_id=obj["id"], created_at=ts(obj.get("created_at")), raw=obj,
    )


def _line(item: dict, currency: str) -> InvoiceLineDTO:
    cur = currency_of(item) or currency
    return InvoiceLineDTO(
        description=item.get("description") or item.get("plan_code") or "", amount=minor(item.get("amount"), cur), currency=cur,
        quantity=int(item.get("quantity") or 1), price_remote_id=price_id(item.get("plan_id") or "", cur),
        proration=item.get("proration_rate") is not None and Decimal(str(item["proration_rate"])) != 1,
    )


def invoice(obj: dict) -> InvoiceDTO:
    currency = currency_of(obj)
    lines = [li for li in obj.get("line_items") or [] if isinstance(li, dict)]
    payments = [t for t in obj.get("transactions") or [] if isinstance(t, dict) and t.get("type") in ("purchase", "capture")]
    paid_by = next((t for t in payments if t.get("status") == "success"), payments[0] if payments else {})
    subs = obj.get("subscription_ids") or []
    return InvoiceDTO(
        remote_id=obj["id"], customer_remote_id=ref(obj, "account"),
        status=st.lookup("invoice", obj.get("state"), obj.get("id", "")), currency=currency,
        total=minor(obj.get("total"), currency), amount_due=minor(obj.get("balance"), currency),
        amount_paid=minor(obj.get("paid"), currency), amount_remaining=minor(obj.get("balance"), currency),
        tax=minor(obj.get("tax"), currency), number=str(obj.get("number") or ""),
        subscription_remote_id=subs[0] if subs else "", charge_remote_id=paid_by.get("id") or "",
        due_at=ts(obj.get("due_at")), period_start=min((d for li in lines if (d := ts(li.get("start_date")))), default=None),
        period_end=max((d for li in lines if (d := ts(li.get("end_date")))), default=None),
        created_at=ts(obj.get("created_at")), lines=tuple(_line(li, currency) for li in lines), raw=obj,
    )
