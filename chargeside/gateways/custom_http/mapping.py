"""Custom HTTP gateway JSON → DTOs: pure functions, strict about the contract (docs/custom-gateways.md).

A field the contract requires that is missing or of the wrong type raises ContractError (a ValueError)
naming the object and the field; the adapter turns it into a typed gateway error. Amounts must be JSON
integers of minor units (a float or a decimal string is refused, never rounded); currencies ISO 4217;
timestamps RFC 3339 with an offset (`Z` or `+hh:mm`), or null.

Payment status: the server reports `pending`, `succeeded` or `failed`, and how much was refunded;
refunded / partially refunded are derived from `amount_refunded`, so the two can never disagree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chargeside.core.money import MoneyError, normalise_currency
from chargeside.gateways.types import (
    ChargeDTO,
    ChargeStatus,
    CustomerDTO,
    InvoiceDTO,
    InvoiceLineDTO,
    InvoiceStatus,
    RefundDTO,
    RefundStatus,
    SubscriptionDTO,
    SubscriptionStatus,
)

PAYMENT_STATUSES = {"pending": ChargeStatus.PENDING, "succeeded": ChargeStatus.SUCCEEDED, "failed": ChargeStatus.FAILED}
REFUND_STATUSES = {s.value: s for s in RefundStatus}
SUBSCRIPTION_STATUSES = {s.value: s for s in SubscriptionStatus}
INVOICE_STATUSES = {s.value: s for s in InvoiceStatus}
UNCAPTURED = frozenset({ChargeStatus.PENDING, ChargeStatus.FAILED})
INTERVALS = frozenset({"day", "week", "month", "year"})


class ContractError(ValueError):
    """The server's JSON does not follow the contract."""


