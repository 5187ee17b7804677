"""PayPal JSON → Chargeside DTOs. Pure functions: plain dicts in (as the SDK received them), no network, no Django.

PayPal has no customer object, so CustomerDTOs are derived from who paid: an order's `payer`, a subscription's
`subscriber`, a transaction search row's `payer_info` (all keyed by the PayPal `payer_id`), and an invoice's
first recipient (no payer id there, so keyed `email:<address>`; the shared matching joins both by email).

Charges: a capture is a charge. An authorisation is a charge while it is held (AUTHORIZED), released (VOIDED)
or denied (FAILED); once captured it stays the one charge of that payment (the panel must not show the money
twice), with its captures' amounts and refunds, and `intent_remote_id` naming the capture that refunds target.
Captures made from an authorisation are therefore folded into it (`authorization_id` of a capture).

Money: PayPal sends decimal strings; they become minor units through Decimal and the ISO exponent.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from chargeside.core.money import to_minor
from chargeside.gateways.types import (
    ChargeDTO,
    ChargeStatus,
    CustomerDTO,
    DisputeDTO,
    InvoiceDTO,
    InvoiceLineDTO,
    PriceDTO,
    ProductDTO,
    RefundDTO,
    SubscriptionDTO,
    SubscriptionStatus,
)

from . import statuses as st

# processor_response.response_code → (our decline code, plain words). PayPal's card processor codes (Orders v2).
DECLINES = {
    "5120": ("insufficient_funds", "insufficient funds"), "0500": ("do_not_honor", "the bank refused it without a reason"),
    "5400": ("expired_card", "the card has expired"), "9500": ("fraudulent", "suspected fraud"),
    "5100": ("generic_decline", ""), "00N7": ("incorrect_cvc", "wrong security code"), "5110": ("incorrect_cvc", "wrong security code"),
    "1330": ("invalid_account", "the card is not valid"), "5650": ("authentication_required", "the customer must authenticate the payment"),
    "0580": ("unauthorized_transaction", "the transaction is not allowed for this card"), "5200": ("duplicate_transaction", "a duplicate transaction"),
}
INTERVALS = {"DAY": "day", "WEEK": "week", "MONTH": "month", "YEAR": "year", "SEMI_MONTH": "month"}


def ts(value) -> dt.datetime | None:
    """PayPal times: "2026-01-01T10:00:00Z", with fractions, or "+0000" offsets (transaction search); dates alone."""
    if not value:
        return None
    text = str(value).strip().replace("Z", "+00:00")
    if len(text) >= 5 and text[-5] in "+-" and text[-3] != ":":  # +0000 → +00:00
        text = f"{text[:-2]}:{text[-2:]}"
    moment = dt.datetime.fromisoformat(text)
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def dig(obj, *path):
    for key in path:
        if isinstance(obj, list):
            obj = obj[key] if isinstance(key, int) and -len(obj) <= key < len(obj) else None
        elif isinstance(obj, dict):
            obj = obj.get(key)
        else:
            return None
    return obj


def amount_of(money) -> tuple[int, str]:
    """{"currency_code": "EUR", "value": "12.50"} → (1250, "EUR"); refunds in transaction search are negative."""
    if not isinstance(money, dict) or not money.get("currency_code"):
        return 0, ""
    currency = str(money["currency_code"]).upper()
    return to_minor(str(money.get("value") or "0"), currency), currency


def up_id(obj: dict) -> str:
    """The id in the `up` link (a refund's capture, a capture's order)."""
    for link in obj.get("links") or []:
        if link.get("rel") == "up" and link.get("href"):
            return str(link["href"]).rstrip("/").rsplit("/", 1)[-1]
    return ""


def related(obj: dict, name: str) -> str:
    return dig(obj, "supplementary_data", "related_ids", name) or ""


# --- customers ------------------------------------------------------------------------------------------------

def _full_name(name) -> str:
    if not isinstance(name, dict):
        return ""
    return name.get("full_name") or name.get("alternate_full_name") or " ".join(
        part for part in (name.get("given_name"), name.get("surname")) if part)


def customer_from_payer(payer: dict) -> CustomerDTO | None:
    """An order's `payer` or a subscription's `subscriber`."""
    if not isinstance(payer, dict) or not payer.get("payer_id"):
        return None
    return CustomerDTO(remote_id=payer["payer_id"], email=payer.get("email_address") or "", name=_full_name(payer.get("name")),
                       phone=dig(payer, "phone", "phone_number", "national_number") or "", raw=payer)


def customer_from_payer_info(info: dict) -> CustomerDTO | None:
    """A transaction search row's `payer_info`."""
    if not isinstance(info, dict) or not info.get("account_id"):
        return None
    return CustomerDTO(remote_id=info["account_id"], email=info.get("email_address") or "", name=_full_name(info.get("payer_name")),
                       phone=dig(info, "phone_number", "national_number") or "", raw=info)


