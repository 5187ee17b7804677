"""Subscription mechanics: the object shape, periods, prorations, renewal and cancellation.

Period fields live both at the top level (``current_period_start/end``, pre-2025 API and
the bundled spec, which requires them) and on each item (current API). Discounts are only the
current ``discounts`` list of ids: the singular ``discount`` left the Subscription in
2025-03-31.basil (docs.stripe.com/changelog/basil/2025-03-31/deprecate-singular-coupon-promotion-code)
and the 2023 spec does not require it.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass

from .. import errors, shapes
from ..context import Ctx
from . import billing
from .catalog import as_plan

shapes.register(
    "subscription",
    {
        "application": None, "application_fee_percent": None,
        "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
        "billing_cycle_anchor_config": None, "billing_mode": {"type": "classic"},
        "billing_thresholds": None, "cancel_at": None, "cancel_at_period_end": False,
        "canceled_at": None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "collection_method": "charge_automatically", "customer_account": None,
        "days_until_due": None, "default_payment_method": None, "default_source": None,
        "default_tax_rates": [], "description": None, "discounts": [],
        "ended_at": None, "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
        "latest_invoice": None, "metadata": {}, "next_pending_invoice_item_invoice": None,
        "on_behalf_of": None, "pause_collection": None,
        "payment_settings": {"payment_method_options": None, "payment_method_types": None,
                             "save_default_payment_method": "off"},
        "pending_invoice_item_interval": None, "pending_setup_intent": None, "pending_update": None,
        "schedule": None, "test_clock": None, "transfer_data": None, "trial_end": None,
        "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
        "trial_start": None,
    },
    nested=("items", "plan"),
)

shapes.register(
    "subscription_item",
    {"billing_thresholds": None, "discounts": [], "metadata": {}, "quantity": 1, "tax_rates": []},
    livemode=False,
)

LIVE = ("active", "trialing", "past_due", "unpaid", "incomplete", "paused")


def new_item(si_id: str, created: int, sub_id: str, price: dict, quantity: int,
             period: tuple[int, int], metadata: dict | None = None) -> dict:
    return {
        "id": si_id, "object": "subscription_item", "billing_thresholds": None, "created": created,
        "current_period_end": period[1], "current_period_start": period[0], "discounts": [],
        "metadata": metadata or {}, "plan": as_plan(price), "price": shapes.public(price),
        "quantity": quantity, "subscription": sub_id, "tax_rates": [],
    }


def build(sub_id: str, created: int, customer: str, items: list[dict], *, status: str,
          period: tuple[int, int], **fields) -> dict:
    sub = shapes.defaults("subscription")
    sub.update(id=sub_id, object="subscription", created=created, customer=customer,
               status=status, start_date=created, billing_cycle_anchor=period[0],
               currency=items[0]["price"]["currency"])
    set_items(sub, items)
    set_period(sub, period)
    sub.update(fields)
    return sub


def set_items(sub: dict, items: list[dict]) -> None:
    sub["items"] = {"object": "list", "data": items, "has_more": False, "total_count": len(items),
                    "url": f"/v1/subscription_items?subscription={sub['id']}"}
    single = items[0] if len(items) == 1 else None
    sub["plan"] = single["plan"] if single else None
    sub["quantity"] = single["quantity"] if single else None


def set_period(sub: dict, period: tuple[int, int]) -> None:
    sub["current_period_start"], sub["current_period_end"] = period
    for item in sub["items"]["data"]:
        item["current_period_start"], item["current_period_end"] = period


def item_amount(item: dict) -> int:
    return item["price"]["unit_amount"] * item["quantity"]


def interval_of(sub_or_price: dict) -> tuple[str, int]:
    rec = sub_or_price["items"]["data"][0]["price"]["recurring"] if "items" in sub_or_price \
        else sub_or_price["recurring"]
    return rec["interval"], rec.get("interval_count", 1)


def product_name(ctx: Ctx, price: dict) -> str:
    prod = ctx.store.get(price["product"], "product")
    return prod["name"] if prod else price["product"]


def _date(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%d %b %Y")


def cycle_lines(ctx: Ctx, sub: dict, invoice_id: str | None, period: tuple[int, int],
                trial: bool = False) -> list[dict]:
    return [
        billing.make_line(ctx, invoice_id=invoice_id, amount=0 if trial else item_amount(item),
                          currency=sub["currency"],
                          description=f"Trial period for {product_name(ctx, item['price'])}" if trial else
                                      f"{item['quantity']} × {product_name(ctx, item['price'])} "
                                      f"(at {item['price']['unit_amount']} {sub['currency'].upper()} / "
                                      f"{item['price']['recurring']['interval']})",
                          period=period, price=item["price"], quantity=item["quantity"],
                          subscription=sub["id"], si=item["id"])
        for item in sub["items"]["data"]
    ]


@dataclass
class Proration:
    amount: int
    description: str
    price: dict
    quantity: int
    si: str
    period: tuple[int, int]


def prorate(ctx: Ctx, sub: dict, old: list[dict], new: list[dict], when: int) -> list[Proration]:
    """Credit unused time on ``old`` items and charge remaining time on ``new`` ones."""
    start, end = sub["current_period_start"], sub["current_period_end"]
    if end <= start or when >= end:
        return []
    fraction = (end - max(when, start)) / (end - start)
    out = []
    for item in old:
        out.append(Proration(-round(item_amount(item) * fraction),
                             f"Unused time on {item['quantity']} × {product_name(ctx, item['price'])} after {_date(when)}",
                             item["price"], item["quantity"], item["id"], (when, end)))
    for item in new:
        out.append(Proration(round(item_amount(item) * fraction),
                             f"Remaining time on {item['quantity']} × {product_name(ctx, item['price'])} after {_date(when)}",
                             item["price"], item["quantity"], item["id"], (when, end)))
    return [p for p in out if p.amount]


def proration_items(ctx: Ctx, sub: dict, prorations: list[Proration], invoice: str | None = None) -> list[dict]:
    items = []
    for p in prorations:
        item = billing.new_invoice_item(ctx, customer=sub["customer"], amount=p.amount, currency=sub["currency"],
                                        description=p.description, period=p.period, price=p.price,
                                        subscription=sub["id"], si=p.si, proration=True, invoice=invoice,
                                        quantity=p.quantity)
        ctx.save(item)
        ctx.emit("invoiceitem.created", item)
        items.append(item)
    return items


def active_discounts(ctx: Ctx, sub: dict) -> list[dict]:
    """The subscription's discounts that apply to its next invoice, in order."""
    used = sub.get("_discounts_used") or ()
    out = []
    for discount_id in sub.get("discounts") or ():
        discount = ctx.store.get(discount_id, "discount")
        if discount is None or (discount.get("end") and discount["end"] <= ctx.now):
            continue
        if discount["coupon"]["duration"] == "once" and discount_id in used:
            continue  # a "once" coupon applies to one invoice only
        out.append(discount)
    return out


