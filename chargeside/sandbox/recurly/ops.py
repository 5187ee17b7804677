"""What happens at Recurly when money or a subscription moves: shared by the API handlers, the controls and
the seeder, so every path makes the same objects and sends the same notifications. Callers hold the store lock.

- A purchase makes a line item, a charge invoice and a purchase transaction: paid, or declined (the
  transaction is kept with its decline code and message; the invoice is `failed`).
- A refund makes a credit invoice (negative credit line, `customer_notes` = the request's
  `credit_customer_notes`, `previous_invoice_id` = the charge invoice) and a refund transaction
  (`original_transaction_id` = the purchase), lowers the charge invoice's `refundable_amount` and marks the
  purchase `refunded`. Over-refunds are refused with Recurly's validation error.
- Subscriptions start `active` (billing the first period now), in trial (nothing billed until the trial
  ends), or `future`; cancel makes them `canceled` with `expires_at` at the term's end; terminate makes
  them `expired` now, optionally refunding the last invoice fully or for the unused time.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal

from .errors import ApiError, declined, validation
from .objects import DECLINE_MESSAGES, TOKENS, billing_info, money
from .store import iso, parse_iso


def add_interval(at: float, unit: str, length: int) -> float:
    start = dt.datetime.fromtimestamp(int(at), dt.UTC)
    if unit == "days":
        return (start + dt.timedelta(days=length)).timestamp()
    month = start.month - 1 + length
    year, month = start.year + month // 12, month % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day).timestamp()


def create_account(fake, *, code: str, email: str = "", first_name: str = "", last_name: str = "", company: str = "",
                   preferred_locale: str | None = None, token: str = "", at: float | None = None) -> dict:
    store = fake.store
    if store.find_one("account", code=code):
        raise validation("code", "has already been taken", "Code has already been taken")
    now = fake.clock.iso(at)
    account = store.add("account", {
        "id": store.new_id(), "object": "account", "state": "active", "code": code, "email": email or None,
        "first_name": first_name or None, "last_name": last_name or None, "company": company or None,
        "preferred_locale": preferred_locale, "bill_to": "self", "tax_exempt": False, "created_at": now, "updated_at": now,
        "deleted_at": None, "cc_emails": None, "vat_number": None, "parent_account_id": None, "dunning_campaign_id": None,
    })
    fake.notify("account", "created", account["id"], account_code=code)
    if token:
        set_billing_info(fake, account, token, at=at)
    return account


def set_billing_info(fake, account: dict, token: str, at: float | None = None) -> dict:
    if token not in TOKENS:
        raise validation("token_id", "is invalid", "Token is invalid or expired")
    old = fake.store.find_one("billing_info", account_id=account["id"])
    info = billing_info(fake, account, token, fake.clock.iso(at))
    if old:
        info["id"], info["created_at"] = old["id"], old["created_at"]
    fake.store.objects.setdefault("billing_info", {}).pop(old["id"] if old else "", None)
    fake.store.add("billing_info", info)
    fake.notify("billing_info", "updated", account["id"], account_code=account["code"])
    return info


def _line_item(fake, account, invoice, *, amount: Decimal, currency: str, description: str, origin: str, now: str,
               quantity: int = 1, plan: dict | None = None, sub: dict | None = None, start=None, end=None, credit_of: dict | None = None) -> dict:
    store = fake.store
    credit = amount < 0
    return store.add("line_item", {
        "id": store.new_id(), "object": "line_item", "uuid": store.new_uuid(), "type": "credit" if credit else "charge",
        "state": "invoiced", "legacy_category": "credit" if credit else "charge", "_account": account["id"],
        "subscription_id": sub["id"] if sub else None, "plan_id": plan["id"] if plan else None, "plan_code": plan["code"] if plan else None,
        "invoice_id": invoice["id"], "invoice_number": invoice["number"], "origin": origin, "currency": currency,
        "amount": amount, "description": description, "quantity": quantity, "unit_amount": money(amount / quantity, currency),
        "subtotal": amount, "discount": Decimal(0), "tax": Decimal(0), "taxable": False, "tax_exempt": False,
        "proration_rate": None, "refund": credit, "refunded_quantity": 0, "credit_applied": Decimal(0),
        "start_date": start or now, "end_date": end, "created_at": now, "updated_at": now,
        "previous_line_item_id": credit_of["id"] if credit_of else None,
        "original_line_item_invoice_id": credit_of["invoice_id"] if credit_of else None,
    })


def _invoice(fake, account, *, type_: str, origin: str, currency: str, now: str, sub: dict | None = None, notes: str = "",
             previous: dict | None = None) -> dict:
    store = fake.store
    return store.add("invoice", {
        "id": store.new_id(), "uuid": store.new_uuid(), "object": "invoice", "type": type_, "origin": origin, "state": "pending",
        "_account": account["id"], "subscription_ids": [sub["id"]] if sub else [], "previous_invoice_id": previous["id"] if previous else None,
        "number": str(next(store.invoice_numbers)), "collection_method": "automatic", "net_terms": 0, "net_terms_type": "net",
        "currency": currency, "discount": Decimal(0), "subtotal": Decimal(0), "tax": Decimal(0), "total": Decimal(0),
        "refundable_amount": Decimal(0), "paid": Decimal(0), "balance": Decimal(0), "customer_notes": notes or None,
        "has_more_line_items": False, "credit_payments": [], "created_at": now, "updated_at": now, "due_at": now, "closed_at": None,
        "_line_items": [], "_transactions": [],
    })


def _transaction(fake, account, *, type_: str, amount: Decimal, currency: str, now: str, invoice: dict | None, status: str = "success",
                 original: dict | None = None, sub_ids: list[str] | None = None, decline: str | None = None, description: str = "") -> dict:
    store = fake.store
    info = store.find_one("billing_info", account_id=account["id"])
    tx = store.add("transaction", {
        "id": store.new_id(), "object": "transaction", "uuid": store.new_uuid(),
        "original_transaction_id": original["id"] if original else None, "subscription_ids": sub_ids or [],
        "type": type_, "origin": "api", "currency": currency, "amount": amount, "status": status, "success": status == "success",
        "backup_payment_method_used": False, "refunded": False, "collection_method": "automatic",
        "payment_method": dict(info["payment_method"]) if info else None,
        "status_code": decline, "status_message": DECLINE_MESSAGES.get(decline or "") if decline else "Transaction Normal",
        "customer_message": DECLINE_MESSAGES.get(decline or "") if decline else None,
        "gateway_message": "Declined" if decline else "Approved", "description": description or None,
        "created_at": now, "updated_at": now, "voided_at": None, "collected_at": now if status == "success" else None,
        "_account": account["id"], "_invoice": invoice["id"] if invoice else None,
    })
    if invoice is not None:
        invoice["_transactions"].append(tx["id"])
    return tx


def purchase(fake, account: dict, amount, currency: str, *, description: str = "One-time charge", origin: str = "purchase",
             sub: dict | None = None, plan: dict | None = None, period: tuple[str, str] | None = None, at: float | None = None,
             decline: str | None = None, raise_on_decline: bool = False) -> tuple[dict, dict]:
    """Bill `amount` now on the account's card: (invoice, transaction)."""
    currency = currency.upper()
    amount = money(amount, currency)
    info = fake.store.find_one("billing_info", account_id=account["id"])
    if info is None:
        raise validation("billing_info", "can't be blank", "Account has no billing information")
    decline = decline or TOKENS[info["_token"]][3]
    now = fake.clock.iso(at)
    invoice = _invoice(fake, account, type_="charge", origin=origin, currency=currency, now=now, sub=sub)
    item = _line_item(fake, account, invoice, amount=amount, currency=currency, description=description, now=now,
                      origin="plan" if plan else "one_time", plan=plan, sub=sub, start=period[0] if period else None, end=period[1] if period else None)
    invoice["_line_items"].append(item["id"])
    invoice.update(subtotal=amount, total=amount)
    tx = _transaction(fake, account, type_="purchase", amount=amount, currency=currency, now=now, invoice=invoice,
                      status="declined" if decline else "success", sub_ids=[sub["id"]] if sub else [], decline=decline, description=description)
    if decline:
        invoice.update(state="failed", balance=amount, closed_at=now)
        fake.notify("charge_invoice", "created", invoice["id"], uuid=invoice["uuid"])
        fake.notify("payment", "failed", tx["id"], uuid=tx["uuid"])
        if raise_on_decline:
            raise declined(tx, decline, DECLINE_MESSAGES.get(decline, "The transaction was declined."))
    else:
        invoice.update(state="paid", paid=amount, refundable_amount=amount, closed_at=now)
        fake.notify("charge_invoice", "created", invoice["id"], uuid=invoice["uuid"])
        fake.notify("payment", "succeeded", tx["id"], uuid=tx["uuid"])
        fake.notify("charge_invoice", "paid", invoice["id"], uuid=invoice["uuid"])
    return invoice, tx


