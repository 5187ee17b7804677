"""Orders, captures, authorisations and refunds: PayPal's Orders v2 / Payments v2 behaviour on the store.

Rules modelled (Payments v2 reference): a refund may not exceed what remains of its capture
(422 REFUND_AMOUNT_EXCEEDED; 422 CAPTURE_FULLY_REFUNDED once nothing remains); a capture's status becomes
PARTIALLY_REFUNDED / REFUNDED; an authorisation captures at most its amount (422 MAX_CAPTURE_AMOUNT_EXCEEDED),
`final_capture: true` (or capturing everything) closes it as CAPTURED, else PARTIALLY_CAPTURED; only CREATED or
PARTIALLY_CAPTURED authorisations capture or void (422 AUTHORIZATION_ALREADY_CAPTURED / AUTHORIZATION_VOIDED).
Declined card captures carry `processor_response.response_code` (e.g. 5120 insufficient funds).
"""

from __future__ import annotations

from .errors import PayPalError, invalid, not_found, unprocessable
from .money import minor, money
from .store import MERCHANT_ID, account_id
from .store import Store, paypal_id

API = "https://api.sandbox.paypal.com"  # links point where PayPal's point; the SDK never follows them


def _link(href: str, rel: str, method: str = "GET") -> dict:
    return {"href": href, "rel": rel, "method": method}


def payer_of(email: str, name: str, payer_id: str = "", country: str = "US") -> dict:
    given, _, surname = name.partition(" ")
    return {"name": {"given_name": given or name, "surname": surname or given or name}, "email_address": email,
            "payer_id": payer_id or account_id(), "address": {"country_code": country}}


