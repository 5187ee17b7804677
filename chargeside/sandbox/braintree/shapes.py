"""Store rows → the element trees Braintree answers with (rendered by wire.py).

Field names and nesting are the ones the SDK's resource classes read (braintree 4.48.0: Transaction reads
`customer` → customer_details and `credit-card` → credit_card_details; CreditCard needs `expired`;
Customer lists `credit-cards` with each card's `subscriptions`; Dispute reads `transaction`).
Card data is only what Braintree itself returns: brand, BIN, last four, expiry (no masked number: the SDK
computes it, and a `masked-number` element crashes CreditCard, whose property has no setter).
"""

from __future__ import annotations

import datetime as dt

from .wire import Array


def card(store, c: dict, *, with_subscriptions: bool = True) -> dict:
    today = store.now().date()
    expired = (int(c["expiration_year"]), int(c["expiration_month"])) < (today.year, today.month)
    out = {
        "token": c["token"], "customer_id": c["customer_id"], "card_type": c["card_type"], "bin": c["bin"], "last_4": c["last_4"],
        "expiration_month": c["expiration_month"],
        "expiration_year": c["expiration_year"], "expired": expired, "default": c["default"], "cardholder_name": None,
        "unique_number_identifier": f"u{c['token']}", "image_url": "https://assets.braintreegateway.com/payment_method_logo/visa.png",
        "created_at": c["created_at"], "updated_at": c["updated_at"],
    }
    if with_subscriptions:
        subs = [s for s in store.state.subscriptions.values() if s["payment_method_token"] == c["token"]]
        out["subscriptions"] = Array("subscription", [subscription(store, s) for s in subs])
    return out


def customer(store, c: dict) -> dict:
    cards = [card(store, x) for x in store.state.cards.values() if x["customer_id"] == c["id"]]
    return {
        "id": c["id"], "merchant_id": store.state.merchant_id, "first_name": c["first_name"], "last_name": c["last_name"],
        "company": c["company"], "email": c["email"], "phone": c["phone"], "fax": None, "website": None,
        "created_at": c["created_at"], "updated_at": c["updated_at"], "credit_cards": Array("credit_card", cards),
        "addresses": Array("address", []), "paypal_accounts": Array("paypal_account", []),
    }


def transaction(store, t: dict) -> dict:
    c = store.state.customers.get(t["customer_id"], {})
    cc = store.state.cards.get(t["token"])
    return {
        "id": t["id"], "status": t["status"], "type": t["type"], "currency_iso_code": t["currency_iso_code"], "amount": t["amount"],
        "merchant_account_id": t["merchant_account_id"], "order_id": t["order_id"], "created_at": t["created_at"],
        "updated_at": t["updated_at"], "customer": {"id": c.get("id"), "first_name": c.get("first_name"), "last_name": c.get("last_name"),
                                                  "email": c.get("email"), "company": c.get("company"), "phone": c.get("phone")},
        "credit_card": card(store, cc, with_subscriptions=False) if cc else {},
        "refund_ids": Array("item", list(t["refund_ids"])), "refunded_transaction_id": t["refunded_transaction_id"],
        "refund_id": None, "settlement_batch_id": None, "processor_response_code": t["processor_response_code"],
        "processor_response_text": t["processor_response_text"], "processor_response_type": t["processor_response_type"],
        "processor_authorization_code": None if t["status"] in ("processor_declined", "failed", "gateway_rejected") else "A1B2C3",
        "gateway_rejection_reason": t["gateway_rejection_reason"], "subscription_id": t["subscription_id"],
        "payment_instrument_type": "credit_card", "recurring": bool(t["subscription_id"]),
        "status_history": Array("status_event", [{"timestamp": e["timestamp"], "status": e["status"], "amount": e["amount"],
                                                  "user": "chargeside", "transaction_source": "api"} for e in t["status_history"]]),
        "disputes": Array("dispute", [dispute(store, store.state.disputes[d], embedded=True) for d in t["disputes"]]),
        "add_ons": Array("add_on", []), "discounts": Array("discount", []),
    }


