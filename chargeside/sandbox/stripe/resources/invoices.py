"""Invoice and invoice-item endpoints, including the upcoming-invoice previews
(``GET /v1/invoices/upcoming`` for older clients, ``POST /v1/invoices/create_preview`` for
the current SDK) with proration lines for a price change."""

from __future__ import annotations

import copy

from .. import errors, forms, shapes
from ..context import Committed, Ctx
from ..listing import list_objects, search_objects
from ..router import route
from . import billing, coupons
from . import sub_engine as engine
from .subscriptions import BEHAVIORS, plan_items


def _load_invoice(ctx: Ctx, invoice: str) -> dict:
    return ctx.load("invoice", invoice)


@route("GET", "/v1/invoices")
def list_(ctx: Ctx) -> dict:
    p = ctx.params
    where = {k: p[k] for k in ("customer", "subscription", "status") if forms.get_str(p, k)}
    method = forms.get_str(p, "collection_method")
    predicate = (lambda o: o["collection_method"] == method) if method else None
    return list_objects(ctx, "invoice", "/v1/invoices", where=where, predicate=predicate)


@route("GET", "/v1/invoices/search")
def search(ctx: Ctx) -> dict:
    return search_objects(ctx, "invoice", "/v1/invoices/search",
                          indexed={"customer": "customer", "subscription": "subscription", "status": "status"})


@route("GET", "/v1/invoices/{invoice}")
def retrieve(ctx: Ctx, invoice: str) -> dict:
    return _load_invoice(ctx, invoice)


@route("GET", "/v1/invoices/{invoice}/lines")
def lines(ctx: Ctx, invoice: str) -> dict:
    inv = _load_invoice(ctx, invoice)
    return inv["lines"]


@route("POST", "/v1/invoices")
def create(ctx: Ctx) -> dict:
    p = ctx.params
    cust = ctx.load("customer", forms.get_str(p, "customer", required=True), "customer")
    sub = None
    if forms.get_str(p, "subscription"):
        sub = ctx.load("subscription", p["subscription"], "subscription")
    pending = [i for i in ctx.store.find("invoiceitem", {"customer": cust["id"], "parent": None})
               if sub is None or i.get("subscription") in (None, sub["id"])]
    currency = (forms.get_str(p, "currency") or (pending[0]["currency"] if pending else None)
                or cust.get("currency") or "usd").lower()
    collection = forms.get_str(p, "collection_method", default="charge_automatically")
    inv = billing.new_invoice(ctx, cust, currency=currency, billing_reason="manual", period=(ctx.now, ctx.now),
                              subscription=sub, collection_method=collection,
                              days_until_due=forms.get_int(p, "days_until_due"),
                              description=forms.get_str(p, "description"), metadata=forms.merge_metadata({}, p))
    inv["auto_advance"] = forms.get_bool(p, "auto_advance", default=False)
    if p.get("default_payment_method"):
        inv["default_payment_method"] = ctx.load("payment_method", p["default_payment_method"],
                                                 "default_payment_method")["id"]
    lines = []
    if forms.get_str(p, "pending_invoice_items_behavior", default="exclude") == "include":
        lines = billing.collect_pending(ctx, inv, cust["id"], sub["id"] if sub else None)
    billing.set_lines(inv, lines)
    ctx.save(inv)
    ctx.emit("invoice.created", inv)
    return inv


@route("POST", "/v1/invoices/{invoice}")
def update(ctx: Ctx, invoice: str) -> dict:
    before = _load_invoice(ctx, invoice)
    p = ctx.params
    after = {**before, "metadata": forms.merge_metadata(before.get("metadata"), p)}
    for field in ("description", "footer"):
        if field in p:
            after[field] = p[field] or None
    draft_only = {"auto_advance", "collection_method", "days_until_due", "default_payment_method"} & set(p)
    if draft_only and before["status"] != "draft":
        raise errors.invalid_request(f"You can only update {sorted(draft_only)[0]} on a draft invoice.",
                                     code="invoice_not_editable")
    if "auto_advance" in p:
        after["auto_advance"] = forms.get_bool(p, "auto_advance", default=True)
    if "collection_method" in p:
        after["collection_method"] = p["collection_method"]
    if "days_until_due" in p:
        after["days_until_due"] = forms.get_int(p, "days_until_due")
    if "default_payment_method" in p:
        after["default_payment_method"] = p["default_payment_method"] or None
    return ctx.changed("invoice.updated", before, after) if after != before else before


