"""The sections of the customer view: one bounded, indexed query each, most relevant rows first.

Every builder takes (context, offset, limit) and answers a `Section`. Its rows come from `view_queries.page`
(plain SQL naming its columns, so raw payloads are never read); its total from the view's up-front count of
every section, or else a window count in the same statement. Each item
lists the actions this member may run on it: registered, allowed to the role, supported by the
connection's adapter and possible in the item's state. The customer-level actions (start a subscription,
authorise a payment, ...) are listed the same way on "account" items, one per gateway account
(`customer_accounts()`); `actionable_item()` finds any one item for an action form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache

from chargeside.core import formatting as fmt
from chargeside.gateways.types import ChargeStatus as CS
from chargeside.gateways.types import InvoiceStatus as IS
from chargeside.gateways.types import SubscriptionStatus as SS
from chargeside.workspaces.roles import Perm, can

from .decline_reasons import decline_reason, reason_label, tax_id_label, verification_label
from .view_model import (
    DISPUTE_DUE_SOON_DAYS,
    LIVE_SUBSCRIPTIONS,
    OPEN_DISPUTES,
    REFUNDABLE,
    Item,
    Section,
    ViewContext,
    provider_label,
)
from .view_queries import account_rows, page

# --- which actions an item offers ----------------------------------------------------------------------

# When an action is possible, by the state of the row it starts from. The kind of row (charge, subscription,
# invoice, or "account" for the customer-level actions) is declared with the action's inputs
# (`actions.inputs`), its permission and capability by the action class; an action without a rule here is
# offered on every row of its kind that is not a deleted gateway account.
STATE_RULES: dict[str, Callable[[dict], bool]] = {
    # A charge under an open dispute cannot be refunded (the gateway refuses; the dispute process decides).
    "refund": lambda r: r["status"] in REFUNDABLE and r["amount_captured"] - r["amount_refunded"] > 0 and not r["_disputed"],
    "capture": lambda r: r["status"] == CS.AUTHORIZED,
    "void": lambda r: r["status"] == CS.AUTHORIZED,
    "subscription_cancel": lambda r: r["status"] in LIVE_SUBSCRIPTIONS and not r["cancel_at_period_end"],
    "subscription_change": lambda r: r["status"] in (SS.ACTIVE, SS.TRIALING),
    "invoice_send": lambda r: r["status"] == IS.OPEN,
    "subscription_create": lambda r: not r["deleted"] and r["_has_prices"],  # a plan to choose from
    "authorize": lambda r: not r["deleted"] and r["_has_methods"],  # a saved card to hold money on
}


def _not_deleted(row: dict) -> bool:
    return not row.get("deleted", False)


@cache
def _offered_actions() -> tuple:
    """(name, kind of row, action, rule) of every registered action with declared inputs."""
    from chargeside.actions.inputs import INPUTS
    from chargeside.actions.registry import ACTIONS, get_action

    return tuple((name, inputs.on, get_action(name), STATE_RULES.get(name, _not_deleted))
                 for name, inputs in INPUTS.items() if name in ACTIONS)


def _actions_for(ctx: ViewContext, kind: str, row: dict) -> tuple[str, ...]:
    if ctx.role is None:
        return ()
    provider = ctx.providers.get(row["connection_id"])
    if provider is None or not provider[2]:
        return ()
    return tuple(
        name for name, item_kind, action, possible in _offered_actions()
        if item_kind == kind and can(ctx.role, action.permission) and action.capability in provider[1] and possible(row)
    )


# --- section builders: (ctx, offset, limit) → Section --------------------------------------------------
# Each reads its page through `view_queries.page` (plain SQL; a new column goes into its statement there).

def _item(ctx: ViewContext, kind: str, row: dict, **fields) -> Item:
    provider = ctx.providers.get(row.get("connection_id"), ("", frozenset(), False))[0]
    return Item(
        kind=kind, id=row["id"], provider=provider_label(provider), remote_id=row["remote_id"], status=row.get("status", ""),
        created_at=row.get("remote_created_at"), created_display=ctx.date(row.get("remote_created_at")),
        actions=_actions_for(ctx, kind, row), fields=fields,
    )


def _web_url(value: str) -> str:
    """A gateway-supplied link, kept only when it is plain http(s): a `javascript:` URL must never become an href."""
    value = (value or "").strip()
    return value if value.lower().startswith(("https://", "http://")) else ""


def _charges(ctx: ViewContext, offset: int, limit: int) -> Section:
    rows, total = page(ctx, "charges", offset, limit)
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
    rows, total = page(ctx, "refunds", offset, limit)
    items = tuple(
        _item(ctx, "refund", row, amount=row["amount"], currency=row["currency"],
              amount_display=ctx.money(row["amount"], row["currency"]), reason=reason_label(row["reason"]),
              charge_remote_id=row["charge_remote_id"])
        for row in rows
    )
    return Section("refunds", items, total)


def _subscriptions(ctx: ViewContext, offset: int, limit: int) -> Section:
    rows, total = page(ctx, "subscriptions", offset, limit)
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
    rows, total = page(ctx, "invoices", offset, limit)
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
    rows, total = page(ctx, "disputes", offset, limit)
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
    rows, total = page(ctx, "payment_methods", offset, limit)
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
    rows, total = page(ctx, "tax_ids", offset, limit)
    items = tuple(
        _item(ctx, "tax_id", row, type=tax_id_label(row["type"]), value=row["value"], country=row["country"],
              verification_status=verification_label(row["verification_status"]))
        for row in rows
    )
    return Section("tax_ids", items, total)


def _recent_actions(ctx: ViewContext, offset: int, limit: int) -> Section:
    rows, total = page(ctx, "recent_actions", offset, limit)  # outcomes only: "requested" rows are left out
    items = tuple(
        Item(
            kind="audit", id=row["id"], provider=provider_label(row["target"].partition(":")[0]), remote_id=row["target"].partition(":")[2],
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
    rows = account_rows(ctx)  # with _has_methods (a saved payment method) and _has_prices (a plan to subscribe to)
    return tuple(
        _item(ctx, "account", {**row, "status": "deleted" if row["deleted"] else "active"}, email=row["email"], name=row["name"],
              connection=row["connection__name"], deleted=row["deleted"], coupon=row["coupon_remote_id"],
              default_payment_method=row["default_payment_method_remote_id"])
        for row in rows
    )


def _account_permissions() -> set:
    return {action.permission for _name, kind, action, _rule in _offered_actions() if kind == "account"}


def customer_accounts(*, workspace, customer_ids, member=None, language: str = "en") -> tuple[Item, ...]:
    """The customers' gateway accounts as "account" items, each listing the customer-level actions (start a
    subscription, authorise a payment, discount, tax id, card update link) this member may run on it.
    Nothing is read for a member who may run none of them."""
    if member is None or not member.is_active or not any(can(member.role, perm) for perm in _account_permissions()):
        return ()
    return _account_items(workspace, customer_ids, member, language)


def accounts_in(ctx: ViewContext) -> tuple[Item, ...]:
    """`customer_accounts()` from a view's context: the same items, from the identity rows it already read."""
    if ctx.role is None or not any(can(ctx.role, perm) for perm in _account_permissions()):
        return ()
    return _accounts(ctx) if ctx.gateway_customer_ids else ()


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


