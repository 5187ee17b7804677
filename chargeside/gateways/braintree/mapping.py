"""Pure functions: Braintree SDK resources (braintree 4.48.0, built by the SDK from the gateway's XML) → DTOs.

Braintree quirks carried here:
- Money is a decimal string per transaction, in the merchant account's currency (`currency_iso_code`);
  converted with Decimal and the currency's exponent, never float.
- A refund is a transaction of type `credit` pointing at its sale (`refunded_transaction_id`); the sale lists
  `refund_ids` but not the refunded amount, so `charge()` takes the refunds (fetched by the adapter) to sum.
- Captured = submitted for settlement or later. Authorized sales are held, voided ones released.
- A subscription names its plan and payment method token, not its customer: the adapter supplies the
  customer id (from the card it was found on, or by looking the token up). Billing periods are dates; the
  period end is exclusive here (Braintree's inclusive end date + 1 day), in UTC.
- Plans are products and prices at once (one price per plan, monthly × billing_frequency); discounts are
  fixed-amount coupons in the currency of the plan they are used with (Braintree discounts carry none).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from braintree.attribute_getter import AttributeGetter

from chargeside.core.money import to_minor
from chargeside.gateways.types import (
    ChargeDTO,
    ChargeStatus,
    CouponDTO,
    CustomerDTO,
    DisputeDTO,
    PaymentMethodDTO,
    PriceDTO,
    ProductDTO,
    RefundDTO,
    RefundStatus,
    SubscriptionDTO,
)

from . import statuses

CAPTURED = frozenset({"submitted_for_settlement", "settlement_pending", "settling", "settled", "settlement_confirmed"})
COUNTED_REFUND = frozenset(RefundStatus) - {RefundStatus.FAILED, RefundStatus.CANCELED}


def plain(value: Any) -> Any:
    """An SDK resource as JSON-safe data for DTO.raw: attributes as received, Decimal and dates as strings."""
    if isinstance(value, AttributeGetter):
        return {name: plain(getattr(value, name, None)) for name in value._setattrs if not name.startswith("_")}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def minor(amount, currency: str) -> int:
    if amount in (None, ""):
        return 0
    return to_minor(Decimal(str(amount)), currency)


def aware(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return None


def _get(obj, name: str, default=None):
    value = getattr(obj, name, default)
    return default if value is None else value


def _customer_id(tx) -> str:
    details = getattr(tx, "customer_details", None)
    return _get(details, "id", "") if details is not None else ""


def customer(c) -> CustomerDTO:
    name = " ".join(part for part in (_get(c, "first_name", ""), _get(c, "last_name", "")) if part)
    cards = _get(c, "credit_cards", [])
    default = next((card.token for card in cards if _get(card, "default", False)), "")
    return CustomerDTO(remote_id=c.id, email=_get(c, "email", ""), name=name or _get(c, "company", ""), phone=_get(c, "phone", ""),
                       created_at=aware(_get(c, "created_at")), default_payment_method_remote_id=default, raw=plain(c))


def payment_method(card, customer_id: str = "") -> PaymentMethodDTO:
    month, year = _get(card, "expiration_month", ""), _get(card, "expiration_year", "")
    return PaymentMethodDTO(remote_id=card.token, customer_remote_id=customer_id or _get(card, "customer_id", ""), type="card",
                            brand=_get(card, "card_type", ""), last4=_get(card, "last_4", ""),
                            exp_month=int(month) if str(month).isdigit() else None, exp_year=int(year) if str(year).isdigit() else None,
                            created_at=aware(_get(card, "created_at")), raw=plain(card))


def refunded_amount(refunds, currency: str) -> int:
    return sum(minor(r.amount, currency) for r in refunds
               if statuses.lookup(statuses.REFUND_STATUS, r.status, "refund", r.id) in COUNTED_REFUND)


def charge(tx, refunds=()) -> ChargeDTO:
    currency = tx.currency_iso_code
    amount = minor(tx.amount, currency)
    status = statuses.lookup(statuses.CHARGE_STATUS, tx.status, "charge", tx.id)
    captured = amount if tx.status in CAPTURED else 0
    refunded = min(refunded_amount(refunds, currency), captured)
    if captured and refunded >= captured:
        status = ChargeStatus.REFUNDED
    elif refunded:
        status = ChargeStatus.PARTIALLY_REFUNDED
    failed = status == ChargeStatus.FAILED
    code = (_get(tx, "gateway_rejection_reason", "") if tx.status == "gateway_rejected" else _get(tx, "processor_response_code", "")) if failed else ""
    card = getattr(tx, "credit_card_details", None)
    raw = plain(tx)
    raw["chargeside_refunds"] = [{"id": r.id, "amount": str(r.amount), "status": r.status} for r in refunds]
    return ChargeDTO(remote_id=tx.id, customer_remote_id=_customer_id(tx), amount=amount, currency=currency, status=status,
                     amount_captured=captured, amount_refunded=refunded, payment_method_remote_id=_get(card, "token", "") if card else "",
                     failure_code=code, failure_message=_get(tx, "processor_response_text", "") if failed else "",
                     created_at=aware(_get(tx, "created_at")), raw=raw)


def refund(credit) -> RefundDTO:
    return RefundDTO(remote_id=credit.id, charge_remote_id=_get(credit, "refunded_transaction_id", ""),
                     amount=minor(credit.amount, credit.currency_iso_code), currency=credit.currency_iso_code,
                     status=statuses.lookup(statuses.REFUND_STATUS, credit.status, "refund", credit.id),
                     created_at=aware(_get(credit, "created_at")), raw=plain(credit))


def subscription(sub, customer_id: str, plan=None) -> SubscriptionDTO:
    currency = _get(sub, "currency_iso_code", "") or (_get(plan, "currency_iso_code", "") if plan is not None else "")
    frequency = int(_get(plan, "billing_frequency", 1) or 1) if plan is not None else 1
    status = statuses.lookup(statuses.SUBSCRIPTION_STATUS, sub.status, "subscription", sub.id)
    history = _get(sub, "status_history", [])
    canceled = next((aware(e.timestamp) for e in history if _get(e, "status") in ("Canceled", "Expired")), None)
    end = aware(_get(sub, "billing_period_end_date"))
    in_trial = bool(_get(sub, "trial_period", False)) and _get(sub, "current_billing_cycle", 0) in (0, None)
    if in_trial and sub.status == "Active":  # Braintree keeps a subscription in its trial "Active", billing not started
        status = statuses.SUBSCRIPTION_STATUS["Pending"]
    return SubscriptionDTO(
        remote_id=sub.id, customer_remote_id=customer_id, status=status, price_remote_id=_get(sub, "plan_id", ""),
        plan_name=_get(plan, "name", "") if plan is not None else "", amount=minor(sub.price, currency) if currency else 0,
        currency=currency, interval="month", interval_count=frequency,
        current_period_start=aware(_get(sub, "billing_period_start_date")), current_period_end=end + dt.timedelta(days=1) if end else None,
        cancel_at_period_end=False, canceled_at=canceled if status == statuses.SUBSCRIPTION_STATUS["Canceled"] else None,
        trial_end=aware(_get(sub, "first_billing_date")) if in_trial else None,
        coupon_remote_ids=tuple(d.id for d in _get(sub, "discounts", [])), created_at=aware(_get(sub, "created_at")), raw=plain(sub),
    )


def dispute(d) -> DisputeDTO:
    tx = getattr(d, "transaction_details", None) or getattr(d, "transaction", None)
    tx_id = _get(tx, "id", "") if tx is not None and not isinstance(tx, dict) else (tx or {}).get("id", "")
    currency = d.currency_iso_code
    return DisputeDTO(remote_id=d.id, charge_remote_id=tx_id, amount=minor(_get(d, "amount_disputed", _get(d, "amount")), currency),
                      currency=currency, status=statuses.lookup(statuses.DISPUTE_STATUS, d.status, "dispute", d.id),
                      reason=_get(d, "reason", ""), evidence_due_by=aware(_get(d, "reply_by_date")),
                      created_at=aware(_get(d, "created_at")), raw=plain(d))


def product(plan) -> ProductDTO:
    return ProductDTO(remote_id=plan.id, name=_get(plan, "name", plan.id), description=_get(plan, "description", ""), raw=plain(plan))


def price(plan) -> PriceDTO:
    currency = plan.currency_iso_code
    return PriceDTO(remote_id=plan.id, product_remote_id=plan.id, currency=currency, unit_amount=minor(plan.price, currency),
                    interval="month", interval_count=int(_get(plan, "billing_frequency", 1) or 1), nickname=_get(plan, "name", ""),
                    raw=plain(plan))


def coupon(discount, currency: str) -> CouponDTO:
    cycles = _get(discount, "number_of_billing_cycles")
    forever = bool(_get(discount, "never_expires", cycles is None))
    return CouponDTO(remote_id=discount.id, name=_get(discount, "name", discount.id), amount_off=minor(discount.amount, currency),
                     currency=currency, duration="forever" if forever else ("once" if cycles == 1 else "repeating"),
                     duration_in_months=None if forever or cycles == 1 else cycles, raw=plain(discount))