@route("DELETE", "/v1/invoices/{invoice}")
def delete(ctx: Ctx, invoice: str) -> dict:
    inv = _load_invoice(ctx, invoice)
    if inv["status"] != "draft":
        raise errors.invalid_request("You can only delete draft invoices.", code="invoice_not_editable")
    for item in ctx.store.find("invoiceitem", {"parent": invoice}):
        ctx.save({**item, "invoice": None})  # items go back to pending, as on the live API
    ctx.store.delete(invoice)
    ctx.emit("invoice.deleted", inv)
    return {"id": invoice, "object": "invoice", "deleted": True}


@route("POST", "/v1/invoices/{invoice}/finalize")
def finalize(ctx: Ctx, invoice: str) -> dict:
    inv = _load_invoice(ctx, invoice)
    if "auto_advance" in ctx.params:
        inv["auto_advance"] = forms.get_bool(ctx.params, "auto_advance", default=True)
    return billing.finalize(ctx, inv)


@route("POST", "/v1/invoices/{invoice}/pay")
def pay(ctx: Ctx, invoice: str) -> dict:
    inv = _load_invoice(ctx, invoice)
    p = ctx.params
    pm = None
    if p.get("payment_method"):
        from . import payment_methods

        pm = payment_methods.resolve(ctx, p["payment_method"])
    err = billing.pay(ctx, inv, pm=pm, out_of_band=forms.get_bool(p, "paid_out_of_band", default=False))
    if inv.get("subscription"):
        _sync_subscription(ctx, inv)
    if err is not None:
        raise Committed(err)
    return inv


def _sync_subscription(ctx: Ctx, inv: dict) -> None:
    sub = ctx.store.get(inv["subscription"], "subscription")
    if sub and inv["status"] == "paid" and sub["status"] in ("past_due", "unpaid", "incomplete"):
        ctx.changed("customer.subscription.updated", sub, {**sub, "status": "active"})


@route("POST", "/v1/invoices/{invoice}/send")
def send(ctx: Ctx, invoice: str) -> dict:
    return billing.send(ctx, _load_invoice(ctx, invoice))


@route("POST", "/v1/invoices/{invoice}/void")
def void(ctx: Ctx, invoice: str) -> dict:
    return billing.void(ctx, _load_invoice(ctx, invoice))


@route("POST", "/v1/invoices/{invoice}/mark_uncollectible")
def mark_uncollectible(ctx: Ctx, invoice: str) -> dict:
    inv = _load_invoice(ctx, invoice)
    if inv["status"] != "open":
        raise errors.invalid_request("You can only mark open invoices as uncollectible.", code="invoice_not_editable")
    before = dict(inv)
    inv.update(status="uncollectible", next_payment_attempt=None,
               status_transitions={**inv["status_transitions"], "marked_uncollectible_at": ctx.now})
    ctx.save(inv)
    ctx.emit("invoice.marked_uncollectible", inv, {"status": before["status"]})
    return inv


# -- previews -----------------------------------------------------------------------------------


@route("GET", "/v1/invoices/upcoming")
def upcoming(ctx: Ctx) -> dict:
    p = ctx.params
    return _preview(ctx, forms.get_str(p, "customer"), forms.get_str(p, "subscription"),
                    forms.get_list(p, "subscription_items"), forms.get_int(p, "subscription_proration_date"),
                    forms.get_str(p, "subscription_proration_behavior"), with_id=False)


@route("POST", "/v1/invoices/create_preview")
def create_preview(ctx: Ctx) -> dict:
    p = ctx.params
    coupons.reject_removed_params(p)
    details = forms.get_dict(p, "subscription_details") or {}
    return _preview(ctx, forms.get_str(p, "customer"), forms.get_str(p, "subscription"),
                    forms.get_list(details, "items"), forms.get_int(details, "proration_date"),
                    forms.get_str(details, "proration_behavior"), with_id=True)


