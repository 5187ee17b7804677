"""Builders and renderers of the fake's objects, in Recurly's v2021-02-25 wire shape.

Stored objects hold links as `_ids` (an invoice's line items and transactions, a subscription's coupon
redemptions); `render_*` expands them at answer time so every answer shows the current state. Minis
(AccountMini, InvoiceMini, PlanMini, CouponMini) are rendered from the live object too.
"""

from __future__ import annotations

from decimal import Decimal

from chargeside.core.money import exponent

# Test card tokens the fake accepts in `billing_info.token_id` (Recurly.js tokens in real life). The fake never
# sees or stores a card number: a token names a brand, last four digits and expiry, and how charges go.
TOKENS = {
    "tok_visa": ("Visa", "411111", "1111", None),
    "tok_mastercard": ("MasterCard", "555555", "4444", None),
    "tok_amex": ("American Express", "378282", "0005", None),
    "tok_chargeDeclinedInsufficientFunds": ("Visa", "400000", "9995", "insufficient_funds"),
    "tok_chargeDeclined": ("Visa", "400000", "0002", "declined"),
    "tok_chargeDeclinedExpiredCard": ("Visa", "400000", "0069", "expired_card"),
}
DECLINE_MESSAGES = {
    "insufficient_funds": "The transaction was declined due to insufficient funds in your account. Please use a different card or contact your bank.",
    "declined": "Your transaction was declined. Please use a different card or contact your bank.",
    "expired_card": "Your credit card is expired, please update your card.",
}


def money(value, currency: str) -> Decimal:
    """An amount rounded to the currency's places (what Recurly stores)."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-exponent(currency)))


def account_mini(account: dict) -> dict:
    return {k: account.get(k) for k in ("id", "object", "code", "email", "first_name", "last_name", "company",
                                        "parent_account_id", "bill_to", "dunning_campaign_id")} | {"object": "account"}


def billing_info(fake, account: dict, token: str, now: str, first_name: str = "", last_name: str = "") -> dict:
    brand, first_six, last_four, _ = TOKENS[token]
    return {
        "id": fake.store.new_id(), "object": "billing_info", "account_id": account["id"],
        "first_name": first_name or account.get("first_name"), "last_name": last_name or account.get("last_name"),
        "company": account.get("company"), "valid": True, "primary_payment_method": True, "backup_payment_method": False,
        "payment_method": {"object": "credit_card", "card_type": brand, "first_six": first_six, "last_four": last_four,
                           "exp_month": 12, "exp_year": 2030},
        "created_at": now, "updated_at": now, "_token": token,
    }


def render_account(fake, account: dict) -> dict:
    subs = fake.store.find("subscription", _account=account["id"])
    out = dict(account)
    out["has_live_subscription"] = any(s["state"] in ("active", "canceled", "future", "paused") for s in subs)
    out["has_active_subscription"] = any(s["state"] == "active" for s in subs)
    out["has_future_subscription"] = any(s["state"] == "future" for s in subs)
    out["has_canceled_subscription"] = any(s["state"] == "canceled" for s in subs)
    out["has_paused_subscription"] = any(s["state"] == "paused" for s in subs)
    out["has_past_due_invoice"] = any(i["state"] == "past_due" for i in fake.store.find("invoice", _account=account["id"]))
    bi = fake.store.find_one("billing_info", account_id=account["id"])
    out["billing_info"] = bi
    return out


def invoice_mini(invoice: dict | None) -> dict | None:
    if invoice is None:
        return None
    return {"id": invoice["id"], "object": "invoice", "number": invoice["number"], "type": invoice["type"], "state": invoice["state"]}


def render_transaction(fake, tx: dict) -> dict:
    out = dict(tx)
    out["account"] = account_mini(fake.store.get("account", tx["_account"]))
    out["invoice"] = invoice_mini(fake.store.get("invoice", tx.get("_invoice") or ""))
    return out


def render_line_item(fake, item: dict) -> dict:
    out = dict(item)
    out["account"] = account_mini(fake.store.get("account", item["_account"]))
    return out


def render_invoice(fake, invoice: dict) -> dict:
    out = dict(invoice)
    out["account"] = account_mini(fake.store.get("account", invoice["_account"]))
    out["line_items"] = [render_line_item(fake, fake.store.get("line_item", i)) for i in invoice["_line_items"]]
    out["transactions"] = [render_transaction(fake, fake.store.get("transaction", t)) for t in invoice["_transactions"]]
    return out


def plan_mini(plan: dict) -> dict:
    return {"id": plan["id"], "object": "plan", "code": plan["code"], "name": plan["name"]}


def coupon_mini(coupon: dict) -> dict:
    return {k: coupon.get(k) for k in ("id", "object", "code", "name", "state", "discount", "coupon_type", "expired_at")}


def render_redemption(fake, redemption: dict, mini: bool = False) -> dict:
    coupon = fake.store.get("coupon", redemption["_coupon"])
    if mini:
        return {k: redemption.get(k) for k in ("id", "object", "state", "discounted", "created_at")} | {"coupon": coupon_mini(coupon)}
    out = dict(redemption)
    out["account"] = account_mini(fake.store.get("account", redemption["_account"]))
    out["coupon"] = coupon
    return out


def render_subscription(fake, sub: dict) -> dict:
    out = dict(sub)
    out["account"] = account_mini(fake.store.get("account", sub["_account"]))
    out["plan"] = plan_mini(fake.store.get("plan", sub["_plan"]))
    out["coupon_redemptions"] = [render_redemption(fake, r, mini=True) for r in fake.store.find("coupon_redemption", subscription_id=sub["id"])]
    return out
