"""The sections of the customer view: one bounded, indexed query each, most relevant rows first.

Every builder takes (context, offset, limit) and answers a `Section` whose total comes from a window count
in the same query. Columns are named explicitly (`values()`), so raw payloads are never read. Each item
lists the actions this member may run on it: registered, allowed to the role, supported by the
connection's adapter and possible in the item's state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Value, When, Window

from chargeside.core import formatting as fmt
from chargeside.gateways.types import ChargeStatus as CS
from chargeside.gateways.types import InvoiceStatus as IS
from chargeside.gateways.types import SubscriptionStatus as SS
from chargeside.workspaces.roles import Perm, can

from . import models as m
from .decline_reasons import decline_reason, reason_label
from .view_model import (
    DISPUTE_DUE_SOON_DAYS, FAILED_RECENT_DAYS, LIVE_SUBSCRIPTIONS, OPEN_DISPUTES, REFUNDABLE, TROUBLED_SUBSCRIPTIONS,
    Item, Section, ViewContext,
)

# --- which actions an item offers ----------------------------------------------------------------------

# action name → the item kind it applies to and the state in which it is possible. The action's permission
# and capability come from the action class itself, so a rule only lights up once the action is registered.
ITEM_ACTIONS: dict[str, tuple[str, Callable[[dict], bool]]] = {
    # A charge under an open dispute cannot be refunded (the gateway refuses; the dispute process decides).
    "refund": ("charge", lambda r: r["status"] in REFUNDABLE and r["amount_captured"] - r["amount_refunded"] > 0 and not r["_disputed"]),
    "capture": ("charge", lambda r: r["status"] == CS.AUTHORIZED),
    "void": ("charge", lambda r: r["status"] == CS.AUTHORIZED),
    "subscription_cancel": ("subscription", lambda r: r["status"] in LIVE_SUBSCRIPTIONS and not r["cancel_at_period_end"]),
    "subscription_change": ("subscription", lambda r: r["status"] in (SS.ACTIVE, SS.TRIALING)),
    "invoice_send": ("invoice", lambda r: r["status"] == IS.OPEN),
    # Customer-level actions, offered on each of the customer's gateway accounts (see customer_accounts()).
    "subscription_create": ("account", lambda r: not r["deleted"] and r["_has_prices"]),
    "authorize": ("account", lambda r: not r["deleted"] and r["_has_methods"]),
    "coupon_apply": ("account", lambda r: not r["deleted"]),
    "tax_id_add": ("account", lambda r: not r["deleted"]),
    "card_update_link": ("account", lambda r: not r["deleted"]),
}


def _registered_actions() -> dict:
    from chargeside.actions.registry import ACTIONS, get_action

    return {name: get_action(name) for name in ITEM_ACTIONS if name in ACTIONS}


def _actions_for(ctx: ViewContext, kind: str, row: dict) -> tuple[str, ...]:
    if ctx.role is None:
        return ()
    provider = ctx.providers.get(row["connection_id"])
    if provider is None or not provider[2]:
        return ()
    allowed = []
    for name, action in _registered_actions().items():
        item_kind, possible = ITEM_ACTIONS[name]
        if item_kind == kind and can(ctx.role, action.permission) and action.capability in provider[1] and possible(row):
            allowed.append(name)
    return tuple(allowed)


# --- section builders: (ctx, offset, limit) → Section --------------------------------------------------

def _recent(field_name: str = "remote_created_at"):
    return (F(field_name).desc(nulls_last=True), F("id").desc())


def _page(queryset, columns, order, offset, limit) -> tuple[list[dict], int]:
    """Rows of one page plus the section's total in the same query (a window count over the filter)."""
    rows = list(queryset.annotate(_total=Window(Count("id"))).order_by(*order).values(*columns, "_total")[offset:offset + limit])
    if rows:
        return rows, rows[0]["_total"]
    return rows, (queryset.count() if offset else 0)


def _item(ctx: ViewContext, kind: str, row: dict, **fields) -> Item:
    provider = ctx.providers.get(row.get("connection_id"), ("", frozenset(), False))[0]
    return Item(
        kind=kind, id=row["id"], provider=provider, remote_id=row["remote_id"], status=row.get("status", ""),
        created_at=row.get("remote_created_at"), created_display=ctx.date(row.get("remote_created_at")),
        actions=_actions_for(ctx, kind, row), fields=fields,
    )


_BASE = ("id", "connection_id", "remote_id", "remote_created_at")


