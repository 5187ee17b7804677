"""Invoice mechanics shared by subscriptions, the invoice endpoints and the test controls:
building invoices and line items, totals with discounts and customer balance, finalizing,
paying (through the payment engine), voiding and sending.

Invoices carry both the pre-2025 fields (``subscription``, ``charge``, ``payment_intent``,
``paid``) and the current ones (``parent.subscription_details``, ``payments``) so the old
spec and the current SDK both find what they read.
"""

from __future__ import annotations

import calendar
import datetime as dt

from .. import errors, shapes
from ..context import Ctx
from . import coupons, payments

shapes.register(
    "invoice",
    {
        "account_country": "US", "account_name": "Chargeside Sandbox", "account_tax_ids": None,
        "amount_overpaid": 0, "amount_paid": 0, "amount_shipping": 0, "application": None,
        "application_fee_amount": None, "attempt_count": 0, "attempted": False, "auto_advance": True,
        "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None, "provider": None,
                          "status": None},
        "automatically_finalizes_at": None, "charge": None, "collection_method": "charge_automatically",
        "confirmation_secret": None, "custom_fields": None, "customer_account": None,
        "customer_address": None, "customer_email": None, "customer_name": None,
        "customer_phone": None, "customer_shipping": None, "customer_tax_exempt": "none",
        "customer_tax_ids": [], "default_payment_method": None, "default_source": None,
        "default_tax_rates": [], "description": None, "discounts": [],
        "due_date": None, "effective_at": None, "ending_balance": None, "footer": None,
        "from_invoice": None, "hosted_invoice_url": None, "invoice_pdf": None,
        "issuer": {"type": "self"}, "last_finalization_error": None, "latest_revision": None,
        "metadata": {}, "next_payment_attempt": None, "number": None, "on_behalf_of": None,
        "paid": False, "paid_out_of_band": False, "parent": None, "payment_intent": None,
        "payment_settings": {"default_mandate": None, "payment_method_options": None,
                             "payment_method_types": None},
        "post_payment_credit_notes_amount": 0, "pre_payment_credit_notes_amount": 0, "quote": None,
        "receipt_number": None, "rendering": None, "shipping_cost": None, "shipping_details": None,
        "starting_balance": 0, "statement_descriptor": None, "subscription": None,
        "subscription_details": None, "tax": None, "test_clock": None,
        "total_discount_amounts": [], "total_pretax_credit_amounts": [], "total_tax_amounts": [],
        "total_taxes": [], "transfer_data": None, "webhooks_delivered_at": None,
    },
    nested=("lines", "payments"),
)

shapes.register(
    "line_item",
    {
        "discount_amounts": [], "discountable": True, "discounts": [],
        "metadata": {}, "pretax_credit_amounts": [], "proration": False,
        "proration_details": {"credited_items": None}, "quantity": 1, "tax_amounts": [],
        "tax_rates": [], "taxes": [], "type": "subscription",
    },
)

shapes.register(
    "invoice_payment",
    {"is_default": True, "payment": None, "status": "open",
     "status_transitions": {"canceled_at": None, "paid_at": None}},
)

shapes.register(
    "invoiceitem",
    {
        "discountable": True, "discounts": [], "invoice": None, "metadata": {}, "parent": None,
        "proration": False, "proration_details": {"credited_items": None}, "quantity": 1,
        "subscription": None, "tax_rates": [], "test_clock": None,
    },
    nested=("price",), created=False,
)


def add_interval(ts: int, interval: str, count: int = 1) -> int:
    if interval == "day":
        return ts + 86400 * count
    if interval == "week":
        return ts + 7 * 86400 * count
    months = count * (12 if interval == "year" else 1)
    d = dt.datetime.fromtimestamp(ts, dt.UTC)
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return int(d.replace(year=year, month=month, day=day).timestamp())


def _lines_list(invoice_id: str | None, lines: list[dict]) -> dict:
    return {"object": "list", "data": lines, "has_more": False, "total_count": len(lines),
            "url": f"/v1/invoices/{invoice_id}/lines" if invoice_id else "/v1/invoices/upcoming/lines"}


