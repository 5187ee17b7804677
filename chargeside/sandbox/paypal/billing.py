"""Catalog products, billing plans and subscriptions, invoicing v2 and disputes on the store.

Subscription statuses: APPROVAL_PENDING, APPROVED, ACTIVE, SUSPENDED, CANCELLED, EXPIRED; cancel needs a
`reason` (400 otherwise), only ACTIVE or SUSPENDED subscriptions cancel (422 SUBSCRIPTION_STATUS_INVALID), and
cancelling is immediate (PayPal has no cancel-at-period-end). Invoices: DRAFT → send → SENT (or UNPAID);
`remind` works on sent, unpaid invoices; sending anything but a DRAFT/SCHEDULED one is 422.
"""

from __future__ import annotations

import datetime as dt
import secrets

from .errors import invalid, not_found, unprocessable
from .money import minor, money
from .store import MERCHANT_ID
from .payments import API, _link
from .store import Store, paypal_id

INTERVALS = {"day": "DAY", "week": "WEEK", "month": "MONTH", "year": "YEAR"}
SECONDS = {"DAY": 86400, "WEEK": 7 * 86400, "MONTH": 30 * 86400, "YEAR": 365 * 86400}


def create_product(store: Store, *, name: str, description: str = "") -> dict:
    now = store.clock.iso()
    product_id = "PROD-" + paypal_id(17)
    product = {"id": product_id, "name": name, "type": "SERVICE", "create_time": now, "update_time": now,
               "links": [_link(f"{API}/v1/catalogs/products/{product_id}", "self"),
                         _link(f"{API}/v1/catalogs/products/{product_id}", "edit", "PATCH")]}
    if description:
        product["description"] = description
    store.products[product_id] = product
    return product


def create_plan(store: Store, *, product_id: str, name: str, amount: int, currency: str, interval: str = "month",
                interval_count: int = 1, status: str = "ACTIVE") -> dict:
    if product_id not in store.products:
        raise invalid("/product_id", "INVALID_PARAMETER_VALUE", "The specified product does not exist.")
    now = store.clock.iso()
    plan_id = "P-" + paypal_id(24)
    plan = {"id": plan_id, "product_id": product_id, "name": name, "status": status, "description": name,
            "usage_type": "LICENSED",
            "billing_cycles": [{"frequency": {"interval_unit": INTERVALS[interval], "interval_count": interval_count},
                                "tenure_type": "REGULAR", "sequence": 1, "total_cycles": 0,
                                "pricing_scheme": {"version": 1, "fixed_price": money(amount, currency),
                                                   "create_time": now, "update_time": now}}],
            "payment_preferences": {"service_type": "PREPAID", "auto_bill_outstanding": True, "setup_fee": money(0, currency),
                                    "setup_fee_failure_action": "CONTINUE", "payment_failure_threshold": 3},
            "quantity_supported": False, "create_time": now, "update_time": now,
            "links": [_link(f"{API}/v1/billing/plans/{plan_id}", "self"),
                      _link(f"{API}/v1/billing/plans/{plan_id}", "edit", "PATCH"),
                      _link(f"{API}/v1/billing/plans/{plan_id}/deactivate", "deactivate", "POST")]}
    store.plans[plan_id] = plan
    return plan


def plan_summary(plan: dict) -> dict:
    # `Prefer: return=minimal` (the default) lists plans without their billing cycles.
    return {k: plan[k] for k in ("id", "product_id", "name", "status", "description", "usage_type", "create_time", "links")}


def plan_price(plan: dict) -> tuple[int, str, str, int]:
    cycle = next(c for c in plan["billing_cycles"] if c["tenure_type"] == "REGULAR")
    fixed = cycle["pricing_scheme"]["fixed_price"]
    return minor(fixed), fixed["currency_code"], cycle["frequency"]["interval_unit"], cycle["frequency"]["interval_count"]