def invoice_customer_id(invoice: dict) -> str:
    email = dig(invoice, "primary_recipients", 0, "billing_info", "email_address") or ""
    return f"email:{email.strip().lower()}" if email.strip() else ""


def customer_from_invoice(invoice: dict) -> CustomerDTO | None:
    remote_id = invoice_customer_id(invoice)
    if not remote_id:
        return None
    info = dig(invoice, "primary_recipients", 0, "billing_info") or {}
    return CustomerDTO(remote_id=remote_id, email=info.get("email_address") or "", name=_full_name(info.get("name")), raw=info)


# --- charges and refunds ------------------------------------------------------------------------------------------

def _payments(order: dict | None) -> dict:
    return dig(order, "purchase_units", 0, "payments") or {}


def _refunded(order: dict | None, capture_ids: set[str]) -> int:
    return sum(amount_of(r.get("amount"))[0] for r in _payments(order).get("refunds") or []
               if r.get("status") in ("COMPLETED", "PENDING") and up_id(r) in capture_ids)


def _decline(capture: dict) -> tuple[str, str]:
    if capture.get("status") not in ("DECLINED", "FAILED"):
        return "", ""
    code = dig(capture, "processor_response", "response_code") or ""
    ours, words = DECLINES.get(code, (f"processor_{code}" if code else "declined", ""))
    return ours, f"The payment was declined ({words})." if words else "The payment was declined."


def _with_refunds(status: ChargeStatus, captured: int, refunded: int) -> ChargeStatus:
    if status not in (ChargeStatus.SUCCEEDED, ChargeStatus.PARTIALLY_REFUNDED, ChargeStatus.REFUNDED) or captured <= 0:
        return status
    if refunded >= captured:
        return ChargeStatus.REFUNDED
    return ChargeStatus.PARTIALLY_REFUNDED if refunded > 0 else ChargeStatus.SUCCEEDED


def charge_from_capture(capture: dict, order: dict | None = None) -> ChargeDTO:
    amount, currency = amount_of(capture.get("amount"))
    status = st.lookup(st.CAPTURE_STATUS, capture.get("status"), "capture", capture.get("id", ""))
    captured = amount if status in (ChargeStatus.SUCCEEDED, ChargeStatus.PARTIALLY_REFUNDED, ChargeStatus.REFUNDED) else 0
    if order is not None:
        refunded = _refunded(order, {capture["id"]})
        status = _with_refunds(status, captured, refunded)
    else:  # a webhook's capture alone: the status says refunded or not, not by how much
        refunded = captured if status == ChargeStatus.REFUNDED else 0
    failure_code, failure_message = _decline(capture)
    unit = dig(order, "purchase_units", 0) or {}
    return ChargeDTO(
        remote_id=capture["id"], customer_remote_id=dig(order, "payer", "payer_id") or "", amount=amount, currency=currency,
        status=status, amount_captured=captured, amount_refunded=refunded, description=unit.get("description") or "",
        failure_code=failure_code, failure_message=failure_message, created_at=ts(capture.get("create_time")),
        raw={"capture": capture, **({"order_id": order.get("id")} if order else {})},
    )