def make_line(ctx: Ctx, *, invoice_id: str | None, amount: int, currency: str, description: str,
              period: tuple[int, int], price: dict | None = None, quantity: int = 1,
              subscription: str | None = None, si: str | None = None, invoice_item: str | None = None,
              proration: bool = False) -> dict:
    kind = "invoiceitem" if invoice_item else "subscription"
    line_id = ctx.new_id("il")
    if invoice_item:
        parent = {"invoice_item_details": {"invoice_item": invoice_item, "proration": proration,
                                           "proration_details": {"credited_items": None},
                                           "subscription": subscription},
                  "subscription_item_details": None, "type": "invoice_item_details"}
    else:
        parent = {"invoice_item_details": None, "subscription_item_details": {
            "invoice_item": None, "proration": proration, "proration_details": {"credited_items": None},
            "subscription": subscription, "subscription_item": si}, "type": "subscription_item_details"}
    line = {
        "id": line_id, "object": "line_item", "amount": amount, "amount_excluding_tax": amount,
        "currency": currency, "description": description, "discount_amounts": [], "discountable": True,
        "discounts": [], "invoice": invoice_id, "livemode": False,
        "metadata": {}, "parent": parent, "period": {"end": period[1], "start": period[0]},
        "pretax_credit_amounts": [], "price": shapes.public(price) if price else None,
        "pricing": {"price_details": {"price": price["id"], "product": price["product"]} if price else None,
                    "type": "price_details", "unit_amount_decimal": str(price["unit_amount"]) if price else None},
        "proration": proration, "proration_details": {"credited_items": None}, "quantity": quantity,
        "subscription": subscription, "tax_amounts": [], "tax_rates": [],
        "taxes": [], "type": kind,
        "unit_amount_excluding_tax": str(price["unit_amount"]) if price else str(amount),
    }
    # Pre-2025 shape: only the reference that applies is present.
    if invoice_item:
        line["invoice_item"] = invoice_item
    if si:
        line["subscription_item"] = si
    return line


def line_from_item(ctx: Ctx, item: dict, invoice_id: str | None) -> dict:
    return make_line(ctx, invoice_id=invoice_id, amount=item["amount"], currency=item["currency"],
                     description=item["description"], period=(item["period"]["start"], item["period"]["end"]),
                     price=item.get("price"), quantity=item.get("quantity", 1),
                     subscription=item.get("subscription"), si=item.get("subscription_item"),
                     invoice_item=item["id"], proration=item.get("proration", False))


def new_invoice_item(ctx: Ctx, *, customer: str, amount: int, currency: str, description: str,
                     period: tuple[int, int], price: dict | None = None, subscription: str | None = None,
                     si: str | None = None, proration: bool = False, invoice: str | None = None,
                     quantity: int = 1) -> dict:
    item = shapes.defaults("invoiceitem")
    item.update(
        id=ctx.new_id("ii"), object="invoiceitem", date=ctx.now, amount=amount,
        currency=currency, customer=customer, description=description, invoice=invoice,
        period={"end": period[1], "start": period[0]}, price=shapes.public(price) if price else None,
        proration=proration, quantity=quantity, subscription=subscription,
        unit_amount=price["unit_amount"] if price else amount,
        unit_amount_decimal=str(price["unit_amount"] if price else amount),
        pricing={"price_details": {"price": price["id"], "product": price["product"]} if price else None,
                 "type": "price_details", "unit_amount_decimal": str(price["unit_amount"]) if price else None},
        parent={"subscription_details": {"subscription": subscription, "subscription_item": si},
                "type": "subscription_details"} if subscription else None,
    )
    if si:  # pre-2025 field, present only for subscription items
        item["subscription_item"] = si
    return item


def new_invoice(ctx: Ctx, customer: dict, *, currency: str, billing_reason: str,
                period: tuple[int, int], subscription: dict | None = None,
                collection_method: str = "charge_automatically", days_until_due: int | None = None,
                description: str | None = None, metadata: dict | None = None,
                discounts: list[dict] = (), invoice_id: str | None = "new") -> dict:
    """``discounts``: discount objects applied to the whole invoice, in order."""
    inv = shapes.defaults("invoice")
    object_id = ctx.new_id("in") if invoice_id == "new" else invoice_id
    inv.update(
        id=object_id, object="invoice", created=ctx.now, currency=currency, customer=customer["id"],
        billing_reason=billing_reason, collection_method=collection_method, status="draft",
        period_start=period[0], period_end=period[1], description=description, metadata=metadata or {},
        customer_email=customer.get("email"), customer_name=customer.get("name"),
        customer_phone=customer.get("phone"), customer_address=customer.get("address"),
        customer_shipping=customer.get("shipping"), customer_tax_exempt=customer.get("tax_exempt", "none"),
        days_until_due=days_until_due, payments=_payments_list(object_id, None),
        status_transitions={"finalized_at": None, "marked_uncollectible_at": None, "paid_at": None,
                            "voided_at": None},
    )
    if object_id is None:
        inv.pop("id")
    if subscription is not None:
        inv["subscription"] = subscription["id"]
        inv["subscription_details"] = {"metadata": subscription.get("metadata") or {}}
        inv["parent"] = {"quote_details": None, "type": "subscription_details",
                         "subscription_details": {"metadata": subscription.get("metadata") or {},
                                                  "subscription": subscription["id"]}}
        inv["default_payment_method"] = subscription.get("default_payment_method")
    if discounts:
        # Current shape: only ids (the singular ``discount`` left the Invoice in basil); the terms
        # needed to price them stay private to the fake.
        inv["discounts"] = [d["id"] for d in discounts]
        inv["_discounts"] = [coupons.terms(d) for d in discounts]
    set_lines(inv, [])
    return inv