def create_subscription(store: Store, *, plan_id: str, subscriber: dict, status: str = "ACTIVE", started_days_ago: int = 0,
                        failed_payments: int = 0) -> dict:
    plan = store.plans.get(plan_id)
    if plan is None:
        raise invalid("/plan_id", "INVALID_PARAMETER_VALUE", "The specified plan does not exist.")
    amount, currency, unit, count = plan_price(plan)
    start = store.clock.now() - started_days_ago * 86400
    period = SECONDS[unit] * count
    cycles = max(1, int((store.clock.now() - start) // period) + 1)
    sub_id = "I-" + paypal_id(12)
    sub = {"id": sub_id, "plan_id": plan_id, "status": status, "status_update_time": store.clock.iso(),
           "start_time": store.clock.iso(start), "quantity": "1", "plan_overridden": False,
           "subscriber": {"name": dict(subscriber["name"]), "email_address": subscriber["email_address"], "payer_id": subscriber["payer_id"]},
           "create_time": store.clock.iso(start), "update_time": store.clock.iso(),
           "links": [_link(f"{API}/v1/billing/subscriptions/{sub_id}", "self"),
                     _link(f"{API}/v1/billing/subscriptions/{sub_id}", "edit", "PATCH"),
                     _link(f"{API}/v1/billing/subscriptions/{sub_id}/cancel", "cancel", "POST"),
                     _link(f"{API}/v1/billing/subscriptions/{sub_id}/suspend", "suspend", "POST")]}
    if status in ("ACTIVE", "SUSPENDED"):
        sub["billing_info"] = {
            "outstanding_balance": money(amount * failed_payments, currency),
            "cycle_executions": [{"tenure_type": "REGULAR", "sequence": 1, "cycles_completed": cycles, "cycles_remaining": 0,
                                  "current_pricing_scheme_version": 1, "total_cycles": 0}],
            "last_payment": {"amount": money(amount, currency), "time": store.clock.iso(start + (cycles - 1) * period)},
            "next_billing_time": store.clock.iso(start + cycles * period),
            "failed_payments_count": failed_payments,
        }
    store.subscriptions[sub_id] = sub
    return sub


def cancel_subscription(store: Store, sub_id: str, body: dict) -> dict:
    sub = store.subscriptions.get(sub_id)
    if sub is None:
        raise not_found("subscription")
    reason = body.get("reason") if isinstance(body, dict) else None
    if not isinstance(reason, str) or not reason.strip():
        raise invalid("/reason", "MISSING_REQUIRED_PARAMETER", "A required field / parameter is missing.")
    if sub["status"] not in ("ACTIVE", "SUSPENDED"):
        raise unprocessable("SUBSCRIPTION_STATUS_INVALID", "Invalid subscription status for cancel action; subscription status should be active or suspended.")
    sub["status"] = "CANCELLED"
    sub["status_change_note"] = reason[:128]
    sub["status_update_time"] = sub["update_time"] = store.clock.iso()
    sub.get("billing_info", {}).pop("next_billing_time", None)
    return sub


def create_invoice(store: Store, *, email: str, name: str, amount: int, currency: str, status: str = "DRAFT",
                   description: str = "Services", due_days: int = 10, paid_with: str = "") -> dict:
    store.invoice_numbers += 1
    number = f"{store.invoice_numbers:04d}"
    invoice_id = "INV2-" + "-".join(paypal_id(4) for _ in range(4))
    today = dt.datetime.fromtimestamp(store.clock.now(), tz=dt.UTC).date()
    given, _, surname = name.partition(" ")
    invoice = {
        "id": invoice_id, "status": status,
        "detail": {"invoice_number": number, "invoice_date": today.isoformat(), "currency_code": currency,
                   "payment_term": {"term_type": f"NET_{due_days}", "due_date": (today + dt.timedelta(days=due_days)).isoformat()},
                   "metadata": {"create_time": store.clock.iso(), "recipient_view_url": f"https://www.sandbox.paypal.com/invoice/p/#{invoice_id}",
                                "invoicer_view_url": f"https://www.sandbox.paypal.com/invoice/details/{invoice_id}"}},
        "invoicer": {"email_address": "merchant@example.com", "name": {"given_name": "Chargeside", "surname": "Fake"}},
        "primary_recipients": [{"billing_info": {"name": {"given_name": given or name, "surname": surname or given or name}, "email_address": email}}],
        "items": [{"name": description, "quantity": "1", "unit_amount": money(amount, currency)}],
        "amount": {**money(amount, currency), "breakdown": {"item_total": money(amount, currency)}},
        "due_amount": money(0 if status == "PAID" else amount, currency),
        "links": [_link(f"{API}/v2/invoicing/invoices/{invoice_id}", "self"),
                  _link(f"{API}/v2/invoicing/invoices/{invoice_id}/send", "send", "POST")],
    }
    if status == "PAID":
        invoice["payments"] = {"paid_amount": money(amount, currency),
                               "transactions": [{"payment_id": paid_with or paypal_id(), "type": "PAYPAL", "method": "PAYPAL", "payment_date": today.isoformat(),
                                                 "amount": money(amount, currency)}]}
    store.invoices[invoice_id] = invoice
    return invoice


def send_invoice(store: Store, invoice_id: str) -> dict:
    invoice = store.invoices.get(invoice_id)
    if invoice is None:
        raise not_found("invoice")
    if invoice["status"] not in ("DRAFT", "SCHEDULED"):
        raise unprocessable("INVALID_INVOICE_STATUS", f"Invoice in {invoice['status']} status cannot be sent; use remind.")
    invoice["status"] = "SENT"
    return invoice


def remind_invoice(store: Store, invoice_id: str) -> dict:
    invoice = store.invoices.get(invoice_id)
    if invoice is None:
        raise not_found("invoice")
    if invoice["status"] not in ("SENT", "UNPAID", "PARTIALLY_PAID"):
        raise unprocessable("INVALID_INVOICE_STATUS", f"Cannot remind an invoice in {invoice['status']} status.")
    invoice["detail"]["metadata"]["last_seen_time"] = store.clock.iso()  # nothing else changes on a reminder
    return invoice


def create_dispute(store: Store, *, capture_id: str, reason: str = "MERCHANDISE_OR_SERVICE_NOT_RECEIVED",
                   status: str = "WAITING_FOR_SELLER_RESPONSE", stage: str = "CHARGEBACK", outcome: str = "",
                   respond_within_days: int = 10) -> dict:
    found = store.payment(capture_id, "captures")
    if found is None:
        raise not_found("capture")
    order, capture = found
    dispute_id = f"PP-R-{paypal_id(3)}-{secrets.randbelow(10**8):08d}"
    now = store.clock.iso()
    dispute = {
        "dispute_id": dispute_id, "create_time": now, "update_time": now,
        "disputed_transactions": [{"seller_transaction_id": capture_id, "create_time": capture["create_time"],
                                   "transaction_status": "COMPLETED", "gross_amount": capture["amount"],
                                   "buyer": {"name": " ".join(order["payer"]["name"].values())},
                                   "seller": {"merchant_id": MERCHANT_ID, "name": "Chargeside Fake"}}],
        "reason": reason, "status": status, "dispute_amount": capture["amount"],
        "dispute_life_cycle_stage": stage, "dispute_channel": "INTERNAL" if stage == "INQUIRY" else "EXTERNAL",
        "links": [_link(f"{API}/v1/customer/disputes/{dispute_id}", "self")],
    }
    if status == "WAITING_FOR_SELLER_RESPONSE":
        dispute["seller_response_due_date"] = store.clock.iso(store.clock.now() + respond_within_days * 86400)
    if outcome:
        dispute["dispute_outcome"] = {"outcome_code": outcome, "amount_refunded": capture["amount"] if outcome == "RESOLVED_BUYER_FAVOUR" else money(0, capture["amount"]["currency_code"])}
    store.disputes[dispute_id] = dispute
    return dispute


DISPUTE_SUMMARY = ("dispute_id", "create_time", "update_time", "reason", "status", "dispute_amount",
                   "dispute_life_cycle_stage", "dispute_channel", "seller_response_due_date", "links")


def dispute_summary(dispute: dict) -> dict:
    return {k: dispute[k] for k in DISPUTE_SUMMARY if k in dispute}
