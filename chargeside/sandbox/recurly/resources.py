"""The API routes the fake serves (Recurly v2021-02-25 paths; ids or their `code-`/`uuid-`/`number-` forms)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from . import objects as ob
from . import ops
from .api import page, route
from .errors import ApiError, not_found, validation
from .store import parse_iso


# --- lookups -----------------------------------------------------------------------------------------------

def _by(fake, type_: str, ident: str, prefix: str, field: str, what: str) -> dict:
    obj = fake.store.find_one(type_, **{field: ident[len(prefix):]}) if ident.startswith(prefix) else fake.store.get(type_, ident)
    if obj is None:
        raise not_found(what, ident)
    return obj


def account_of(fake, ident):
    return _by(fake, "account", ident, "code-", "code", "Account")


def plan_of(fake, ident):
    return _by(fake, "plan", ident, "code-", "code", "Plan")


def coupon_of(fake, ident):
    return _by(fake, "coupon", ident, "code-", "code", "Coupon")


def invoice_of(fake, ident):
    return _by(fake, "invoice", ident, "number-", "number", "Invoice")


def transaction_of(fake, ident):
    return _by(fake, "transaction", ident, "uuid-", "uuid", "Transaction")


def subscription_of(fake, ident):
    return _by(fake, "subscription", ident, "uuid-", "uuid", "Subscription")


def _time_window(items: list[dict], q: dict) -> list[dict]:
    key = "updated_at" if q.get("sort") == "updated_at" else "created_at"
    for bound, keep in (("begin_time", lambda v, b: v >= b), ("end_time", lambda v, b: v <= b)):
        if q.get(bound):
            try:
                limit = parse_iso(q[bound])
            except ValueError:
                raise validation(bound, "is not a valid ISO 8601 time") from None
            items = [o for o in items if keep(parse_iso(o[key]), limit)]
    return items


def _ids(items: list[dict], q: dict) -> list[dict]:
    if q.get("ids"):
        wanted = set(q["ids"].split(","))
        items = [o for o in items if o["id"] in wanted]
    return items


# --- accounts --------------------------------------------------------------------------------------------------

@route("GET", "/accounts")
def list_accounts(req):
    fake, q = req.api.fake, req.query
    items = _ids(_time_window(fake.store.all("account"), q), q)
    if "email" in q:
        items = [a for a in items if (a.get("email") or "") == q["email"]]
    if q.get("state"):
        items = [a for a in items if a["state"] == q["state"]]
    return page(req, items, lambda a: ob.render_account(fake, a))


@route("POST", "/accounts")
def create_account(req):
    fake, body = req.api.fake, req.body
    if not body.get("code"):
        raise validation("code", "can't be blank")
    token = (body.get("billing_info") or {}).get("token_id") or ""
    if (body.get("billing_info") or {}).get("number"):
        raise validation("billing_info.number", "is not accepted by this sandbox", "Send a token_id; the sandbox takes no card numbers")
    account = ops.create_account(fake, code=body["code"], email=body.get("email") or "", first_name=body.get("first_name") or "",
                                 last_name=body.get("last_name") or "", company=body.get("company") or "",
                                 preferred_locale=body.get("preferred_locale"), token=token)
    return 201, ob.render_account(fake, account)


@route("GET", "/accounts/{account_id}")
def get_account(req, account_id):
    fake = req.api.fake
    return 200, ob.render_account(fake, account_of(fake, account_id))


@route("GET", "/accounts/{account_id}/billing_info")
def get_billing_info(req, account_id):
    fake = req.api.fake
    account = account_of(fake, account_id)
    info = fake.store.find_one("billing_info", account_id=account["id"])
    if info is None:
        raise not_found("BillingInfo", account_id)
    return 200, info


@route("PUT", "/accounts/{account_id}/billing_info")
def update_billing_info(req, account_id):
    fake = req.api.fake
    account = account_of(fake, account_id)
    if req.body.get("number"):
        raise validation("number", "is not accepted by this sandbox", "Send a token_id; the sandbox takes no card numbers")
    return 200, ops.set_billing_info(fake, account, req.body.get("token_id") or "")


@route("GET", "/accounts/{account_id}/transactions")
def list_account_transactions(req, account_id):
    fake = req.api.fake
    account = account_of(fake, account_id)
    return _transactions(req, fake.store.find("transaction", _account=account["id"]))


@route("GET", "/accounts/{account_id}/invoices")
def list_account_invoices(req, account_id):
    fake = req.api.fake
    account = account_of(fake, account_id)
    return _invoices(req, fake.store.find("invoice", _account=account["id"]))


@route("GET", "/accounts/{account_id}/subscriptions")
def list_account_subscriptions(req, account_id):
    fake = req.api.fake
    account = account_of(fake, account_id)
    return _subscriptions(req, fake.store.find("subscription", _account=account["id"]))


@route("GET", "/accounts/{account_id}/coupon_redemptions")
def list_account_redemptions(req, account_id):
    fake = req.api.fake
    account = account_of(fake, account_id)
    items = fake.store.find("coupon_redemption", _account=account["id"])
    return page(req, items, lambda r: ob.render_redemption(fake, r))


@route("GET", "/accounts/{account_id}/coupon_redemptions/active")
def list_active_redemptions(req, account_id):
    fake = req.api.fake
    account = account_of(fake, account_id)
    items = fake.store.find("coupon_redemption", _account=account["id"], state="active")
    return 200, {"object": "list", "has_more": False, "next": None, "data": [ob.render_redemption(fake, r) for r in items]}


@route("POST", "/accounts/{account_id}/coupon_redemptions/active")
def create_redemption(req, account_id):
    fake, body = req.api.fake, req.body
    account = account_of(fake, account_id)
    if not body.get("coupon_id"):
        raise validation("coupon_id", "can't be blank")
    coupon = coupon_of(fake, body["coupon_id"])
    sub_id = body.get("subscription_id")
    if sub_id:
        sub = subscription_of(fake, sub_id)
        if sub["_account"] != account["id"]:
            raise validation("subscription_id", "does not belong to this account")
        sub_id = sub["id"]
    redemption = ops.redeem(fake, account, coupon, subscription_id=sub_id, currency=body.get("currency"))
    if sub_id:
        sub = fake.store.get("subscription", sub_id)
        fake.notify("subscription", "updated", sub_id, uuid=sub["uuid"])
    return 200, ob.render_redemption(fake, redemption)  # api.yaml: 200, not 201, for this create


# --- transactions -----------------------------------------------------------------------------------------------

def _transactions(req, items):
    fake, q = req.api.fake, req.query
    items = _ids(_time_window(items, q), q)
    if q.get("type"):
        types = {"purchase", "capture"} if q["type"] == "payment" else {q["type"]}
        items = [t for t in items if t["type"] in types]
    if q.get("success"):
        items = [t for t in items if t["success"] == (q["success"] == "true")]
    return page(req, items, lambda t: ob.render_transaction(fake, t))


@route("GET", "/transactions")
def list_transactions(req):
    return _transactions(req, req.api.fake.store.all("transaction"))


@route("GET", "/transactions/{transaction_id}")
def get_transaction(req, transaction_id):
    fake = req.api.fake
    return 200, ob.render_transaction(fake, transaction_of(fake, transaction_id))


# --- invoices -----------------------------------------------------------------------------------------------------

def _invoices(req, items):
    fake, q = req.api.fake, req.query
    items = _ids(_time_window(items, q), q)
    if q.get("type"):
        items = [i for i in items if i["type"] == q["type"]]
    if q.get("state"):
        items = [i for i in items if i["state"] == q["state"]]
    return page(req, items, lambda i: ob.render_invoice(fake, i))


@route("GET", "/invoices")
def list_invoices(req):
    return _invoices(req, req.api.fake.store.all("invoice"))


@route("GET", "/invoices/{invoice_id}")
def get_invoice(req, invoice_id):
    fake = req.api.fake
    return 200, ob.render_invoice(fake, invoice_of(fake, invoice_id))


@route("GET", "/invoices/{invoice_id}/line_items")
def list_invoice_line_items(req, invoice_id):
    fake = req.api.fake
    invoice = invoice_of(fake, invoice_id)
    items = [fake.store.get("line_item", i) for i in invoice["_line_items"]]
    return page(req, items, lambda li: ob.render_line_item(fake, li))


@route("GET", "/invoices/{invoice_id}/related_invoices")
def list_related_invoices(req, invoice_id):
    fake = req.api.fake
    invoice = invoice_of(fake, invoice_id)
    related = [i for i in fake.store.all("invoice") if i.get("previous_invoice_id") == invoice["id"]
               or (invoice.get("previous_invoice_id") and i["id"] == invoice["previous_invoice_id"])]
    return 200, {"object": "list", "has_more": False, "next": None, "data": [ob.render_invoice(fake, i) for i in related]}


@route("POST", "/invoices/{invoice_id}/refund")
def refund_invoice(req, invoice_id):
    fake, body = req.api.fake, req.body
    invoice = invoice_of(fake, invoice_id)
    kind = body.get("type")
    if kind not in ("amount", "line_items"):
        raise validation("type", "is not included in the list", "Type must be amount or line_items")
    method = body.get("refund_method") or "credit_first"
    if method not in ("all_credit", "all_transaction", "credit_first", "transaction_first"):
        raise validation("refund_method", "is not included in the list")
    notes = body.get("credit_customer_notes") or ""
    if kind == "amount":
        if "line_items" in body:
            raise validation("line_items", "cannot be combined with type amount")
        amount = body.get("amount")
        if amount is not None and (isinstance(amount, bool) or not isinstance(amount, (int, Decimal))):
            raise validation("amount", "is not a number")
    else:
        lines = body.get("line_items")
        if not isinstance(lines, list) or not lines:
            raise validation("line_items", "can't be blank")
        amount = Decimal(0)
        for line in lines:
            item = fake.store.get("line_item", (line or {}).get("id") or "")
            if item is None or item["invoice_id"] != invoice["id"]:
                raise validation("line_items", "contains a line item that is not on this invoice")
            try:
                quantity = int(line.get("quantity") or item["quantity"])
            except (TypeError, ValueError, InvalidOperation):
                raise validation("line_items.quantity", "is not a number") from None
            if not 1 <= quantity <= item["quantity"] - item["refunded_quantity"]:
                raise validation("line_items.quantity", "is more than can be refunded")
            amount += item["unit_amount"] * quantity
    credit = ops.refund(fake, invoice, amount, notes=notes, method=method)
    return 201, ob.render_invoice(fake, credit)


# --- subscriptions -----------------------------------------------------------------------------------------------

def _subscriptions(req, items):
    fake, q = req.api.fake, req.query
    items = _ids(_time_window(items, q), q)
    state = q.get("state")
    if state == "live":
        items = [s for s in items if s["state"] in ("active", "canceled", "future", "paused")]
    elif state == "in_trial":
        now = fake.clock.now()
        items = [s for s in items if s.get("trial_ends_at") and parse_iso(s["trial_ends_at"]) > now and s["state"] == "active"]
    elif state:
        items = [s for s in items if s["state"] == state]
    return page(req, items, lambda s: ob.render_subscription(fake, s))


@route("GET", "/subscriptions")
def list_subscriptions(req):
    return _subscriptions(req, req.api.fake.store.all("subscription"))


@route("GET", "/subscriptions/{subscription_id}")
def get_subscription(req, subscription_id):
    fake = req.api.fake
    return 200, ob.render_subscription(fake, subscription_of(fake, subscription_id))


@route("POST", "/subscriptions")
def create_subscription(req):
    fake, body = req.api.fake, req.body
    for required in ("plan_code", "currency", "account"):
        if not body.get(required) and not (required == "plan_code" and body.get("plan_id")):
            raise validation(required, "can't be blank")
    plan = plan_of(fake, body["plan_id"]) if body.get("plan_id") else plan_of(fake, f"code-{body['plan_code']}")
    acc = body["account"] if isinstance(body["account"], dict) else {}
    if not acc.get("code"):
        raise validation("account.code", "can't be blank")
    account = fake.store.find_one("account", code=acc["code"])
    if account is None:
        account = ops.create_account(fake, code=acc["code"], email=acc.get("email") or "", first_name=acc.get("first_name") or "",
                                     last_name=acc.get("last_name") or "", token=(acc.get("billing_info") or {}).get("token_id") or "")
    coupons = [coupon_of(fake, f"code-{c}") for c in body.get("coupon_codes") or []]
    trial = parse_iso(body["trial_ends_at"]) if body.get("trial_ends_at") else None
    starts = parse_iso(body["starts_at"]) if body.get("starts_at") else None
    quantity = body.get("quantity") or 1
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise validation("quantity", "is not a number")
    sub = ops.subscribe(fake, account, plan, body["currency"], quantity=quantity, trial_ends_at=trial, starts_at=starts, coupons=coupons,
                        notes=body.get("customer_notes") or "")
    return 201, ob.render_subscription(fake, sub)


@route("PUT", "/subscriptions/{subscription_id}/cancel")
def cancel_subscription(req, subscription_id):
    fake = req.api.fake
    sub = subscription_of(fake, subscription_id)
    return 200, ob.render_subscription(fake, ops.cancel(fake, sub, req.body.get("timeframe") or "term_end"))


@route("DELETE", "/subscriptions/{subscription_id}")
def terminate_subscription(req, subscription_id):
    fake = req.api.fake
    sub = subscription_of(fake, subscription_id)
    return 200, ob.render_subscription(fake, ops.terminate(fake, sub, req.query.get("refund") or "none"))


# --- catalogue ------------------------------------------------------------------------------------------------------

@route("GET", "/plans")
def list_plans(req):
    fake, q = req.api.fake, req.query
    items = _ids(_time_window(fake.store.all("plan"), q), q)
    if q.get("state"):
        items = [p for p in items if p["state"] == q["state"]]
    return page(req, items, dict)


@route("GET", "/plans/{plan_id}")
def get_plan(req, plan_id):
    return 200, plan_of(req.api.fake, plan_id)


@route("GET", "/coupons")
def list_coupons(req):
    fake, q = req.api.fake, req.query
    return page(req, _ids(_time_window(fake.store.all("coupon"), q), q), dict)


@route("GET", "/coupons/{coupon_id}")
def get_coupon(req, coupon_id):
    return 200, coupon_of(req.api.fake, coupon_id)


@route("GET", "/")
def root(req):
    raise ApiError("not_found", "The requested URL / was not found on this server.")