def create_order(store: Store, *, payer: dict, amount: int, currency: str, intent: str = "CAPTURE",
                 decline: str = "", description: str = "", invoice_id: str = "", custom_id: str = "") -> dict:
    """A buyer-approved order, then captured (intent CAPTURE) or authorised (intent AUTHORIZE) as PayPal does."""
    now = store.clock.iso()
    order_id = paypal_id()
    unit = {"reference_id": "default", "amount": money(amount, currency),
            "payee": {"email_address": "merchant@example.com", "merchant_id": MERCHANT_ID}}
    if description:
        unit["description"] = description
    if invoice_id:
        unit["invoice_id"] = invoice_id
    if custom_id:
        unit["custom_id"] = custom_id
    order = {"id": order_id, "intent": intent, "status": "COMPLETED", "payer": payer, "purchase_units": [unit],
             "create_time": now, "update_time": now,
             "links": [_link(f"{API}/v2/checkout/orders/{order_id}", "self")]}
    store.orders[order_id] = order
    if intent == "AUTHORIZE":
        auth_id = paypal_id()
        status = "DENIED" if decline else "CREATED"
        auth = {"id": auth_id, "status": status, "amount": money(amount, currency),
                "seller_protection": {"status": "ELIGIBLE", "dispute_categories": ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"]},
                "expiration_time": store.clock.iso(store.clock.now() + 29 * 86400),
                "supplementary_data": {"related_ids": {"order_id": order_id}},
                "create_time": now, "update_time": now, "links": _auth_links(auth_id, order_id)}
        store.add_payment(order, "authorizations", auth)
        return order
    _new_capture(store, order, amount, currency, decline=decline)
    return order


def _auth_links(auth_id: str, order_id: str) -> list[dict]:
    base = f"{API}/v2/payments/authorizations/{auth_id}"
    return [_link(base, "self"), _link(f"{base}/capture", "capture", "POST"), _link(f"{base}/void", "void", "POST"),
            _link(f"{base}/reauthorize", "reauthorize", "POST"), _link(f"{API}/v2/checkout/orders/{order_id}", "up")]


DECLINE_CODES = {"insufficient_funds": "5120", "do_not_honor": "0500", "expired_card": "5400", "fraud": "9500",
                 "card_declined": "5100", "incorrect_cvc": "00N7"}


def _new_capture(store: Store, order: dict, amount: int, currency: str, *, decline: str = "", authorization_id: str = "",
                 final: bool = True) -> dict:
    now = store.clock.iso()
    capture_id = paypal_id()
    fee = 0 if decline else (amount * 349 + 5000) // 10000  # 3.49 % (rounded) like PayPal's standard rate, no fixed fee
    related = {"order_id": order["id"]}
    if authorization_id:
        related["authorization_id"] = authorization_id
    capture = {"id": capture_id, "status": "DECLINED" if decline else "COMPLETED", "amount": money(amount, currency),
               "final_capture": final,
               "seller_protection": {"status": "ELIGIBLE", "dispute_categories": ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"]},
               "supplementary_data": {"related_ids": related}, "create_time": now, "update_time": now,
               "links": [_link(f"{API}/v2/payments/captures/{capture_id}", "self"),
                         _link(f"{API}/v2/payments/captures/{capture_id}/refund", "refund", "POST"),
                         _link(f"{API}/v2/checkout/orders/{order['id']}", "up")]}
    if decline:
        capture["processor_response"] = {"avs_code": "Y", "cvv_code": "M", "response_code": DECLINE_CODES.get(decline, decline)}
    else:
        capture["seller_receivable_breakdown"] = {"gross_amount": money(amount, currency), "paypal_fee": money(fee, currency),
                                                  "net_amount": money(amount - fee, currency)}
    for key in ("invoice_id", "custom_id"):
        if key in order["purchase_units"][0]:
            capture[key] = order["purchase_units"][0][key]
    return store.add_payment(order, "captures", capture)


def refunded_of(store: Store, order: dict, capture_id: str) -> int:
    return sum(minor(r["amount"]) for r in store.payments(order).get("refunds", [])
               if r["status"] in ("COMPLETED", "PENDING") and _up(r) == capture_id)


def _up(refund: dict) -> str:
    href = next((link["href"] for link in refund.get("links", []) if link["rel"] == "up"), "")
    return href.rsplit("/", 1)[-1]


def refund_capture(store: Store, capture_id: str, body: dict) -> dict:
    found = store.payment(capture_id, "captures")
    if found is None:
        raise not_found("capture")
    order, capture = found
    if capture["status"] not in ("COMPLETED", "PARTIALLY_REFUNDED"):
        if capture["status"] == "REFUNDED":
            raise unprocessable("CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded")
        raise unprocessable("REFUND_NOT_ALLOWED", "Refund cannot be issued for this capture.")
    currency = capture["amount"]["currency_code"]
    remaining = minor(capture["amount"]) - refunded_of(store, order, capture_id)
    amount = remaining
    if body.get("amount") is not None:
        wanted = body["amount"]
        if not isinstance(wanted, dict) or "value" not in wanted or "currency_code" not in wanted:
            raise invalid("/amount", "MISSING_REQUIRED_PARAMETER", "A required field / parameter is missing.")
        if wanted["currency_code"] != currency:
            raise unprocessable("CURRENCY_MISMATCH", "Currency of capture must be the same as currency of refund.")
        try:
            amount = minor(wanted)
        except Exception:
            raise invalid("/amount/value", "DECIMAL_PRECISION", "The value of the field should not be more than two decimal places.") from None
        if amount <= 0:
            raise invalid("/amount/value", "INVALID_PARAMETER_VALUE", "The value of a field is invalid.")
        if amount > remaining:
            raise unprocessable("REFUND_AMOUNT_EXCEEDED", "The refund amount must be less than or equal to the capture amount that has not yet been refunded.")
    now = store.clock.iso()
    refund_id = paypal_id()
    refunded_total = refunded_of(store, order, capture_id) + amount
    refund = {"id": refund_id, "status": "COMPLETED", "amount": money(amount, currency),
              "seller_payable_breakdown": {"gross_amount": money(amount, currency), "paypal_fee": money(0, currency),
                                           "net_amount": money(amount, currency), "total_refunded_amount": money(refunded_total, currency)},
              "create_time": now, "update_time": now,
              "links": [_link(f"{API}/v2/payments/refunds/{refund_id}", "self"), _link(f"{API}/v2/payments/captures/{capture_id}", "up")]}
    if body.get("note_to_payer"):
        refund["note_to_payer"] = str(body["note_to_payer"])[:255]
    for key in ("invoice_id", "custom_id"):
        if body.get(key):
            refund[key] = str(body[key])
    store.add_payment(order, "refunds", refund)
    capture["status"] = "REFUNDED" if refunded_total >= minor(capture["amount"]) else "PARTIALLY_REFUNDED"
    capture["update_time"] = now
    return refund


def capture_authorization(store: Store, auth_id: str, body: dict) -> dict:
    found = store.payment(auth_id, "authorizations")
    if found is None:
        raise not_found("authorization")
    order, auth = found
    _require_open(auth)
    currency = auth["amount"]["currency_code"]
    captured = sum(minor(c["amount"]) for c in store.payments(order).get("captures", [])
                   if c["supplementary_data"]["related_ids"].get("authorization_id") == auth_id)
    remaining = minor(auth["amount"]) - captured
    amount = remaining
    if body.get("amount") is not None:
        wanted = body["amount"]
        if not isinstance(wanted, dict) or wanted.get("currency_code") != currency:
            raise unprocessable("CURRENCY_MISMATCH", "Currency of capture must be the same as currency of authorization.")
        amount = minor(wanted)
        if amount <= 0:
            raise invalid("/amount/value")
        if amount > remaining:
            raise unprocessable("MAX_CAPTURE_AMOUNT_EXCEEDED", "Capture amount exceeds allowable limit.")
    final = bool(body.get("final_capture", False)) or amount == remaining
    capture = _new_capture(store, order, amount, currency, authorization_id=auth_id, final=final)
    auth["status"] = "CAPTURED" if final else "PARTIALLY_CAPTURED"
    auth["update_time"] = capture["create_time"]
    return capture


def void_authorization(store: Store, auth_id: str) -> dict:
    found = store.payment(auth_id, "authorizations")
    if found is None:
        raise not_found("authorization")
    _, auth = found
    _require_open(auth)
    if auth["status"] == "PARTIALLY_CAPTURED":
        raise unprocessable("PREVIOUSLY_CAPTURED", "Authorization has been previously captured and hence cannot be voided.")
    auth["status"] = "VOIDED"
    auth["update_time"] = store.clock.iso()
    return auth


def _require_open(auth: dict) -> None:
    issues = {"CAPTURED": ("AUTHORIZATION_ALREADY_CAPTURED", "Authorization has been previously captured and hence cannot be captured again."),
              "VOIDED": ("AUTHORIZATION_VOIDED", "A voided authorization cannot be captured or reauthorized."),
              "DENIED": ("AUTHORIZATION_DENIED", "A denied authorization cannot be captured."),
              "EXPIRED": ("AUTHORIZATION_EXPIRED", "An expired authorization cannot be captured.")}
    if auth["status"] in issues:
        raise unprocessable(*issues[auth["status"]])
    if auth["status"] not in ("CREATED", "PARTIALLY_CAPTURED"):
        raise PayPalError(422, "CANNOT_BE_VOIDED", "The authorization is not in a state that allows this.")
