"""Subscription endpoints: create, retrieve, update (cancel at period end, price changes with
prorations, discounts), cancel now, list (``customer``/``price``/``status``), search."""

from __future__ import annotations

import copy

from .. import errors, events, forms
from ..context import Ctx
from ..listing import list_objects, search_objects
from ..router import route
from . import billing, coupons
from . import sub_engine as engine

BEHAVIORS = ("create_prorations", "none", "always_invoice")
cancel_now = engine.cancel_now  # used by customer deletion


def _price(ctx: Ctx, value, param: str) -> dict:
    price = ctx.load("price", value, param)
    if price["type"] != "recurring":
        raise errors.invalid_request(
            "The price specified is set to `type=one_time` but this field only accepts prices with "
            "`type=recurring`.", param=param)
    if not price["active"]:
        raise errors.invalid_request("The price specified is inactive. This field only accepts active prices.",
                                     param=param)
    return price


def _discounts_param(ctx: Ctx, params: dict, sub: dict) -> list[dict] | None:
    """``discounts[]`` → the subscription's new discount list (None: the parameter was not sent).

    Each entry names a ``coupon`` or a ``promotion_code`` (redeemed into a new discount) or an
    existing ``discount`` of this subscription or its customer (kept as it is); the list replaces
    the current one, and ``discounts=""`` clears it.
    """
    coupons.reject_removed_params(params)
    if "discounts" not in params:
        return None
    entries = params["discounts"]
    if entries in ("", []):
        return []
    if not isinstance(entries, list):
        raise errors.invalid_param("discounts", "Invalid array", code="parameter_invalid_empty")
    out, seen = [], set()
    for n, entry in enumerate(entries):
        given = {k: v for k, v in entry.items() if k in ("coupon", "discount", "promotion_code") and v} \
            if isinstance(entry, dict) else {}
        if len(given) != 1:
            raise errors.invalid_request(
                "You must specify exactly one of coupon, discount or promotion_code.", param=f"discounts[{n}]")
        if "discount" in given:
            discount = ctx.store.get(given["discount"], "discount")
            if discount is None or (discount.get("subscription") or sub["id"]) != sub["id"] \
                    or discount.get("customer") != sub["customer"]:
                raise errors.no_such("discount", given["discount"], f"discounts[{n}][discount]")
        else:
            discount = coupons.make_discount(ctx, coupon_id=given.get("coupon"),
                                             promotion_code=given.get("promotion_code"), customer=sub["customer"],
                                             subscription=sub["id"], param=f"discounts[{n}][coupon]")
        coupon_id = discount["coupon"]["id"]
        if discount["id"] in seen or coupon_id in seen:
            # Our wording: we found no capture of the live error for a repeated coupon.
            raise errors.invalid_request(f"The coupon {coupon_id} is already applied to this subscription.",
                                         param=f"discounts[{n}]")
        seen.update((discount["id"], coupon_id))
        out.append(discount)
    return out


def _set_discounts(ctx: Ctx, sub: dict, discounts: list[dict] | None) -> None:
    """Apply a new discount list; ``customer.discount.created``/``deleted`` for what came and went.

    Removed discounts stay stored, so invoices that used them still expand them.
    """
    if discounts is None:
        return
    old = list(sub.get("discounts") or [])
    sub["discounts"] = [d["id"] for d in discounts]
    for d in discounts:
        if d["id"] not in old:
            ctx.emit("customer.discount.created", d)
    for discount_id in old:
        if discount_id not in sub["discounts"]:
            gone = ctx.store.get(discount_id, "discount")
            if gone is not None:
                ctx.emit("customer.discount.deleted", gone)


def _payment_method(ctx: Ctx, customer: str, value) -> str | None:
    if not value:
        return None
    pm = ctx.load("payment_method", value, "default_payment_method")
    if pm.get("customer") != customer:
        raise errors.invalid_request(
            f"The customer does not have a payment method with the ID {value}. The payment method must be "
            "attached to the customer.", param="default_payment_method", code="resource_missing")
    return pm["id"]