def charge_from_authorization(auth: dict, order: dict | None = None) -> ChargeDTO:
    amount, currency = amount_of(auth.get("amount"))
    status = st.lookup(st.AUTHORIZATION_STATUS, auth.get("status"), "authorization", auth.get("id", ""))
    captures = [c for c in _payments(order).get("captures") or [] if related(c, "authorization_id") == auth.get("id")]
    done = [c for c in captures if c.get("status") in ("COMPLETED", "PARTIALLY_REFUNDED", "REFUNDED")]
    captured = sum(amount_of(c.get("amount"))[0] for c in done)
    refunded = _refunded(order, {c["id"] for c in done})
    if status == ChargeStatus.SUCCEEDED:
        status = _with_refunds(status, captured, refunded) if order is not None else status
    failure_code = "authorization_denied" if auth.get("status") == "DENIED" else ""
    unit = dig(order, "purchase_units", 0) or {}
    return ChargeDTO(
        remote_id=auth["id"], customer_remote_id=dig(order, "payer", "payer_id") or "", amount=amount, currency=currency,
        status=status, amount_captured=captured, amount_refunded=refunded,
        intent_remote_id=done[-1]["id"] if done else "", description=unit.get("description") or "",
        failure_code=failure_code, failure_message="PayPal denied the authorisation." if failure_code else "",
        created_at=ts(auth.get("create_time")),
        raw={"authorization": auth, "captures": captures, **({"order_id": order.get("id")} if order else {})},
    )


def charges_of_order(order: dict) -> list[ChargeDTO]:
    """Every charge an order holds: its authorisations (with their captures folded in) and its other captures."""
    found = [charge_from_authorization(a, order) for a in _payments(order).get("authorizations") or []]
    found += [charge_from_capture(c, order) for c in _payments(order).get("captures") or [] if not related(c, "authorization_id")]
    return found


def refund(obj: dict, *, charge_remote_id: str = "") -> RefundDTO:
    amount, currency = amount_of(obj.get("amount"))
    return RefundDTO(
        remote_id=obj["id"], charge_remote_id=charge_remote_id or up_id(obj), amount=amount, currency=currency,
        status=st.lookup(st.REFUND_STATUS, obj.get("status"), "refund", obj.get("id", "")),
        reason=obj.get("note_to_payer") or "", created_at=ts(obj.get("create_time")), raw=obj,
    )


# --- catalog and subscriptions ----------------------------------------------------------------------------------------

def product(obj: dict) -> ProductDTO:
    return ProductDTO(remote_id=obj["id"], name=obj.get("name") or obj["id"], description=obj.get("description") or "", raw=obj)


def _regular_cycle(plan: dict) -> dict:
    cycles = plan.get("billing_cycles") or []
    return next((c for c in cycles if c.get("tenure_type") == "REGULAR"), cycles[-1] if cycles else {})


def price(plan: dict) -> PriceDTO:
    """A billing plan: its REGULAR cycle's fixed price and frequency (trial cycles are not the price)."""
    cycle = _regular_cycle(plan)
    amount, currency = amount_of(dig(cycle, "pricing_scheme", "fixed_price"))
    unit = dig(cycle, "frequency", "interval_unit") or ""
    return PriceDTO(remote_id=plan["id"], product_remote_id=plan.get("product_id") or "", currency=currency, unit_amount=amount,
                    interval=INTERVALS.get(unit, unit.lower()), interval_count=int(dig(cycle, "frequency", "interval_count") or 1),
                    nickname=plan.get("name") or "", active=plan.get("status") == "ACTIVE", raw=plan)