def set_lines(inv: dict, lines: list[dict]) -> dict:
    subtotal = sum(line["amount"] for line in lines)
    offs = [(d, amount) for d, amount in coupons.amounts_off(inv.get("_discounts") or [], subtotal, inv["currency"])
            if amount]
    total = subtotal - sum(amount for _, amount in offs)
    inv.update(
        lines=_lines_list(inv.get("id"), lines), subtotal=subtotal, subtotal_excluding_tax=subtotal,
        total=total, total_excluding_tax=total, amount_due=max(total, 0),
        amount_remaining=max(total, 0) - inv.get("amount_paid", 0),
        total_discount_amounts=[{"amount": amount, "discount": d} for d, amount in offs],
    )
    return inv


def _payments_list(invoice_id, pi: dict | None, status: str = "open", paid: int | None = None) -> dict:
    data = []
    if pi is not None:
        data.append({
            "id": "inpay_" + pi["id"][3:], "object": "invoice_payment", "amount_paid": paid,
            "amount_requested": pi["amount"], "created": pi["created"], "currency": pi["currency"],
            "invoice": invoice_id, "is_default": True, "livemode": False,
            "payment": {"payment_intent": pi["id"], "type": "payment_intent"}, "status": status,
            "status_transitions": {"canceled_at": None, "paid_at": pi["created"] if status == "paid" else None},
        })
    return {"object": "list", "data": data, "has_more": False, "url": f"/v1/invoice_payments?invoice={invoice_id}"}


def finalize(ctx: Ctx, inv: dict) -> dict:
    if inv["status"] != "draft":
        raise errors.invalid_request("This invoice is already finalized, you can't re-finalize a non-draft invoice.",
                                     code="invoice_not_editable")
    cust = ctx.load("customer", inv["customer"], "customer")
    seq = cust.get("next_invoice_sequence", 1)
    before = dict(inv)
    applied = inv["total"] + cust.get("balance", 0)
    inv.update(
        status="open", number=f"{cust['invoice_prefix']}-{seq:04d}", effective_at=ctx.now,
        starting_balance=cust.get("balance", 0), amount_due=max(applied, 0),
        amount_remaining=max(applied, 0), ending_balance=min(applied, 0),
        hosted_invoice_url=f"https://invoice.stripe.com/i/acct_sandbox/test_{inv['id']}",
        invoice_pdf=f"https://pay.stripe.com/invoice/acct_sandbox/test_{inv['id']}/pdf",
        status_transitions={**inv["status_transitions"], "finalized_at": ctx.now},
        next_payment_attempt=ctx.now + 3600 if inv["collection_method"] == "charge_automatically" else None,
    )
    if inv["collection_method"] == "send_invoice":
        inv["due_date"] = ctx.now + 86400 * (inv.get("days_until_due") or 30)
    cust_after = {**cust, "next_invoice_sequence": seq + 1, "balance": min(applied, 0)}
    ctx.save(cust_after)
    if cust_after["balance"] != cust.get("balance", 0):
        ctx.emit("customer.updated", cust_after, {"balance": cust.get("balance", 0)})
    ctx.save(inv)
    ctx.emit("invoice.finalized", inv, {"status": before["status"], "number": None})
    if inv["amount_due"] == 0:
        _mark_paid(ctx, inv, None, None)
    return inv


def _mark_paid(ctx: Ctx, inv: dict, pi: dict | None, charge_id: str | None, out_of_band=False) -> None:
    inv.update(
        status="paid", paid=True, amount_paid=inv["amount_due"], amount_remaining=0,
        attempted=True, next_payment_attempt=None, paid_out_of_band=out_of_band,
        status_transitions={**inv["status_transitions"], "paid_at": ctx.now},
    )
    if pi is not None:
        inv.update(charge=charge_id, payment_intent=pi["id"],
                   payments=_payments_list(inv["id"], pi, "paid", inv["amount_due"]))
    ctx.save(inv)
    ctx.emit("invoice.paid", inv, {"status": "open", "paid": False})
    ctx.emit("invoice.payment_succeeded", inv)