@route("POST", "/v1/subscriptions")
def create(ctx: Ctx) -> dict:
    p = ctx.params
    customer_id = forms.get_str(p, "customer", required=True)
    cust = ctx.load("customer", customer_id, "customer")
    item_params = forms.get_list(p, "items")
    if not item_params:
        raise errors.missing_param("items")
    sub_id = ctx.new_id("sub")
    prices = []
    for i, item in enumerate(item_params):
        price_id = item.get("price") or item.get("plan") if isinstance(item, dict) else None
        prices.append((_price(ctx, price_id, f"items[{i}][price]"),
                       forms.get_int(item, "quantity", default=1, minimum=1), forms.merge_metadata({}, item)))
    currency, interval = prices[0][0]["currency"], engine.interval_of(prices[0][0])
    if any(pr["currency"] != currency or engine.interval_of(pr) != interval for pr, _, _ in prices):
        raise errors.invalid_request("Currency and interval fields must match across all plans on this "
                                     "subscription.", param="items")
    trial_days = forms.get_int(p, "trial_period_days", minimum=0)
    if trial_days is None and forms.get_bool(p, "trial_from_plan", default=False):
        trial_days = prices[0][0]["recurring"].get("trial_period_days")
    trial_end = p.get("trial_end")
    trial_end = ctx.now if trial_end == "now" else forms.get_int(p, "trial_end")
    if trial_end is None and trial_days:
        trial_end = ctx.now + trial_days * 86400
    trialing = bool(trial_end and trial_end > ctx.now)
    period_end = trial_end if trialing else billing.add_interval(ctx.now, *interval)
    items = [engine.new_item(ctx.new_id("si"), ctx.now, sub_id, pr, qty, (ctx.now, period_end), md)
             for pr, qty, md in prices]
    collection = forms.get_str(p, "collection_method", default="charge_automatically")
    sub = engine.build(
        sub_id, ctx.now, customer_id, items, status="trialing" if trialing else "incomplete",
        period=(ctx.now, period_end), collection_method=collection,
        days_until_due=forms.get_int(p, "days_until_due") if collection == "send_invoice" else None,
        default_payment_method=_payment_method(ctx, customer_id, p.get("default_payment_method")),
        description=forms.get_str(p, "description"), metadata=forms.merge_metadata({}, p),
        trial_start=ctx.now if trialing else None, trial_end=trial_end if trialing else None,
        cancel_at_period_end=forms.get_bool(p, "cancel_at_period_end", default=False),
        cancel_at=forms.get_int(p, "cancel_at"),
    )
    if sub["cancel_at_period_end"]:
        sub["cancel_at"] = period_end
    discounts = _discounts_param(ctx, p, sub) or []
    sub["discounts"] = [d["id"] for d in discounts]
    behavior = forms.get_str(p, "payment_behavior", default="allow_incomplete")
    needs_payment = not trialing and collection == "charge_automatically" and behavior != "default_incomplete"
    if needs_payment and not (sub["default_payment_method"]
                              or cust["invoice_settings"].get("default_payment_method")):
        first = sum(engine.item_amount(i) for i in items)
        if first > 0:
            raise billing.no_payment_method(customer_id)
    ctx.save(sub)
    ctx.emit("customer.subscription.created", sub)
    for discount in discounts:
        ctx.emit("customer.discount.created", discount)
    before = copy.deepcopy(sub)
    reason = "subscription_create"
    inv, err = engine.invoice_now(ctx, sub, billing_reason=reason, period=(ctx.now, period_end),
                                  cycle=True, pay=needs_payment, trial=trialing)
    if err is not None and behavior == "error_if_incomplete":
        raise err  # nothing is kept: the subscription is not created
    if not trialing and inv["status"] == "paid" or not trialing and collection == "send_invoice":
        sub["status"] = "active"
    ctx.save(sub)
    previous = events.diff(before, sub)
    if previous:
        ctx.emit("customer.subscription.updated", sub, previous)
    return sub


@route("GET", "/v1/subscriptions/{subscription_exposed_id}")
def retrieve(ctx: Ctx, subscription_exposed_id: str) -> dict:
    return ctx.load("subscription", subscription_exposed_id)