def refund(fake, invoice: dict, amount=None, *, notes: str = "", method: str = "transaction_first", at: float | None = None,
           origin: str = "refund") -> dict:
    """Refund `amount` (None: everything refundable) of a paid charge invoice: the credit invoice."""
    store = fake.store
    currency = invoice["currency"]
    if invoice["type"] != "charge" or invoice["state"] not in ("paid", "closed"):
        raise validation("invoice", "is not refundable", "Only paid charge invoices can be refunded")
    amount = invoice["refundable_amount"] if amount is None else money(amount, currency)
    if amount <= 0:
        raise validation("amount", "must be greater than zero", "Amount must be greater than zero")
    if amount > invoice["refundable_amount"]:
        raise validation("amount", f"cannot be more than the refundable amount of {invoice['refundable_amount']}",
                         f"Amount cannot be more than the refundable amount of {invoice['refundable_amount']} {currency}")
    purchase_tx = next((store.get("transaction", t) for t in invoice["_transactions"]
                        if store.get("transaction", t)["type"] in ("purchase", "capture") and store.get("transaction", t)["status"] == "success"), None)
    account = store.get("account", invoice["_account"])
    now = fake.clock.iso(at)
    credit = _invoice(fake, account, type_="credit", origin=origin, currency=currency, now=now, notes=notes, previous=invoice,
                      sub={"id": invoice["subscription_ids"][0]} if invoice["subscription_ids"] else None)
    first_line = store.get("line_item", invoice["_line_items"][0]) if invoice["_line_items"] else None
    item = _line_item(fake, account, credit, amount=-amount, currency=currency, now=now, origin="credit",
                      description=f"Refund of invoice #{invoice['number']}", credit_of=first_line)
    credit["_line_items"].append(item["id"])
    credit.update(subtotal=-amount, total=-amount, state="closed", closed_at=now)
    if purchase_tx is not None and method != "all_credit":
        _transaction(fake, account, type_="refund", amount=amount, currency=currency, now=now, invoice=credit, original=purchase_tx,
                     sub_ids=invoice["subscription_ids"], description=notes)
        purchase_tx.update(refunded=True, updated_at=now)
    invoice.update(refundable_amount=invoice["refundable_amount"] - amount, updated_at=now)
    fake.notify("credit_invoice", "created", credit["id"], uuid=credit["uuid"])
    if credit["_transactions"]:
        refund_tx = store.get("transaction", credit["_transactions"][0])
        fake.notify("payment", "refunded", refund_tx["id"], uuid=refund_tx["uuid"])
    return credit