def invoice_now(ctx: Ctx, sub: dict, *, billing_reason: str, period: tuple[int, int],
                cycle: bool, force_decline: str | None = None, pay: bool = True, trial: bool = False):
    """Build, finalize and (for automatic collection) pay an invoice; returns (invoice, error)."""
    cust = ctx.load("customer", sub["customer"], "customer")
    discounts = active_discounts(ctx, sub)
    inv = billing.new_invoice(ctx, cust, currency=sub["currency"], billing_reason=billing_reason,
                              period=period, subscription=sub, collection_method=sub["collection_method"],
                              days_until_due=sub.get("days_until_due"), discounts=discounts)
    lines = billing.collect_pending(ctx, inv, sub["customer"], sub["id"])
    if cycle:
        lines += cycle_lines(ctx, sub, inv["id"], period, trial=trial)
    billing.set_lines(inv, lines)
    ctx.save(inv)
    ctx.emit("invoice.created", inv)
    once = [d["id"] for d in discounts if d["coupon"]["duration"] == "once"]
    if once:
        sub["_discounts_used"] = [*(sub.get("_discounts_used") or ()), *once]
    sub["latest_invoice"] = inv["id"]
    billing.finalize(ctx, inv)
    err = None
    if inv["status"] == "open":
        if sub["collection_method"] == "send_invoice":
            billing.send(ctx, inv)
        elif pay:
            err = billing.pay(ctx, inv, force_decline=force_decline)
    return inv, err


def renew(ctx: Ctx, sub: dict, *, force_decline: str | None = None) -> dict:
    """Start the next billing period now (or at period end if that has passed)."""
    if sub["status"] not in ("active", "trialing", "past_due", "unpaid"):
        raise errors.invalid_request(f"Subscription {sub['id']} is {sub['status']} and cannot renew.")
    before = copy.deepcopy(sub)
    end = sub["current_period_end"]
    if sub["cancel_at_period_end"] or (sub.get("cancel_at") and sub["cancel_at"] <= end):
        return end_now(ctx, sub, ended_at=min(end, ctx.now))
    start = min(end, ctx.now)
    interval, count = interval_of(sub)
    period = (start, billing.add_interval(start, interval, count))
    set_period(sub, period)
    if sub["status"] == "trialing":
        sub["trial_end"] = min(sub.get("trial_end") or start, start)
    inv, err = invoice_now(ctx, sub, billing_reason="subscription_cycle", period=period, cycle=True,
                           force_decline=force_decline)
    if err is not None:
        sub["status"] = "past_due"
    elif sub["status"] != "unpaid" or inv["status"] == "paid":
        sub["status"] = "active"
    ctx.save(sub)
    from .. import events

    ctx.emit("customer.subscription.updated", sub, events.diff(before, sub))
    return sub


def end_now(ctx: Ctx, sub: dict, *, ended_at: int | None = None, reason: str = "cancellation_requested",
            comment=None, feedback=None) -> dict:
    sub.update(status="canceled", ended_at=ended_at or ctx.now, canceled_at=sub.get("canceled_at") or ctx.now,
               cancel_at_period_end=False,
               cancellation_details={"comment": comment, "feedback": feedback, "reason": reason})
    ctx.save(sub)
    ctx.emit("customer.subscription.deleted", sub)
    return sub


def cancel_now(ctx: Ctx, sub: dict, *, prorate_credit: bool = False, final_invoice: bool = False,
               reason: str = "cancellation_requested", comment=None, feedback=None) -> dict:
    if sub["status"] in ("canceled", "incomplete_expired"):
        raise errors.no_such("subscription", sub["id"])
    if prorate_credit and sub["status"] in ("active", "past_due"):
        proration_items(ctx, sub, prorate(ctx, sub, sub["items"]["data"], [], ctx.now))
    if final_invoice:
        pending = ctx.store.find("invoiceitem", {"customer": sub["customer"], "parent": None})
        if any(p.get("subscription") in (None, sub["id"]) for p in pending):
            invoice_now(ctx, sub, billing_reason="subscription_update",
                        period=(sub["current_period_start"], ctx.now), cycle=False)
    return end_now(ctx, sub, reason=reason, comment=comment, feedback=feedback)