def _preview(ctx: Ctx, customer_id, sub_id, changes, when, behavior, *, with_id: bool) -> dict:
    behavior = behavior or "create_prorations"
    if behavior not in BEHAVIORS:
        raise errors.invalid_param("proration_behavior", f"Invalid proration_behavior: {behavior}")
    when = when or ctx.now
    sub = None
    if sub_id:
        sub = ctx.load("subscription", sub_id, "subscription")
        customer_id = customer_id or sub["customer"]
    if not customer_id:
        raise errors.missing_param("customer")
    cust = ctx.load("customer", customer_id, "customer")
    if sub is None and not changes:
        sub = next((s for s in ctx.store.find("subscription", {"customer": customer_id})
                    if s["status"] in engine.LIVE), None)
    pending = [i for i in ctx.store.find("invoiceitem", {"customer": customer_id, "parent": None})
               if sub is None or i.get("subscription") in (None, sub["id"])]
    lines = [billing.line_from_item(ctx, i, None) for i in pending]
    reason = "upcoming"
    if sub is None and changes:  # preview of a brand-new subscription's first invoice
        from .subscriptions import _price

        items = [engine.new_item(ctx.new_id("si"), ctx.now, "sub_preview", _price(ctx, c.get("price"), f"items[{n}][price]"),
                                 forms.get_int(c, "quantity", default=1), (ctx.now, ctx.now)) for n, c in enumerate(changes)]
        sim = engine.build("sub_preview", ctx.now, customer_id, items, status="incomplete", period=(ctx.now, ctx.now))
        period = (ctx.now, billing.add_interval(ctx.now, *engine.interval_of(sim)))
        lines += engine.cycle_lines(ctx, sim, None, period)
        sub, reason = None, "subscription_create"
    elif sub is None or sub["status"] not in engine.LIVE or (sub["cancel_at_period_end"] and not changes):
        if not pending:
            raise errors.invalid_request(f"No upcoming invoices for customer: {customer_id}",
                                         code="invoice_upcoming_none", status=404)
        period = (ctx.now, ctx.now)
        sim = sub
    else:
        sim = copy.deepcopy(sub)
        period, extra = _subscription_preview(ctx, sim, changes, when, behavior)
        lines += extra
    discounts = engine.active_discounts(ctx, sim) if sim else []
    inv = billing.new_invoice(ctx, cust, currency=(lines[0]["currency"] if lines else cust.get("currency") or "usd"),
                              billing_reason=reason, period=period, subscription=sub,
                              collection_method=sub["collection_method"] if sub else "charge_automatically",
                              discounts=discounts, invoice_id="upcoming_in_" + ctx.new_id("x")[2:] if with_id else None)
    billing.set_lines(inv, lines)
    applied = inv["total"] + cust.get("balance", 0)
    inv.update(created=period[0], starting_balance=cust.get("balance", 0), amount_due=max(applied, 0),
               amount_remaining=max(applied, 0), ending_balance=min(applied, 0) if cust.get("balance") else None,
               next_payment_attempt=period[0] if inv["collection_method"] == "charge_automatically" else None)
    return shapes.public(inv)


def _subscription_preview(ctx: Ctx, sim: dict, changes: list, when: int, behavior: str):
    end = sim["current_period_end"]
    interval = engine.interval_of(sim)
    if not changes:
        period = (end, billing.add_interval(end, *interval))
        return period, engine.cycle_lines(ctx, sim, None, period)
    new_items, old, added = plan_items(ctx, sim, changes)
    engine.set_items(sim, new_items)
    reset = engine.interval_of(sim) != interval
    prorations = [] if behavior == "none" or sim["status"] == "trialing" else \
        engine.prorate(ctx, sim, old, [] if reset else added, when)
    lines = [billing.make_line(ctx, invoice_id=None, amount=pr.amount, currency=sim["currency"],
                               description=pr.description, period=pr.period, price=pr.price, quantity=pr.quantity,
                               subscription=sim["id"], si=pr.si, invoice_item=ctx.new_id("ii"), proration=True)
             for pr in prorations]
    if reset:
        period = (ctx.now, billing.add_interval(ctx.now, *engine.interval_of(sim)))
        engine.set_period(sim, period)
        return period, lines + engine.cycle_lines(ctx, sim, None, period)
    if behavior == "always_invoice":
        return (when, end), lines
    period = (end, billing.add_interval(end, *interval))
    engine.set_period(sim, period)
    return period, lines + engine.cycle_lines(ctx, sim, None, period)


