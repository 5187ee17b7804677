"""Helpers the action modules share: loading rows of the caller's workspace, parsing amounts, row → DTO."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

import datetime as dt

from django.utils import timezone

from chargeside.billing import models as bm
from chargeside.core.money import MoneyError, normalise_currency, to_minor
from chargeside.gateways import types as t
from chargeside.gateways.registry import adapters

from .base import ActionError, NotFoundError, Target


def get_row(model, workspace, ref, what: str):
    """A row by our id, its remote id, or "<provider>:<remote id>"; only ever from this workspace (a foreign id
    is simply not found)."""
    if ref in (None, ""):
        raise ActionError(_("Say which %(what)s.") % {"what": what.lower()}, field=model._meta.model_name)
    qs = model.objects.filter(workspace=workspace).select_related("connection")
    provider, _sep, remote_id = str(ref).partition(":")
    if is_local_id(ref):
        rows = qs.filter(pk=int(ref))
    elif remote_id and provider in adapters():
        # "<provider>:<remote id>" (the form audit entries show): how to name an all-digit remote id
        # (WooCommerce's order 42) that would otherwise read as our own id.
        rows = qs.filter(connection__provider=provider, remote_id=remote_id[:128])
    else:
        rows = qs.filter(remote_id=str(ref)[:128])
    found = list(rows[:2])
    if not found:
        raise NotFoundError(what)
    if len(found) > 1:  # the same remote id on two connections: the caller must use our id
        raise ActionError(_("%(ref)s names more than one %(what)s; use its Chargeside id.") % {"ref": ref, "what": what.lower()},
                          field=model._meta.model_name)
    return found[0]


def is_local_id(ref) -> bool:
    """Our own ids are digits that fit a 64-bit column; anything longer would overflow the query (a 500)."""
    text = str(ref)
    return text.isdigit() and len(text) <= 18


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
                raise ActionError(_("This is a %(currency)s payment; the amount must be in %(currency)s.") % {"currency": currency.upper()},
                                  field="currency")
        except MoneyError as exc:
            raise ActionError(str(exc), field="currency") from None
    if params.get("amount_minor") not in (None, ""):
        raw = params["amount_minor"]
        if isinstance(raw, bool) or not (isinstance(raw, int) or (isinstance(raw, str) and raw.strip().lstrip("-").isdigit())):
            raise ActionError(_("amount_minor must be a whole number of minor units."), field="amount")
        amount = int(raw)
    elif params.get("amount") not in (None, ""):
        try:
            amount = to_minor(params["amount"], currency)
        except MoneyError as exc:
            raise ActionError(str(exc), field="amount") from None
    elif default is not None:
        amount = default
    else:
        raise ActionError(_("Enter an amount."), field="amount")
    if amount <= 0:
        raise ActionError(_("The amount must be greater than zero."), field="amount")
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


def active_language() -> str:
    """The language of the request being served, for money and dates inside messages."""
    return get_language() or "en"


def status_words(status: str) -> str:
    # The console's catalogue translates the status words ("partially refunded" → "kısmen iade edildi").
    return _(str(status).replace("_", " "))


def flag(params: dict, name: str) -> bool:
    return str(params.get(name, "")).lower() in {"1", "true", "on", "yes"}


def gateway_customer_from(workspace, params: dict, *, connection=None) -> bm.GatewayCustomer:
    """The gateway identity an action is for: `gateway_customer` (our id or the gateway's "cus_…"), or our
    `customer` id when that person has exactly one identity on the connection (or in the workspace)."""
    if params.get("gateway_customer") not in (None, ""):
        row = get_row(bm.GatewayCustomer, workspace, params["gateway_customer"], _("Customer"))
        if connection is not None and row.connection_id != connection.pk:
            raise ActionError(_("Customer %(id)s belongs to another connection.") % {"id": row.remote_id}, field="gateway_customer")
        return row
    ref = params.get("customer")
    if ref in (None, "") or not is_local_id(ref):
        raise ActionError(_("Say which customer."), field="customer")
    customer = bm.Customer.objects.filter(workspace=workspace, pk=int(ref)).first()
    if customer is None:
        raise NotFoundError(_("Customer"))
    identities = customer.gateway_customers.filter(deleted=False).select_related("connection")
    if connection is not None:
        identities = identities.filter(connection=connection)
    identities = list(identities[:2])
    if not identities:
        raise ActionError(_("This customer has no account on that gateway."), field="customer", code="no_gateway_customer")
    if len(identities) > 1:
        raise ActionError(_("This customer has several gateway accounts; choose one."), field="gateway_customer", code="ambiguous")
    return identities[0]


def customer_target(row: bm.GatewayCustomer, **extra) -> Target:
    return target_for(row, customer=row.customer, **extra)


def finished_count(workspace, action: str, target_remote_id: str) -> int:
    """Attempts of this action on this object that are over and done (succeeded, refused by the gateway,
    rejected). As a state token it lets a deliberate repeat (send the invoice again, a new card link) make a
    new attempt, while a double click or a retry of a retryable failure finds the running one."""
    from django.db.models import Q

    from .models import ActionAttempt

    status = ActionAttempt.Status
    return ActionAttempt.objects.filter(
        Q(status__in=[status.SUCCEEDED, status.REJECTED]) | Q(status=status.FAILED, error_retryable=False),
        workspace=workspace, action=action, target_remote_id=target_remote_id,
    ).count()


# How old a previewed instant (a proration date, the "as of" of an unused-time refund) may be when the agent
# confirms. Older previews must be made again: prices and unused time move on.
PINNED_MAX_AGE = dt.timedelta(minutes=30)
_CLOCK_SKEW = dt.timedelta(minutes=2)


def pinned_instant(params: dict, name: str, *, now: dt.datetime | None = None) -> dt.datetime:
    """An instant the preview fixed (epoch seconds), or now. Whole seconds, aware UTC."""
    now = (now or timezone.now()).replace(microsecond=0)
    raw = params.get(name)
    if raw in (None, ""):
        return now
    if isinstance(raw, bool) or not str(raw).strip().isdigit():
        raise ActionError(_("%(name)s must be a Unix timestamp in seconds.") % {"name": name}, field=name)
    instant = dt.datetime.fromtimestamp(int(str(raw).strip()), tz=dt.UTC)
    if instant > now + _CLOCK_SKEW:
        raise ActionError(_("%(name)s is in the future.") % {"name": name}, field=name)
    if now - instant > PINNED_MAX_AGE:
        raise ActionError(_("This preview is out of date; preview the action again."), field=name, code="stale_preview")
    return instant


def epoch(value: dt.datetime) -> int:
    return int(value.timestamp())


def from_epoch(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)


def text_param(params: dict, name: str, *, max_length: int, required: bool = False, label: str = "") -> str:
    """`label` is already translated and reads after "Enter": "a coupon or promotion code"."""
    value = str(params.get(name) or "").strip()
    if required and not value:
        raise ActionError(_("Enter %(what)s.") % {"what": label or name}, field=name)
    if len(value) > max_length:
        raise ActionError(_("%(what)s is longer than %(max)d characters.") % {"what": (label or name).capitalize(), "max": max_length},
                          field=name)
    return value
