"""The fake Recurly through the unmodified SDK: wire format, auth, errors, pagination, refunds, subscriptions,
notifications. Every response is checked against api.yaml when each test ends (conftest)."""

import base64
import hashlib
import hmac
import http.client
import json
from decimal import Decimal

import pytest
import recurly

from chargeside.sandbox.recurly.seed import seed


def raw(fake, method, path, *, key="recurly_sandbox_key", accept="application/vnd.recurly.v2021-02-25", body=None):
    host, port = fake.base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    auth = base64.b64encode(f"{key}:".encode()).decode()
    conn.request(method, path, json.dumps(body) if body is not None else None,
                 {"Authorization": f"Basic {auth}", "Accept": accept, "Content-Type": "application/json"})
    res = conn.getresponse()
    out = res.status, dict(res.getheaders()), res.read()
    conn.close()
    return out


def test_headers_and_shape_of_an_answer(fake):
    status, headers, body = raw(fake, "GET", "/accounts")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert headers["Recurly-Version"] == "recurly.v2021-02-25" and headers["X-Request-Id"]
    assert json.loads(body) == {"object": "list", "has_more": False, "next": None, "data": []}


def test_wrong_key_and_missing_version_are_refused_in_recurlys_error_shape(fake, sdk):
    status, _, body = raw(fake, "GET", "/accounts", key="wrong")
    assert status == 401 and json.loads(body)["error"]["type"] == "unauthorized"
    status, _, body = raw(fake, "GET", "/accounts", accept="application/json")
    assert status == 406 and json.loads(body)["error"]["type"] == "invalid_api_version"
    with pytest.raises(recurly.errors.UnauthorizedError):
        from chargeside.gateways.recurly.client import point_at
        list(point_at(recurly.Client("wrong"), fake.base_url).list_accounts().items())


def test_account_create_get_by_id_and_code_and_email_filter(sdk):
    created = sdk.create_account({"code": "ada", "email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace",
                                  "billing_info": {"token_id": "tok_visa"}})
    assert created.billing_info.payment_method.last_four == "1111" and not hasattr(created.billing_info.payment_method, "number")
    assert sdk.get_account(created.id).code == "ada" and sdk.get_account("code-ada").id == created.id
    assert [a.id for a in sdk.list_accounts(params={"email": "ada@example.com"}).items()] == [created.id]
    assert sdk.list_accounts(params={"email": "ADA@example.com"}).first() is None
    with pytest.raises(recurly.errors.ValidationError) as dup:
        sdk.create_account({"code": "ada"})
    assert dup.value.error.params == [{"param": "code", "message": "has already been taken"}]
    with pytest.raises(recurly.errors.NotFoundError):
        sdk.get_account("code-nobody")


def test_the_fake_never_takes_a_card_number(sdk):
    with pytest.raises(recurly.errors.ValidationError):
        sdk.create_account({"code": "x", "billing_info": {"number": "4111111111111111", "month": "1", "year": "2030"}})


def test_pagination_follows_next_with_every_filter(fake, sdk):
    seed(fake, 9)
    pages = list(sdk.list_accounts(params={"limit": 4, "order": "asc", "sort": "created_at"}).pages())
    assert [len(p) for p in pages] == [4, 4, 1]
    codes = [a.code for p in pages for a in p]
    assert codes == sorted(codes) and len(set(codes)) == 9
    declined = list(sdk.list_transactions(params={"limit": 1, "success": "false"}).items())
    assert len(declined) == 1 and declined[0].status == "declined" and declined[0].status_code in ("insufficient_funds", "expired_card", "declined")
    status, _, body = raw(fake, "GET", "/accounts?limit=500")
    assert status == 400


def test_refund_makes_a_credit_invoice_and_a_refund_transaction(fake, sdk):
    account = fake.control.create_account("ada", "ada@example.com", "Ada", "Lovelace")
    tx = fake.control.purchase(account["id"], "50.00", "EUR")
    invoice_id = tx["invoice"]["id"]
    credit = sdk.refund_invoice(invoice_id, {"type": "amount", "amount": 12.5, "credit_customer_notes": "note-1"})
    assert (credit.type, credit.origin, credit.total, credit.customer_notes, credit.previous_invoice_id) == ("credit", "refund", -12.5, "note-1", invoice_id)
    refund = credit.transactions[0]
    assert (refund.type, refund.amount, refund.original_transaction_id) == ("refund", 12.5, tx["id"])
    assert sdk.get_invoice(invoice_id).refundable_amount == 37.5 and sdk.get_transaction(tx["id"]).refunded is True
    with pytest.raises(recurly.errors.ValidationError) as over:
        sdk.refund_invoice(invoice_id, {"type": "amount", "amount": 37.51})
    assert over.value.error.params[0]["param"] == "amount"
    with pytest.raises(recurly.errors.ValidationError):
        sdk.refund_invoice(invoice_id, {"type": "everything"})
    line = sdk.get_invoice(invoice_id).line_items[0]
    with pytest.raises(recurly.errors.ValidationError):  # the whole line is more than what remains
        sdk.refund_invoice(invoice_id, {"type": "line_items", "line_items": [{"id": line.id, "quantity": 1}]})
    full = sdk.refund_invoice(invoice_id, {"type": "amount"})
    assert full.total == -37.5 and fake.store.get("invoice", invoice_id)["refundable_amount"] == Decimal("0.00")
    related = list(sdk.list_related_invoices(invoice_id).items())
    assert {r.type for r in related} == {"credit"} and len(related) == 2


