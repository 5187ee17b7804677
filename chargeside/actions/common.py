"""Helpers the action modules share: loading rows of the caller's workspace, parsing amounts, row → DTO."""

from __future__ import annotations

from chargeside.billing import models as bm
from chargeside.core.money import MoneyError, normalise_currency, to_minor
from chargeside.gateways import types as t

from .base import ActionError, NotFoundError, Target


def get_row(model, workspace, ref, what: str):
    """A row by local id or remote id, only ever from this workspace (a foreign id is simply not found)."""
    if ref in (None, ""):
        raise ActionError(f"Say which {what.lower()}.", field=what.lower())
    qs = model.objects.filter(workspace=workspace).select_related("connection")
    row = qs.filter(pk=int(ref)).first() if str(ref).isdigit() else qs.filter(remote_id=str(ref)).first()
    if row is None:
        raise NotFoundError(what)
    return row


def customer_of(row) -> bm.Customer | None:
    gateway_customer = getattr(row, "gateway_customer", None)
    return gateway_customer.customer if gateway_customer else None


def target_for(row, *, customer=None, **extra) -> Target:
    return Target(
        connection=row.connection, customer=customer if customer is not None else customer_of(row), obj=row,
        label=f"{row.connection.provider}:{row.remote_id}", remote_id=row.remote_id, extra=extra,
    )


def parse_amount(params: dict, currency: str, *, default: int | None = None) -> int:
    """An amount typed by a person ("12.50") or sent by the API in minor units ("amount_minor": 1250)."""
    given_currency = params.get("currency")
    if given_currency not in (None, ""):
        try:
            if normalise_currency(str(given_currency)) != currency.upper():
                raise ActionError(f"This is a {currency.upper()} payment; the amount must be in {currency.upper()}.", field="currency")
        except MoneyError as exc:
            raise ActionError(str(exc), field="currency") from None
    if params.get("amount_minor") not in (None, ""):
        raw = params["amount_minor"]
        if isinstance(raw, bool) or not (isinstance(raw, int) or (isinstance(raw, str) and raw.strip().lstrip("-").isdigit())):
            raise ActionError("amount_minor must be a whole number of minor units.", field="amount")
        amount = int(raw)
    elif params.get("amount") not in (None, ""):
        try:
            amount = to_minor(params["amount"], currency)
        except MoneyError as exc:
            raise ActionError(str(exc), field="amount") from None
    elif default is not None:
        amount = default
    else:
        raise ActionError("Enter an amount.", field="amount")
    if amount <= 0:
        raise ActionError("The amount must be greater than zero.", field="amount")
    return amount


def charge_dto(row: bm.Charge) -> t.ChargeDTO:
    return t.ChargeDTO(
        remote_id=row.remote_id, customer_remote_id=row.customer_remote_id, amount=row.amount, currency=row.currency,
        status=t.ChargeStatus(row.status), amount_captured=row.amount_captured, amount_refunded=row.amount_refunded,
        intent_remote_id=row.intent_remote_id, payment_method_remote_id=row.payment_method_remote_id,
        invoice_remote_id=row.invoice_remote_id, raw=row.raw,
    )


def subscription_dto(row: bm.Subscription) -> t.SubscriptionDTO:
    return t.SubscriptionDTO(
        remote_id=row.remote_id, customer_remote_id=row.customer_remote_id, status=t.SubscriptionStatus(row.status),
        price_remote_id=row.price_remote_id, item_remote_id=row.item_remote_id, amount=row.amount, currency=row.currency,
        interval=row.interval, interval_count=row.interval_count, quantity=row.quantity,
        current_period_start=row.current_period_start, current_period_end=row.current_period_end,
        cancel_at_period_end=row.cancel_at_period_end, raw=row.raw,
    )


def flag(params: dict, name: str) -> bool:
    return str(params.get(name, "")).lower() in {"1", "true", "on", "yes"}