def _web_url(value: str) -> str:
    """A gateway-supplied link, kept only when it is plain http(s): a `javascript:` URL must never become an href."""
    value = (value or "").strip()
    return value if value.lower().startswith(("https://", "http://")) else ""


def _charges(ctx: ViewContext, offset: int, limit: int) -> Section:
    qs = ctx.scope(m.Charge.objects.filter(workspace_id=ctx.workspace_id, gateway_customer_id__in=ctx.gateway_customer_ids))
    failed_first = Case(
        When(status=CS.FAILED, remote_created_at__gte=ctx.now - dt.timedelta(days=FAILED_RECENT_DAYS), then=Value(0)),
        default=Value(1), output_field=IntegerField(),
    )
    disputed = Exists(m.Dispute.objects.filter(charge_id=OuterRef("id"), status__in=OPEN_DISPUTES))
    columns = (*_BASE, "status", "amount", "currency", "amount_captured", "amount_refunded", "description",
               "failure_code", "failure_message", "receipt_url", "_disputed")
    rows, total = _page(qs.annotate(_rank=failed_first, _disputed=disputed), columns, (F("_rank").asc(), *_recent()), offset, limit)
    items = []
    for row in rows:
        refundable = max(row["amount_captured"] - row["amount_refunded"], 0) if row["status"] in REFUNDABLE else 0
        items.append(_item(
            ctx, "charge", row, amount=row["amount"], currency=row["currency"],
            amount_display=ctx.money(row["amount"], row["currency"]),
            refunded=row["amount_refunded"], refunded_display=ctx.money(row["amount_refunded"], row["currency"]),
            refundable=refundable, refundable_display=ctx.money(refundable, row["currency"]),
            decline_reason=decline_reason(row["failure_code"], row["failure_message"]) if row["status"] == CS.FAILED else "",
            description=row["description"], receipt_url=_web_url(row["receipt_url"]), disputed=row["_disputed"],
        ))
    return Section("charges", tuple(items), total)


def _refunds(ctx: ViewContext, offset: int, limit: int) -> Section:
    qs = ctx.scope(m.Refund.objects.filter(workspace_id=ctx.workspace_id, charge__gateway_customer_id__in=ctx.gateway_customer_ids))
    rows, total = _page(qs, (*_BASE, "status", "amount", "currency", "reason", "charge_remote_id"), _recent(), offset, limit)
    items = tuple(
        _item(ctx, "refund", row, amount=row["amount"], currency=row["currency"],
              amount_display=ctx.money(row["amount"], row["currency"]), reason=reason_label(row["reason"]),
              charge_remote_id=row["charge_remote_id"])
        for row in rows
    )
    return Section("refunds", items, total)


def _subscriptions(ctx: ViewContext, offset: int, limit: int) -> Section:
    qs = ctx.scope(m.Subscription.objects.filter(workspace_id=ctx.workspace_id, gateway_customer_id__in=ctx.gateway_customer_ids))
    rank = Case(
        When(status__in=TROUBLED_SUBSCRIPTIONS, then=Value(0)), When(status=SS.CANCELED, then=Value(2)),
        default=Value(1), output_field=IntegerField(),
    )
    columns = (*_BASE, "status", "plan_name", "amount", "currency", "interval", "interval_count", "quantity",
               "current_period_end", "cancel_at_period_end", "canceled_at", "trial_end")
    rows, total = _page(qs.annotate(_rank=rank), columns, (F("_rank").asc(), *_recent()), offset, limit)
    items = []
    for row in rows:
        live = row["status"] in LIVE_SUBSCRIPTIONS
        # Only a subscription in good standing "renews"; a past-due one is waiting on a failed payment.
        renews = row["status"] in (SS.ACTIVE, SS.TRIALING) and not row["cancel_at_period_end"] and row["current_period_end"]
        trial = row["trial_end"] if row["status"] == SS.TRIALING else None
        items.append(_item(
            ctx, "subscription", row, plan_name=row["plan_name"], amount=row["amount"], currency=row["currency"],
            amount_display=ctx.money(row["amount"], row["currency"]), interval=row["interval"],
            interval_count=row["interval_count"], quantity=row["quantity"],
            renews_at=row["current_period_end"] if renews else None,
            renews_display=ctx.date(row["current_period_end"]) if renews else "",
            ends_display=ctx.date(row["current_period_end"]) if live and row["cancel_at_period_end"] else "",
            cancel_at_period_end=row["cancel_at_period_end"], trial_end=trial, trial_end_display=ctx.date(trial),
            canceled_display=ctx.date(row["canceled_at"]),
        ))
    return Section("subscriptions", tuple(items), total)