def subscribe(fake, account: dict, plan: dict, currency: str, *, quantity: int = 1, trial_ends_at: float | None = None,
              starts_at: float | None = None, coupons: list[dict] = (), notes: str = "", at: float | None = None,
              raise_on_decline: bool = True) -> dict:
    store = fake.store
    currency = currency.upper()
    price = next((p for p in plan["currencies"] if p["currency"] == currency), None)
    if price is None:
        raise validation("currency", "is not valid for this plan", f"Plan {plan['code']} has no price in {currency}")
    if quantity < 1:
        raise validation("quantity", "must be greater than 0")
    start = fake.clock.now() if at is None else at
    now = iso(start)
    if starts_at and starts_at > start:
        state, period_start, period_end = "future", starts_at, add_interval(starts_at, plan["interval_unit"], plan["interval_length"])
    elif trial_ends_at:
        state, period_start, period_end = "active", start, trial_ends_at
    else:
        state, period_start, period_end = "active", start, add_interval(start, plan["interval_unit"], plan["interval_length"])
    unit = price["unit_amount"]
    info = store.find_one("billing_info", account_id=account["id"])
    sub = {
        "id": store.new_id(), "object": "subscription", "uuid": store.new_uuid(), "_account": account["id"], "_plan": plan["id"],
        "state": state, "current_period_started_at": iso(period_start), "current_period_ends_at": iso(period_end),
        "current_term_started_at": iso(period_start), "current_term_ends_at": iso(period_end),
        "trial_started_at": now if trial_ends_at else None, "trial_ends_at": iso(trial_ends_at) if trial_ends_at else None,
        "remaining_billing_cycles": None, "total_billing_cycles": None, "renewal_billing_cycles": None, "auto_renew": True,
        "paused_at": None, "remaining_pause_cycles": None, "currency": currency, "unit_amount": unit, "tax_inclusive": False,
        "quantity": quantity, "add_ons": [], "add_ons_total": Decimal(0), "subtotal": unit * quantity, "tax": Decimal(0),
        "total": unit * quantity, "collection_method": "automatic", "net_terms": 0, "net_terms_type": "net",
        "customer_notes": notes or None, "expiration_reason": None, "created_at": now, "updated_at": now,
        "activated_at": iso(period_start) if state == "active" else None, "canceled_at": None, "expires_at": None,
        "billing_info_id": info["id"] if info else None, "active_invoice_id": None, "started_with_gift": False, "converted_at": None,
    }
    total = unit * quantity
    for coupon in coupons:
        discount = coupon["discount"]
        off = money(total * Decimal(discount["percent"]) / 100, currency) if discount["type"] == "percent" else \
            next((c["amount"] for c in discount.get("currencies") or [] if c["currency"] == currency), Decimal(0))
        total = max(Decimal(0), total - off)
    if state == "active" and not trial_ends_at and total > 0:
        invoice, tx = purchase(fake, account, total, currency, description=f"{plan['name']} subscription", origin="purchase",
                               sub=sub, plan=plan, period=(sub["current_period_started_at"], sub["current_period_ends_at"]), at=at,
                               raise_on_decline=raise_on_decline)
        sub["active_invoice_id"] = invoice["id"]
        if tx["status"] != "success":
            sub["state"] = "failed"
    store.add("subscription", sub)
    for coupon in coupons:
        redeem(fake, account, coupon, subscription_id=sub["id"], at=at)
    fake.notify("subscription", "created", sub["id"], uuid=sub["uuid"])
    return sub