@route("POST", "/v1/subscriptions/{subscription_exposed_id}")
def update(ctx: Ctx, subscription_exposed_id: str) -> dict:
    p = ctx.params
    before = ctx.load("subscription", subscription_exposed_id)
    sub = copy.deepcopy(before)
    if sub["status"] in ("canceled", "incomplete_expired"):
        allowed = {"metadata", "cancellation_details", "expand"}
        if set(p) - allowed:
            raise errors.invalid_request(
                "A canceled subscription can only update its cancellation_details and metadata.")
    sub["metadata"] = forms.merge_metadata(sub.get("metadata"), p)
    if "description" in p:
        sub["description"] = p["description"] or None
    details = forms.get_dict(p, "cancellation_details")
    if details:
        sub["cancellation_details"] = {**sub["cancellation_details"],
                                       **{k: details[k] or None for k in ("comment", "feedback") if k in details}}
    if "cancel_at_period_end" in p:
        at_end = forms.get_bool(p, "cancel_at_period_end", default=False)
        sub["cancel_at_period_end"] = at_end
        sub["cancel_at"] = sub["current_period_end"] if at_end else None
        sub["canceled_at"] = ctx.now if at_end else None
        sub["cancellation_details"] = {**sub["cancellation_details"],
                                       "reason": "cancellation_requested" if at_end else None}
    if "cancel_at" in p:
        sub["cancel_at"] = forms.get_int(p, "cancel_at")
    if "default_payment_method" in p:
        sub["default_payment_method"] = _payment_method(ctx, sub["customer"], p["default_payment_method"])
    if "collection_method" in p:
        sub["collection_method"] = p["collection_method"]
    if "days_until_due" in p:
        sub["days_until_due"] = forms.get_int(p, "days_until_due")
    _set_discounts(ctx, sub, _discounts_param(ctx, p, sub))
    err = _change_items(ctx, sub, p)
    if p.get("trial_end") == "now" and sub["status"] == "trialing":
        interval = engine.interval_of(sub)
        period = (ctx.now, billing.add_interval(ctx.now, *interval))
        engine.set_period(sub, period)
        sub["trial_end"] = ctx.now
        _, err = engine.invoice_now(ctx, sub, billing_reason="subscription_update", period=period, cycle=True)
        sub["status"] = "active" if err is None else "past_due"
    ctx.save(sub)
    previous = events.diff(before, sub)
    if previous:
        ctx.emit("customer.subscription.updated", sub, previous)
    if err is not None and forms.get_str(p, "payment_behavior") == "error_if_incomplete":
        raise err
    return sub


def _change_items(ctx: Ctx, sub: dict, p: dict):
    """Apply ``items[...]`` changes with prorations; returns a card error if an immediate charge failed."""
    changes = forms.get_list(p, "items")
    if not changes:
        return None
    behavior = forms.get_str(p, "proration_behavior", default="create_prorations")
    if behavior not in BEHAVIORS:
        raise errors.invalid_param("proration_behavior", f"Invalid proration_behavior: {behavior}")
    when = forms.get_int(p, "proration_date", default=ctx.now)
    new_items, old, added = plan_items(ctx, sub, changes)
    old_interval = engine.interval_of(sub)
    engine.set_items(sub, new_items)
    if not new_items:
        raise errors.invalid_request("A subscription must have at least one item.", param="items")
    if any(i["price"]["currency"] != sub["currency"] for i in new_items):
        raise errors.invalid_request("Currency and interval fields must match across all plans on this "
                                     "subscription.", param="items")
    reset = engine.interval_of(sub) != old_interval
    prorations = [] if behavior == "none" or sub["status"] == "trialing" else \
        engine.prorate(ctx, sub, old, [] if reset else added, when)
    if reset:  # a new interval restarts the billing cycle and bills at once, like the live API
        period = (ctx.now, billing.add_interval(ctx.now, *engine.interval_of(sub)))
        engine.proration_items(ctx, sub, prorations)
        engine.set_period(sub, period)
        if sub["status"] == "trialing":
            return None
        inv, err = engine.invoice_now(ctx, sub, billing_reason="subscription_update", period=period, cycle=True)
        _settle(sub, inv, err)
        return err
    engine.set_period(sub, (sub["current_period_start"], sub["current_period_end"]))
    engine.proration_items(ctx, sub, prorations)
    if behavior == "always_invoice" and prorations:
        inv, err = engine.invoice_now(ctx, sub, billing_reason="subscription_update",
                                      period=(when, sub["current_period_end"]), cycle=False)
        _settle(sub, inv, err)
        return err
    return None