def subscription(store, s: dict) -> dict:
    txs = [store.state.transactions[t] for t in s["transaction_ids"]]
    return {
        "id": s["id"], "plan_id": s["plan_id"], "price": s["price"], "status": s["status"], "payment_method_token": s["payment_method_token"],
        "merchant_account_id": s["merchant_account_id"], "currency_iso_code": s["currency_iso_code"], "balance": s["balance"],
        "billing_day_of_month": s["first_billing_date"].day, "billing_period_start_date": s["billing_period_start_date"],
        "billing_period_end_date": s["billing_period_end_date"], "first_billing_date": s["first_billing_date"],
        "next_billing_date": s["next_billing_date"], "paid_through_date": s["paid_through_date"],
        "next_billing_period_amount": store.subscription_charge(s), "current_billing_cycle": s["current_billing_cycle"],
        "days_past_due": s["days_past_due"], "failure_count": s["failure_count"], "trial_period": s["trial_period"],
        "trial_duration": s["trial_duration"], "trial_duration_unit": s["trial_duration_unit"], "never_expires": s["never_expires"],
        "number_of_billing_cycles": s["number_of_billing_cycles"], "created_at": s["created_at"], "updated_at": s["updated_at"],
        "description": None, "discounts": Array("discount", [modification(d) for d in s["discounts"]]), "add_ons": Array("add_on", []),
        "status_history": Array("status_event", list(s["status_history"])),
        "transactions": Array("transaction", [transaction(store, t) for t in txs]),
    }


def modification(m: dict) -> dict:
    return {"id": m["id"], "name": m["name"], "description": m["description"], "kind": m["kind"], "amount": m["amount"],
            "never_expires": m["never_expires"], "number_of_billing_cycles": m["number_of_billing_cycles"],
            "quantity": m.get("quantity", 1), "current_billing_cycle": m.get("current_billing_cycle"),
            "created_at": m["created_at"], "updated_at": m["updated_at"]}


def plan(store, p: dict) -> dict:
    return {**{k: p[k] for k in ("id", "name", "description", "price", "currency_iso_code", "billing_frequency", "merchant_account_id",
                                  "trial_period", "trial_duration", "trial_duration_unit", "number_of_billing_cycles",
                                  "billing_day_of_month", "created_at", "updated_at")},
            "add_ons": Array("add_on", []), "discounts": Array("discount", [])}


def dispute(store, d: dict, *, embedded: bool = False) -> dict:
    t = store.state.transactions[d["transaction_id"]]
    out = {
        "id": d["id"], "amount": d["amount_disputed"], "amount_disputed": d["amount_disputed"], "amount_won": None,
        "currency_iso_code": d["currency_iso_code"], "status": d["status"], "reason": d["reason"], "kind": d["kind"],
        "case_number": d["case_number"], "received_date": d["received_date"], "reply_by_date": d["reply_by_date"],
        "merchant_account_id": d["merchant_account_id"], "created_at": d["created_at"], "updated_at": d["updated_at"],
        "protection_level": None,
        "status_history": Array("status_history", [dict(e) for e in d["status_history"]]),
    }
    if not embedded:
        out["transaction"] = {"id": t["id"], "amount": t["amount"], "created_at": t["created_at"], "order_id": t["order_id"],
                              "payment_instrument_subtype": "Visa", "purchase_order_number": None}
    return out


def errors_tree(errors: list[tuple[tuple[str, ...], str, str, str]]) -> dict:
    """Nested <errors>: each object level has its own `<errors type="array">`, children per nested object."""
    root: dict = {"errors": Array("error", [])}
    for path, attribute, code, message in errors:
        node = root
        for part in path:
            node = node.setdefault(part, {"errors": Array("error", [])})
        node["errors"].items.append({"code": code, "attribute": attribute, "message": message})
    return root


def today(store) -> dt.date:
    return store.now().date()