def _invoices(ctx: ViewContext, offset: int, limit: int) -> Section:
    qs = ctx.scope(m.Invoice.objects.filter(workspace_id=ctx.workspace_id, gateway_customer_id__in=ctx.gateway_customer_ids))
    rank = Case(When(status=IS.OPEN, then=Value(0)), When(status=IS.DRAFT, then=Value(1)), default=Value(2), output_field=IntegerField())
    columns = (*_BASE, "status", "number", "currency", "total", "amount_remaining", "hosted_url", "pdf_url", "due_at")
    rows, total = _page(qs.annotate(_rank=rank), columns, (F("_rank").asc(), *_recent()), offset, limit)
    items = tuple(
        _item(
            ctx, "invoice", row, number=row["number"], currency=row["currency"], total=row["total"],
            total_display=ctx.money(row["total"], row["currency"]), amount_remaining=row["amount_remaining"],
            remaining_display=ctx.money(row["amount_remaining"], row["currency"]), hosted_url=_web_url(row["hosted_url"]),
            pdf_url=_web_url(row["pdf_url"]), due_display=ctx.date(row["due_at"]),
            overdue=row["status"] == IS.OPEN and row["due_at"] is not None and row["due_at"] < ctx.now,
        )
        for row in rows
    )
    return Section("invoices", items, total)


def _disputes(ctx: ViewContext, offset: int, limit: int) -> Section:
    qs = ctx.scope(m.Dispute.objects.filter(workspace_id=ctx.workspace_id, charge__gateway_customer_id__in=ctx.gateway_customer_ids))
    rank = Case(When(status__in=OPEN_DISPUTES, then=Value(0)), default=Value(1), output_field=IntegerField())
    columns = (*_BASE, "status", "amount", "currency", "reason", "evidence_due_by", "charge_remote_id")
    order = (F("_rank").asc(), F("evidence_due_by").asc(nulls_last=True), *_recent())
    rows, total = _page(qs.annotate(_rank=rank), columns, order, offset, limit)
    items = []
    for row in rows:
        is_open = row["status"] in OPEN_DISPUTES
        due = row["evidence_due_by"] if is_open else None
        items.append(_item(
            ctx, "dispute", row, amount=row["amount"], currency=row["currency"],
            amount_display=ctx.money(row["amount"], row["currency"]), reason=reason_label(row["reason"]),
            charge_remote_id=row["charge_remote_id"], open=is_open, evidence_due_by=due, due_display=ctx.date(due),
            due_soon=due is not None and due - ctx.now <= dt.timedelta(days=DISPUTE_DUE_SOON_DAYS),
        ))
    return Section("disputes", tuple(items), total)


def _payment_methods(ctx: ViewContext, offset: int, limit: int) -> Section:
    qs = ctx.scope(m.PaymentMethod.objects.filter(workspace_id=ctx.workspace_id, gateway_customer_id__in=ctx.gateway_customer_ids))
    is_default = Case(
        When(gateway_customer__default_payment_method_remote_id=F("remote_id"), then=Value(0)), default=Value(1),
        output_field=IntegerField(),
    )
    columns = (*_BASE, "type", "brand", "last4", "exp_month", "exp_year", "wallet")
    rows, total = _page(qs.annotate(_rank=is_default), (*columns, "_rank"), (F("_rank").asc(), *_recent()), offset, limit)
    this_month = (ctx.now.year, ctx.now.month)
    items = tuple(
        _item(
            ctx, "payment_method", row, type=row["type"], brand=row["brand"], last4=row["last4"], wallet=row["wallet"],
            expiry=f"{row['exp_month']:02d}/{row['exp_year'] % 100:02d}" if row["exp_month"] and row["exp_year"] else "",
            expired=bool(row["exp_month"] and row["exp_year"]) and (row["exp_year"], row["exp_month"]) < this_month,
            is_default=row["_rank"] == 0,
        )
        for row in rows
    )
    return Section("payment_methods", items, total)


def _tax_ids(ctx: ViewContext, offset: int, limit: int) -> Section:
    qs = ctx.scope(m.TaxId.objects.filter(workspace_id=ctx.workspace_id, gateway_customer_id__in=ctx.gateway_customer_ids))
    rows, total = _page(qs, (*_BASE, "type", "value", "country", "verification_status"), _recent(), offset, limit)
    items = tuple(
        _item(ctx, "tax_id", row, type=row["type"], value=row["value"], country=row["country"],
              verification_status=row["verification_status"])
        for row in rows
    )
    return Section("tax_ids", items, total)