def test_subscription_lifecycle(fake, sdk):
    fake.control.create_plan("basic", "Basic", {"EUR": "9.99"})
    fake.control.create_account("ada", "ada@example.com", "Ada", "Lovelace")
    sub = sdk.create_subscription({"plan_code": "basic", "currency": "EUR", "account": {"code": "ada"}})
    assert (sub.state, sub.plan.code, sub.unit_amount, sub.currency) == ("active", "basic", 9.99, "EUR")
    assert sdk.get_subscription(f"uuid-{sub.uuid}").id == sub.id
    canceled = sdk.cancel_subscription(sub.id, body={"timeframe": "term_end"})
    assert canceled.state == "canceled" and canceled.expires_at == sub.current_term_ends_at
    ended = sdk.terminate_subscription(sub.id, params={"refund": "full"})
    assert ended.state == "expired"
    credit = [i for i in fake.store.all("invoice") if i["type"] == "credit"]
    assert len(credit) == 1 and credit[0]["total"] == Decimal("-9.99")
    with pytest.raises(recurly.errors.ImmutableSubscriptionError):
        sdk.cancel_subscription(sub.id)
    assert [s.id for s in sdk.list_subscriptions(params={"state": "expired"}).items()] == [sub.id]


def test_declined_card_is_a_transaction_error_with_the_decline_code(fake, sdk):
    fake.control.create_plan("basic", "Basic", {"USD": "10"})
    fake.control.create_account("poor", token="tok_chargeDeclinedExpiredCard")
    with pytest.raises(recurly.errors.TransactionError) as err:
        sdk.create_subscription({"plan_code": "basic", "currency": "USD", "account": {"code": "poor"}})
    assert err.value.error.transaction_error.decline_code == "expired_card"


def test_coupon_redemption_and_catalogue(fake, sdk):
    fake.control.create_coupon("TENOFF", "Ten off", percent=10)
    fake.control.create_plan("pro", "Pro", {"EUR": "199", "TRY": "5999"}, interval_length=12)
    account = fake.control.create_account("ada", "ada@example.com")
    redemption = sdk.create_coupon_redemption(account["id"], {"coupon_id": "code-TENOFF"})
    assert (redemption.coupon.code, redemption.state) == ("TENOFF", "active")
    assert [r.id for r in sdk.list_active_coupon_redemptions(account["id"]).items()] == [redemption.id]
    plan = sdk.get_plan("code-pro")
    assert {c.currency: c.unit_amount for c in plan.currencies} == {"EUR": 199.0, "TRY": 5999.0}
    assert [c.code for c in sdk.list_coupons().items()] == ["TENOFF"]


def test_faults_answer_in_recurlys_shape_and_change_nothing(fake, sdk):
    account = fake.control.create_account("ada", "ada@example.com")
    tx = fake.control.purchase(account["id"], "10.00", "USD")
    fake.faults.add("/invoices", status=429)
    with pytest.raises(recurly.errors.RateLimitedError):
        sdk.refund_invoice(tx["invoice"]["id"], {"type": "amount"})
    fake.faults.add("/invoices", status=503)
    with pytest.raises(recurly.errors.ServerError):
        sdk.refund_invoice(tx["invoice"]["id"], {"type": "amount"})
    assert fake.control.count("transaction", type="refund") == 0


def test_notifications_are_signed_as_recurly_signs_them_and_retried(fake, receiver):
    fake.control.add_endpoint(receiver.url, "whsec_recurly")
    receiver.fail = 1
    account = fake.control.create_account("ada", "ada@example.com", "Ada", "Lovelace")
    assert fake.webhooks.drain(timeout=10)
    kinds = [(json.loads(b)["object_type"], json.loads(b)["event_type"]) for _, b in receiver.received]
    assert sorted(kinds) == [("account", "created"), ("billing_info", "updated")]
    assert any(a.attempt == 2 and a.ok for a in fake.webhooks.attempts)  # the failed first attempt was retried
    for headers, body in receiver.received:
        ts, sig = headers["recurly-signature"].split(",")
        assert len(ts) == 13  # milliseconds
        assert sig == hmac.new(b"whsec_recurly", f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
        note = json.loads(body)
        assert set(note) >= {"id", "object_type", "site_id", "event_type", "event_time", "uuid"}
    assert json.loads(receiver.received[0][1])["id"] == account["id"]


def test_rotated_secret_signs_with_both(fake, receiver):
    endpoint = fake.control.add_endpoint(receiver.url, "old")
    fake.control.rotate_secret(endpoint, "new")
    fake.control.create_account("ada", token="")
    assert fake.webhooks.drain(timeout=10)
    headers, body = receiver.received[0]
    ts, new, old = headers["recurly-signature"].split(",")
    assert new == hmac.new(b"new", f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    assert old == hmac.new(b"old", f"{ts}.".encode() + body, hashlib.sha256).hexdigest()


def test_seeded_data_validates_against_the_spec_on_every_list(fake, sdk):
    seed(fake, 12)
    for method in ("list_accounts", "list_transactions", "list_invoices", "list_subscriptions", "list_plans", "list_coupons"):
        assert list(getattr(sdk, method)(params={"limit": 200}).items())
    assert {s.state for s in sdk.list_subscriptions().items()} == {"active", "canceled", "expired", "future", "paused"}
    assert {t.currency for t in sdk.list_transactions().items()} == {"EUR", "USD", "TRY"}


def test_binds_to_loopback_only():
    from chargeside.sandbox.recurly import RecurlyFake

    with pytest.raises(ValueError):
        RecurlyFake().start(host="0.0.0.0")