def _settle(sub: dict, inv: dict, err) -> None:
    if err is not None and sub["status"] == "active":
        sub["status"] = "past_due"
    elif inv["status"] == "paid" and sub["status"] in ("past_due", "incomplete", "unpaid"):
        sub["status"] = "active"


def plan_items(ctx: Ctx, sub: dict, changes: list) -> tuple[list[dict], list[dict], list[dict]]:
    """Return (new item list, replaced/removed old items, new/changed items) without saving."""
    current = {i["id"]: i for i in sub["items"]["data"]}
    result = dict(current)
    old, added = [], []
    period = (sub["current_period_start"], sub["current_period_end"])
    for n, change in enumerate(changes):
        if not isinstance(change, dict):
            raise errors.invalid_param(f"items[{n}]", "Invalid object")
        si_id = change.get("id")
        if si_id and si_id not in current:
            raise errors.no_such("subscription_item", si_id, f"items[{n}][id]")
        if si_id and forms.get_bool(change, "deleted", default=False):
            old.append(current[si_id])
            result.pop(si_id)
            continue
        price_id = change.get("price") or change.get("plan")
        base = current.get(si_id)
        price = _price(ctx, price_id, f"items[{n}][price]") if price_id else (base and base["price"])
        if price is None:
            raise errors.missing_param(f"items[{n}][price]")
        qty = forms.get_int(change, "quantity", minimum=1, default=base["quantity"] if base else 1)
        if base and base["price"]["id"] == price["id"] and base["quantity"] == qty:
            continue
        new = engine.new_item(si_id or ctx.new_id("si"), base["created"] if base else ctx.now, sub["id"],
                              price, qty, period, base["metadata"] if base else forms.merge_metadata({}, change))
        if base:
            old.append(base)
        added.append(new)
        result[new["id"]] = new
    return list(result.values()), old, added


@route("DELETE", "/v1/subscriptions/{subscription_exposed_id}")
def cancel(ctx: Ctx, subscription_exposed_id: str) -> dict:
    sub = ctx.load("subscription", subscription_exposed_id)
    details = forms.get_dict(ctx.params, "cancellation_details") or {}
    return engine.cancel_now(
        ctx, sub, prorate_credit=forms.get_bool(ctx.params, "prorate", default=False),
        final_invoice=forms.get_bool(ctx.params, "invoice_now", default=False),
        comment=details.get("comment") or None, feedback=details.get("feedback") or None,
    )


@route("DELETE", "/v1/subscriptions/{subscription_exposed_id}/discount")
def delete_discount(ctx: Ctx, subscription_exposed_id: str) -> dict:
    """Removes the subscription's discounts; answers with the first, deleted (``deleted_discount``)."""
    before = ctx.load("subscription", subscription_exposed_id)
    first = ctx.store.get(before["discounts"][0], "discount") if before.get("discounts") else None
    if first is None:
        raise errors.invalid_request(f"No active discount for subscription: '{before['id']}'", status=404,
                                     code="resource_missing")
    after = copy.deepcopy(before)
    _set_discounts(ctx, after, [])
    ctx.changed("customer.subscription.updated", before, after)
    return {**{k: v for k, v in first.items() if k != "end"}, "deleted": True}


@route("GET", "/v1/subscriptions")
def list_(ctx: Ctx) -> dict:
    p = ctx.params
    where = {}
    if forms.get_str(p, "customer"):
        where["customer"] = p["customer"]
    status = forms.get_str(p, "status")
    if status and status not in ("all", "ended"):
        where["status"] = status
    price = forms.get_str(p, "price")

    def predicate(o):
        if status is None and o["status"] == "canceled":
            return False
        if status == "ended" and o["status"] not in ("canceled", "incomplete_expired"):
            return False
        return price is None or any(i["price"]["id"] == price for i in o["items"]["data"])

    return list_objects(ctx, "subscription", "/v1/subscriptions", where=where, predicate=predicate)


@route("GET", "/v1/subscriptions/search")
def search(ctx: Ctx) -> dict:
    return search_objects(ctx, "subscription", "/v1/subscriptions/search",
                          indexed={"customer": "customer", "status": "status"})


@route("GET", "/v1/subscription_items")
def list_items(ctx: Ctx) -> dict:
    sub_id = forms.get_str(ctx.params, "subscription", required=True)
    sub = ctx.load("subscription", sub_id, "subscription")
    return {**sub["items"], "url": "/v1/subscription_items"}