def _recent_actions(ctx: ViewContext, offset: int, limit: int) -> Section:
    from chargeside.actions.models import AuditEvent

    # "requested" rows are the first half of every action; the outcome row says what happened.
    qs = ctx.scope(AuditEvent.objects.filter(workspace_id=ctx.workspace_id, customer_id__in=ctx.customer_ids).exclude(event="requested"))
    columns = ("id", "seq", "at", "member_id", "actor", "event", "action", "target", "amount", "currency", "reason", "outcome")
    rows, total = _page(qs, columns, (F("seq").desc(),), offset, limit)
    items = tuple(
        Item(
            kind="audit", id=row["id"], provider=row["target"].partition(":")[0], remote_id=row["target"].partition(":")[2],
            status=row["outcome"] or row["event"], created_at=row["at"], created_display=fmt.datetime(row["at"], ctx.language),
            fields={
                "actor": row["actor"], "by_me": row["member_id"] is not None and row["member_id"] == ctx.member_id,
                "event": row["event"], "action": row["action"], "reason": row["reason"],
                "amount_display": ctx.money(row["amount"], row["currency"]) if row["amount"] is not None else "",
            },
        )
        for row in rows
    )
    return Section("recent_actions", items, total)


BUILDERS = {
    "charges": _charges, "refunds": _refunds, "subscriptions": _subscriptions, "invoices": _invoices,
    "disputes": _disputes, "payment_methods": _payment_methods, "tax_ids": _tax_ids, "recent_actions": _recent_actions,
}


def _accounts(ctx: ViewContext) -> tuple[Item, ...]:
    qs = ctx.scope(m.GatewayCustomer.objects.filter(workspace_id=ctx.workspace_id, id__in=ctx.gateway_customer_ids))
    has_methods = Exists(m.PaymentMethod.objects.filter(gateway_customer_id=OuterRef("id")))
    has_prices = Exists(m.Price.objects.filter(connection_id=OuterRef("connection_id"), active=True).exclude(interval=""))
    columns = (*_BASE, "email", "name", "deleted", "coupon_remote_id", "default_payment_method_remote_id", "connection__name",
               "_has_methods", "_has_prices")
    rows = qs.annotate(_has_methods=has_methods, _has_prices=has_prices).order_by("id").values(*columns)
    return tuple(
        _item(ctx, "account", {**row, "status": "deleted" if row["deleted"] else "active"}, email=row["email"], name=row["name"],
              connection=row["connection__name"], deleted=row["deleted"], coupon=row["coupon_remote_id"],
              default_payment_method=row["default_payment_method_remote_id"])
        for row in rows
    )


def _account_permissions() -> set:
    return {action.permission for name, action in _registered_actions().items() if ITEM_ACTIONS[name][0] == "account"}


def customer_accounts(*, workspace, customer_ids, member=None, language: str = "en") -> tuple[Item, ...]:
    """The customers' gateway accounts as "account" items, each listing the customer-level actions (start a
    subscription, authorise a payment, discount, tax id, card update link) this member may run on it.
    Nothing is read for a member who may run none of them."""
    if member is None or not member.is_active or not any(can(member.role, perm) for perm in _account_permissions()):
        return ()
    return _account_items(workspace, customer_ids, member, language)


def _account_items(workspace, customer_ids, member, language, only_id=None) -> tuple[Item, ...]:
    from .view_model import identity_rows, view_context

    rows = identity_rows(workspace.id, customer_ids)
    ctx = view_context(workspace.id, customer_ids, member, language, rows, only_id=only_id)
    return _accounts(ctx) if ctx.gateway_customer_ids else ()


def actionable_item(*, workspace, customer_ids, kind: str, item_id: int, member=None, language: str = "en") -> Item | None:
    """One item of these customers with the actions this member may run on it now (an "account" for the
    customer-level actions), or None: not theirs."""
    if kind == "account":
        found = _account_items(workspace, customer_ids, member, language, only_id=item_id)
        return found[0] if found else None
    from .selectors import customer_item

    return customer_item(workspace=workspace, customer_ids=customer_ids, kind=kind, item_id=item_id, member=member, language=language)


def visible(ctx: ViewContext, name: str) -> bool:
    if name == "payment_methods":
        return can(ctx.role, Perm.VIEW_PAYMENT_METHODS)
    if name == "recent_actions":
        return can(ctx.role, Perm.VIEW_AUDIT)
    return True