# -- invoice items ------------------------------------------------------------------------------


@route("POST", "/v1/invoiceitems")
def create_item(ctx: Ctx) -> dict:
    p = ctx.params
    cust = ctx.load("customer", forms.get_str(p, "customer", required=True), "customer")
    price = None
    price_id = forms.get_str(p, "price") or (forms.get_dict(p, "pricing") or {}).get("price")
    quantity = forms.get_int(p, "quantity", default=1, minimum=1)
    if price_id:
        price = ctx.load("price", price_id, "price")
        amount, currency = price["unit_amount"] * quantity, price["currency"]
    else:
        unit = forms.get_int(p, "unit_amount")
        amount = unit * quantity if unit is not None else forms.get_int(p, "amount", required=True)
        currency = forms.get_str(p, "currency", required=True).lower()
    inv = None
    if forms.get_str(p, "invoice"):
        inv = _load_invoice(ctx, p["invoice"])
        if inv["status"] != "draft":
            raise errors.invalid_request("You can only add invoice items to draft invoices.",
                                         param="invoice", code="invoice_not_editable")
    sub_id = forms.get_str(p, "subscription")
    period = forms.get_dict(p, "period") or {}
    item = billing.new_invoice_item(
        ctx, customer=cust["id"], amount=amount, currency=currency,
        description=forms.get_str(p, "description") or "Invoice item", price=price, subscription=sub_id,
        period=(forms.get_int(period, "start", default=ctx.now), forms.get_int(period, "end", default=ctx.now)),
        invoice=inv["id"] if inv else None, quantity=quantity,
    )
    item["metadata"] = forms.merge_metadata({}, p)
    item["discountable"] = forms.get_bool(p, "discountable", default=True)
    ctx.save(item)
    ctx.emit("invoiceitem.created", item)
    if inv is not None:
        billing.set_lines(inv, inv["lines"]["data"] + [billing.line_from_item(ctx, item, inv["id"])])
        ctx.changed("invoice.updated", _load_invoice(ctx, inv["id"]), inv)
    return item


@route("GET", "/v1/invoiceitems/{invoiceitem}")
def retrieve_item(ctx: Ctx, invoiceitem: str) -> dict:
    return ctx.load("invoiceitem", invoiceitem)


@route("POST", "/v1/invoiceitems/{invoiceitem}")
def update_item(ctx: Ctx, invoiceitem: str) -> dict:
    before = ctx.load("invoiceitem", invoiceitem)
    after = {**before, "metadata": forms.merge_metadata(before.get("metadata"), ctx.params)}
    if "description" in ctx.params:
        after["description"] = ctx.params["description"] or None
    return ctx.changed("invoiceitem.updated", before, after) if after != before else before


@route("DELETE", "/v1/invoiceitems/{invoiceitem}")
def delete_item(ctx: Ctx, invoiceitem: str) -> dict:
    item = ctx.load("invoiceitem", invoiceitem)
    if item.get("invoice"):
        inv = _load_invoice(ctx, item["invoice"])
        if inv["status"] != "draft":
            raise errors.invalid_request("This invoice item is on a finalized invoice and cannot be deleted.",
                                         code="invoice_not_editable")
        billing.set_lines(inv, [ln for ln in inv["lines"]["data"] if ln.get("invoice_item") != invoiceitem])
        ctx.save(inv)
    ctx.store.delete(invoiceitem)
    ctx.emit("invoiceitem.deleted", item)
    return {"id": invoiceitem, "object": "invoiceitem", "deleted": True}


@route("GET", "/v1/invoiceitems")
def list_items(ctx: Ctx) -> dict:
    p = ctx.params
    where = {}
    if forms.get_str(p, "customer"):
        where["customer"] = p["customer"]
    if forms.get_str(p, "invoice"):
        where["parent"] = p["invoice"]
    elif forms.get_bool(p, "pending") is True:
        where["parent"] = None
    return list_objects(ctx, "invoiceitem", "/v1/invoiceitems", where=where)