def payment_method_for(ctx: Ctx, inv: dict, explicit: str | None = None) -> dict | None:
    from . import payment_methods

    if explicit:
        return payment_methods.resolve(ctx, explicit)
    pm_id = inv.get("default_payment_method")
    if not pm_id and inv.get("subscription"):
        sub = ctx.store.get(inv["subscription"], "subscription")
        pm_id = sub and sub.get("default_payment_method")
    if not pm_id:
        cust = ctx.store.get(inv["customer"], "customer")
        pm_id = cust and cust["invoice_settings"].get("default_payment_method")
    return ctx.store.get(pm_id, "payment_method") if pm_id else None


def no_payment_method(customer: str) -> errors.StripeError:
    return errors.invalid_request(
        "This customer has no attached payment source or default payment method. Please consider "
        "adding a default payment method. For more information, visit "
        "https://stripe.com/docs/billing/subscriptions/payment-methods-setting#payment-method-priority.",
    )


def pay(ctx: Ctx, inv: dict, *, pm: dict | None = None, force_decline: str | None = None,
        out_of_band: bool = False) -> errors.StripeError | None:
    """Attempt payment of an open invoice; returns the card error on a decline."""
    if inv["status"] == "draft":
        finalize(ctx, inv)
    if inv["status"] == "paid":
        return None
    if inv["status"] != "open":
        raise errors.invalid_request(f"Invoice is {inv['status']} and cannot be paid.", code="invoice_not_editable")
    if out_of_band:
        _mark_paid(ctx, inv, None, None, out_of_band=True)
        return None
    pm = pm or payment_method_for(ctx, inv)
    if pm is None:
        raise no_payment_method(inv["customer"])
    pi, err = payments.charge_customer(
        ctx, customer=inv["customer"], amount=inv["amount_due"], currency=inv["currency"], pm=pm,
        description="Subscription update" if inv.get("subscription") else f"Invoice {inv['number']}",
        force_decline=force_decline, invoice=inv["id"],
    )
    inv.update(attempt_count=inv["attempt_count"] + 1, attempted=True)
    if err is None:
        _mark_paid(ctx, inv, pi, pi["latest_charge"])
        return None
    inv.update(charge=pi["latest_charge"], payment_intent=pi["id"], next_payment_attempt=ctx.now + 3 * 86400,
               payments=_payments_list(inv["id"], pi, "open"))
    ctx.save(inv)
    ctx.emit("invoice.payment_failed", inv, {"attempt_count": inv["attempt_count"] - 1})
    cust = ctx.store.get(inv["customer"], "customer")
    if cust and not cust.get("delinquent"):
        ctx.changed("customer.updated", cust, {**cust, "delinquent": True})
    return err


def void(ctx: Ctx, inv: dict) -> dict:
    if inv["status"] not in ("open", "uncollectible"):
        raise errors.invalid_request(
            f"You can only void invoices that are open or uncollectible; this one is {inv['status']}.",
            code="invoice_not_editable" if inv["status"] == "draft" else None,
        )
    before = dict(inv)
    inv.update(status="void", amount_remaining=0, next_payment_attempt=None,
               status_transitions={**inv["status_transitions"], "voided_at": ctx.now})
    ctx.save(inv)
    ctx.emit("invoice.voided", inv, {"status": before["status"]})
    return inv


def send(ctx: Ctx, inv: dict) -> dict:
    if inv["collection_method"] != "send_invoice":
        raise errors.invalid_request(
            "You can only manually send an invoice if its collection method is 'send_invoice'."
        )
    if inv["status"] == "draft":
        finalize(ctx, inv)
    if inv["status"] != "open":
        raise errors.invalid_request(f"You can only send invoices that are open; this one is {inv['status']}.")
    ctx.emit("invoice.sent", inv)
    return inv


def collect_pending(ctx: Ctx, inv: dict, customer: str, subscription: str | None) -> list[dict]:
    """Attach pending invoice items (the subscription's and the customer's loose ones)."""
    lines = []
    for item in ctx.store.find("invoiceitem", {"customer": customer, "parent": None}):
        if item.get("subscription") in (None, subscription):
            item["invoice"] = inv["id"]
            ctx.save(item)
            lines.append(line_from_item(ctx, item, inv["id"]))
    return lines