def cancel(fake, sub: dict, timeframe: str = "term_end") -> dict:
    if timeframe not in ("term_end", "bill_date"):
        raise validation("timeframe", "is not included in the list")
    if sub["state"] in ("expired", "failed"):
        raise ApiError("immutable_subscription", f"Subscription {sub['id']} is {sub['state']} and cannot be changed.")
    if sub["state"] == "canceled":
        raise ApiError("bad_request", "The subscription is already canceled.")
    now = fake.clock.iso()
    ends = sub["current_period_ends_at"] if timeframe == "bill_date" else sub["current_term_ends_at"]
    sub.update(state="canceled", canceled_at=now, expires_at=ends, updated_at=now, auto_renew=False)
    fake.notify("subscription", "canceled", sub["id"], uuid=sub["uuid"])
    return sub


def terminate(fake, sub: dict, refund_kind: str = "none") -> dict:
    if refund_kind not in ("full", "partial", "none"):
        raise validation("refund", "is not included in the list")
    if sub["state"] in ("expired", "failed"):
        raise ApiError("immutable_subscription", f"Subscription {sub['id']} is {sub['state']} and cannot be changed.")
    now_ts = fake.clock.now()
    now = iso(now_ts)
    if refund_kind != "none" and sub.get("active_invoice_id"):
        invoice = fake.store.get("invoice", sub["active_invoice_id"])
        if invoice and invoice["state"] == "paid" and invoice["refundable_amount"] > 0:
            amount = invoice["refundable_amount"]
            if refund_kind == "partial":
                start, end = parse_iso(sub["current_period_started_at"]), parse_iso(sub["current_period_ends_at"])
                share = Decimal(str(max(0.0, min(1.0, (end - now_ts) / (end - start))))) if end > start else Decimal(0)
                amount = min(amount, (invoice["total"] * share).quantize(Decimal(1).scaleb(invoice["total"].as_tuple().exponent), ROUND_HALF_EVEN))
            if amount > 0:
                refund(fake, invoice, amount, origin="termination")
    sub.update(state="expired", canceled_at=sub["canceled_at"] or now, expires_at=now, updated_at=now, expiration_reason="terminated",
               current_period_ends_at=now, auto_renew=False)
    fake.notify("subscription", "expired", sub["id"], uuid=sub["uuid"])
    return sub


def redeem(fake, account: dict, coupon: dict, *, subscription_id: str | None = None, currency: str | None = None, at: float | None = None) -> dict:
    store = fake.store
    if coupon["state"] != "redeemable":
        raise validation("coupon_id", f"is {coupon['state']}", f"Coupon {coupon['code']} is not redeemable ({coupon['state']})")
    active = [r for r in store.find("coupon_redemption", _account=account["id"], _coupon=coupon["id"], state="active")
              if r.get("subscription_id") == subscription_id]
    if active:
        raise validation("coupon_id", "has already been redeemed", f"Coupon {coupon['code']} has already been redeemed on this account")
    now = fake.clock.iso(at)
    redemption = store.add("coupon_redemption", {
        "id": store.new_id(), "object": "coupon_redemption", "_account": account["id"], "_coupon": coupon["id"],
        "subscription_id": subscription_id, "state": "active", "currency": (currency or "USD").upper(), "discounted": Decimal(0),
        "created_at": now, "updated_at": now, "removed_at": None,
    })
    fake.notify("account", "updated", account["id"], account_code=account["code"])
    return redemption