class Reader:
    """Typed access to one object's fields, with errors that say which object and which field."""

    def __init__(self, obj: Any, what: str):
        if not isinstance(obj, dict):
            raise ContractError(f"{what} must be a JSON object")
        self.obj, self.what = obj, what
        self.label = f"{what} {obj.get('id')!r}" if isinstance(obj.get("id"), str) else what

    def fail(self, name: str, expected: str) -> ContractError:
        return ContractError(f"{self.label}: '{name}' must be {expected}")

    def text(self, name: str, *, required: bool = False) -> str:
        value = self.obj.get(name)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value):
            raise self.fail(name, "a non-empty string" if required else "a string or null")
        return value

    def amount(self, name: str, *, required: bool = True, signed: bool = False) -> int:
        value = self.obj.get(name)
        if value is None and not required:
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or (value < 0 and not signed):
            raise self.fail(name, "a whole number of minor units (a JSON integer" + ("" if signed else " ≥ 0") + ")")
        return value

    def count(self, name: str, default: int = 1) -> int:
        value = self.obj.get(name, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(name, "a JSON integer ≥ 1")
        return value

    def flag(self, name: str) -> bool:
        value = self.obj.get(name, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.fail(name, "true or false")
        return value

    def currency(self, name: str = "currency") -> str:
        try:
            return normalise_currency(self.text(name, required=True))
        except MoneyError:
            raise self.fail(name, "an ISO 4217 code such as \"EUR\"") from None

    def time(self, name: str) -> dt.datetime | None:
        value = self.obj.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(name, "an RFC 3339 timestamp string or null")
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(name, "an RFC 3339 timestamp such as 2026-11-02T10:00:00Z") from None
        if parsed.tzinfo is None:
            raise self.fail(name, "a timestamp with an offset (Z or +hh:mm)")
        return parsed.astimezone(dt.UTC)

    def choice(self, name: str, table: dict) -> Any:
        value = self.obj.get(name)
        if value not in table:
            raise self.fail(name, "one of " + ", ".join(sorted(table)))
        return table[value]

    def strings(self, name: str) -> dict[str, str]:
        value = self.obj.get(name) or {}
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise self.fail(name, "an object of string values")
        return dict(value)


def customer(obj: Any) -> CustomerDTO:
    r = Reader(obj, "customer")
    return CustomerDTO(
        remote_id=r.text("id", required=True), email=r.text("email"), name=r.text("name"), phone=r.text("phone"),
        locale=r.text("locale"), metadata=r.strings("metadata"), created_at=r.time("created_at"), raw=obj,
    )


def payment(obj: Any) -> ChargeDTO:
    r = Reader(obj, "payment")
    amount, refunded = r.amount("amount"), r.amount("amount_refunded", required=False)
    if refunded > amount:
        raise r.fail("amount_refunded", f"at most the amount ({amount})")
    status = r.choice("status", PAYMENT_STATUSES)
    if status == ChargeStatus.SUCCEEDED and refunded:
        status = ChargeStatus.REFUNDED if refunded == amount else ChargeStatus.PARTIALLY_REFUNDED
    return ChargeDTO(
        remote_id=r.text("id", required=True), customer_remote_id=r.text("customer_id"), amount=amount,
        currency=r.currency(), status=status, amount_captured=0 if status in UNCAPTURED else amount,
        amount_refunded=refunded, invoice_remote_id=r.text("invoice_id"), description=r.text("description"),
        failure_message=r.text("failure_message"), receipt_url=r.text("receipt_url"), created_at=r.time("created_at"), raw=obj,
    )


def refund(obj: Any) -> RefundDTO:
    r = Reader(obj, "refund")
    return RefundDTO(
        remote_id=r.text("id", required=True), charge_remote_id=r.text("payment_id", required=True), amount=r.amount("amount"),
        currency=r.currency(), status=r.choice("status", REFUND_STATUSES), reason=r.text("reason"),
        created_at=r.time("created_at"), raw=obj,
    )


def subscription(obj: Any) -> SubscriptionDTO:
    r = Reader(obj, "subscription")
    interval = r.text("interval")
    if interval and interval not in INTERVALS:
        raise r.fail("interval", "one of day, week, month, year")
    return SubscriptionDTO(
        remote_id=r.text("id", required=True), customer_remote_id=r.text("customer_id", required=True),
        status=r.choice("status", SUBSCRIPTION_STATUSES), price_remote_id=r.text("plan_id"), plan_name=r.text("plan_name"),
        amount=r.amount("amount"), currency=r.currency(), interval=interval, interval_count=r.count("interval_count"),
        quantity=r.count("quantity"), current_period_start=r.time("current_period_start"),
        current_period_end=r.time("current_period_end"), cancel_at_period_end=r.flag("cancel_at_period_end"),
        canceled_at=r.time("canceled_at"), trial_end=r.time("trial_end"), created_at=r.time("created_at"), raw=obj,
    )


def invoice(obj: Any) -> InvoiceDTO:
    r = Reader(obj, "invoice")
    currency = r.currency()
    lines = obj.get("lines") or []
    if not isinstance(lines, list):
        raise r.fail("lines", "a list")
    total = r.amount("total")
    paid = r.amount("amount_paid", required=False)
    remaining = r.amount("amount_remaining", required=False) if "amount_remaining" in obj else max(total - paid, 0)
    return InvoiceDTO(
        remote_id=r.text("id", required=True), customer_remote_id=r.text("customer_id", required=True),
        status=r.choice("status", INVOICE_STATUSES), currency=currency, total=total, amount_due=total, amount_paid=paid,
        amount_remaining=remaining, tax=r.amount("tax", required=False), number=r.text("number"),
        subscription_remote_id=r.text("subscription_id"), charge_remote_id=r.text("payment_id"), hosted_url=r.text("hosted_url"),
        pdf_url=r.text("pdf_url"), due_at=r.time("due_at"), period_start=r.time("period_start"), period_end=r.time("period_end"),
        created_at=r.time("created_at"), lines=tuple(_line(line, currency) for line in lines), raw=obj,
    )


def _line(obj: Any, currency: str) -> InvoiceLineDTO:
    r = Reader(obj, "invoice line")
    return InvoiceLineDTO(description=r.text("description"), amount=r.amount("amount", signed=True), currency=currency,
                          quantity=r.count("quantity"), price_remote_id=r.text("plan_id"))