def subscription(obj: dict, plan: dict | None = None) -> SubscriptionDTO:
    status = st.lookup(st.SUBSCRIPTION_STATUS, obj.get("status"), "subscription", obj.get("id", ""))
    billing = obj.get("billing_info") or {}
    if status == SubscriptionStatus.ACTIVE and (int(billing.get("failed_payments_count") or 0) > 0
                                               or amount_of(billing.get("outstanding_balance"))[0] > 0):
        status = SubscriptionStatus.PAST_DUE
    quantity = int(str(obj.get("quantity") or "1").split(".")[0] or 1)
    each = price(plan) if plan else None
    return SubscriptionDTO(
        remote_id=obj["id"], customer_remote_id=dig(obj, "subscriber", "payer_id") or "", status=status,
        price_remote_id=obj.get("plan_id") or "", plan_name=(plan or {}).get("name") or "",
        amount=each.unit_amount * quantity if each else 0, currency=each.currency if each else "",
        interval=each.interval if each else "", interval_count=each.interval_count if each else 1, quantity=quantity,
        current_period_start=ts(dig(billing, "last_payment", "time")) or ts(obj.get("start_time")),
        current_period_end=ts(billing.get("next_billing_time")),
        canceled_at=ts(obj.get("status_update_time")) if obj.get("status") == "CANCELLED" else None,
        created_at=ts(obj.get("create_time")), raw=obj,
    )


# --- invoices and disputes ----------------------------------------------------------------------------------------

def _date(value) -> dt.datetime | None:
    if not value:
        return None
    if len(str(value)) == 10:  # "2026-12-01": a calendar date, taken as its start in UTC
        return dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)
    return ts(value)


def invoice(obj: dict) -> InvoiceDTO:
    detail = obj.get("detail") or {}
    total, currency = amount_of(obj.get("amount"))
    currency = currency or str(detail.get("currency_code") or "").upper()
    paid = amount_of(dig(obj, "payments", "paid_amount"))[0]
    due = amount_of(obj.get("due_amount"))[0] if obj.get("due_amount") else max(total - paid, 0)
    status = st.lookup(st.INVOICE_STATUS, obj.get("status"), "invoice", obj.get("id", ""))
    lines = []
    for item in obj.get("items") or []:
        unit, _ = amount_of(item.get("unit_amount"))
        quantity = Decimal(str(item.get("quantity") or "1"))  # PayPal allows fractional quantities ("1.5" hours)
        line_total = int((unit * quantity).to_integral_value(ROUND_HALF_UP))
        lines.append(InvoiceLineDTO(description=item.get("name") or "", amount=line_total, currency=currency,
                                    quantity=max(int(quantity), 1)))
    return InvoiceDTO(
        remote_id=obj["id"], customer_remote_id=invoice_customer_id(obj), status=status, currency=currency, total=total,
        amount_due=due, amount_paid=paid, amount_remaining=due, tax=amount_of(dig(obj, "amount", "breakdown", "tax_total"))[0],
        number=detail.get("invoice_number") or "", charge_remote_id=dig(obj, "payments", "transactions", 0, "payment_id") or "",
        hosted_url=dig(detail, "metadata", "recipient_view_url") or "", due_at=_date(dig(detail, "payment_term", "due_date")),
        created_at=ts(dig(detail, "metadata", "create_time")) or _date(detail.get("invoice_date")), lines=tuple(lines), raw=obj,
    )


def dispute(obj: dict) -> DisputeDTO:
    amount, currency = amount_of(obj.get("dispute_amount"))
    status = st.lookup(st.DISPUTE_STATUS, obj.get("status"), "dispute", obj.get("dispute_id", ""))
    outcome = dig(obj, "dispute_outcome", "outcome_code")
    if obj.get("status") == "RESOLVED" and outcome:
        status = st.lookup(st.DISPUTE_OUTCOME, outcome, "dispute outcome", obj.get("dispute_id", ""))
    elif obj.get("dispute_life_cycle_stage") == "INQUIRY" and obj.get("status") != "RESOLVED":
        status = st.DisputeStatus.WARNING  # an inquiry: no chargeback (yet)
    return DisputeDTO(
        remote_id=obj["dispute_id"], charge_remote_id=dig(obj, "disputed_transactions", 0, "seller_transaction_id") or "",
        amount=amount, currency=currency, status=status, reason=(obj.get("reason") or "").lower(),
        evidence_due_by=ts(obj.get("seller_response_due_date")), created_at=ts(obj.get("create_time")), raw=obj,
    )
