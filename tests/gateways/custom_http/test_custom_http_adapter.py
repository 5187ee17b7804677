"""CustomHttpAdapter against the reference server over loopback: reads, writes, idempotency, typed errors."""

from __future__ import annotations

import httpx
import pytest

from chargeside.core.money import Money
from chargeside.gateways.custom_http import signing
from chargeside.gateways.custom_http.adapter import CustomHttpAdapter
from chargeside.gateways.custom_http.client import Client
from chargeside.gateways.errors import AuthenticationFailed, IdempotencyConflict, InvalidRequest, NotFound, Unavailable
from chargeside.gateways.types import Capability, ChargeDTO, ChargeStatus, ResourceKind, SubscriptionStatus

K = ResourceKind
SECRET = "cs_shared_secret_example_0123456789"


def every(adapter, kind, page_size=2):
    items, cursor = [], None
    while True:
        page = adapter.list_page(kind, cursor, page_size=page_size)
        items += page.items
        if not (cursor := page.next_cursor):
            return items


def payment(adapter, email="ada@example.com", amount=5000):
    (customer,) = adapter.find_customers_by_email(email)
    return next(c for c in every(adapter, K.CHARGE) if c.customer_remote_id == customer.remote_id and c.amount == amount)


def test_declares_what_the_contract_makes_the_server_do():
    assert CustomHttpAdapter.capabilities == {
        Capability.REFUND, Capability.PARTIAL_REFUND, Capability.SUBSCRIPTION_CANCEL, Capability.SUBSCRIPTION_CANCEL_AT_PERIOD_END,
        Capability.CUSTOMER_SEARCH_EMAIL, Capability.WEBHOOKS, Capability.IDEMPOTENCY_KEYS}
    assert [(f.name, f.secret, f.required) for f in CustomHttpAdapter.settings_spec] == [
        ("base_url", False, True), ("secret", True, True), ("previous_secret", True, False)]


def test_connection_and_lookup_by_email_in_any_case(custom_adapter):
    check = custom_adapter.test_connection()
    assert (check.ok, check.account_name) == (True, "Reference billing server")
    (ada,) = custom_adapter.find_customers_by_email("  ADA@Example.com ")
    assert (ada.email, ada.name) == ("ada@example.com", "Ada Lovelace")
    assert custom_adapter.find_customers_by_email("nobody@example.com") == []
    assert custom_adapter.find_customers_by_email(" ") == []


def test_backfill_kinds_page_through_everything_seeded(custom_adapter):
    counts = {kind: len(every(custom_adapter, kind)) for kind in custom_adapter.backfill_kinds}
    assert counts == {K.CUSTOMER: 7, K.CHARGE: 10, K.REFUND: 1, K.SUBSCRIPTION: 7, K.INVOICE: 6}
    (grace,) = custom_adapter.find_customers_by_email("grace@example.com")
    usd = [c for c in every(custom_adapter, K.CHARGE) if c.customer_remote_id == grace.remote_id and c.amount == 12000]
    assert [(c.status, c.amount_refunded, c.currency) for c in usd] == [(ChargeStatus.PARTIALLY_REFUNDED, 2000, "USD")]
    assert custom_adapter.list_page(K.DISPUTE, None).items == []  # not in the contract: nothing to sync


def test_partial_refund_then_replay_then_conflict_then_over_refund(custom_adapter):
    charge = payment(custom_adapter)
    refund = custom_adapter.refund(charge=charge, amount=Money(1200, "EUR"), reason="requested_by_customer", idempotency_key="attempt-1",
                                   metadata={"chargeside_attempt": "attempt-1"})
    assert (refund.charge_remote_id, refund.amount, refund.currency, refund.status) == (charge.remote_id, 1200, "EUR", "succeeded")
    again = custom_adapter.refund(charge=charge, amount=Money(1200, "EUR"), reason="requested_by_customer", idempotency_key="attempt-1",
                                  metadata={"chargeside_attempt": "attempt-1"})
    assert again == refund
    fresh = custom_adapter.fetch(K.CHARGE, charge.remote_id)
    assert (fresh.amount_refunded, fresh.status) == (1200, ChargeStatus.PARTIALLY_REFUNDED)
    with pytest.raises(IdempotencyConflict) as conflict:
        custom_adapter.refund(charge=charge, amount=Money(1300, "EUR"), reason="", idempotency_key="attempt-1")
    assert (conflict.value.code, conflict.value.http_status) == ("idempotency_conflict", 409)
    with pytest.raises(InvalidRequest) as over:
        custom_adapter.refund(charge=charge, amount=Money(3801, "EUR"), reason="", idempotency_key="attempt-2")
    assert (over.value.code, over.value.http_status, over.value.message) == ("over_refund", 400, "Only 3800 of this payment can still be refunded.")
    assert over.value.request_id.startswith("req_")
    assert custom_adapter.fetch(K.CHARGE, charge.remote_id).amount_refunded == 1200


def test_refund_in_another_currency_is_refused_before_the_server(custom_adapter, billing_server):
    charge = payment(custom_adapter)
    with pytest.raises(InvalidRequest, match="The amount is in USD but the payment is in EUR."):
        custom_adapter.refund(charge=charge, amount=Money(100, "USD"), reason="", idempotency_key="k")
    assert billing_server.ledger.idempotency == {}


def test_cancel_at_period_end_then_now(custom_adapter):
    (ada,) = custom_adapter.find_customers_by_email("ada@example.com")
    (sub,) = [s for s in every(custom_adapter, K.SUBSCRIPTION) if s.customer_remote_id == ada.remote_id]
    later = custom_adapter.subscription_cancel(subscription_remote_id=sub.remote_id, at_period_end=True, idempotency_key="c1")
    assert (later.status, later.cancel_at_period_end) == (SubscriptionStatus.ACTIVE, True)
    now = custom_adapter.subscription_cancel(subscription_remote_id=sub.remote_id, at_period_end=False, idempotency_key="c2")
    assert (now.status, now.cancel_at_period_end, now.canceled_at is not None) == (SubscriptionStatus.CANCELED, False, True)
    with pytest.raises(InvalidRequest) as again:
        custom_adapter.subscription_cancel(subscription_remote_id=sub.remote_id, at_period_end=False, idempotency_key="c3")
    assert again.value.code == "already_canceled"


def test_unknown_ids_are_not_found_and_ids_cannot_add_path_segments(custom_adapter):
    with pytest.raises(NotFound) as missing:
        custom_adapter.fetch(K.CUSTOMER, "../payments")
    assert (missing.value.code, missing.value.http_status) == ("not_found", 404)
    with pytest.raises(NotFound, match="no dispute objects"):
        custom_adapter.fetch(K.DISPUTE, "dp_1")


def test_a_wrong_secret_is_authentication_failed(billing_server):
    adapter = CustomHttpAdapter(settings={"base_url": billing_server.base_url}, credentials={"secret": "not-the-secret"})
    with pytest.raises(AuthenticationFailed) as refused:
        adapter.find_customers_by_email("ada@example.com")
    assert (refused.value.code, refused.value.http_status) == ("invalid_signature", 401)
    assert adapter.test_connection().ok is False


def test_rotation_the_previous_secret_still_signs(billing_server):
    adapter = CustomHttpAdapter(settings={"base_url": billing_server.base_url},
                                credentials={"secret": "the-new-one-the-server-lacks", "previous_secret": SECRET})
    assert adapter.test_connection().ok


@pytest.mark.parametrize(("base_url", "code"), [
    ("http://billing.example.com", "insecure_base_url"),
    ("ftp://billing.example.com", "bad_base_url"),
    ("https://billing.example.com/?x=1", "bad_base_url"),
    ("", "bad_base_url"),
])
def test_unusable_base_urls_are_refused_clearly(base_url, code):
    adapter = CustomHttpAdapter(settings={"base_url": base_url}, credentials={"secret": SECRET})
    with pytest.raises(InvalidRequest) as refused:
        adapter.find_customers_by_email("ada@example.com")
    assert refused.value.code == code
    assert adapter.test_connection().ok is False


def test_nothing_listening_is_unavailable():
    adapter = CustomHttpAdapter(settings={"base_url": "http://127.0.0.1:9"}, credentials={"secret": SECRET})
    with pytest.raises(Unavailable) as down:
        adapter.fetch(K.CHARGE, "pay_1")
    assert (down.value.code, down.value.retryable) == ("connection_error", True)


# --- what goes on the wire, seen by an httpx transport standing in for a merchant's server --------------------

def recording_adapter(base_url: str, answer: dict, status: int = 200):
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=answer)

    adapter = CustomHttpAdapter(settings={"base_url": base_url}, credentials={"secret": SECRET})
    adapter.__dict__["client"] = Client(base_url=base_url, secrets=[SECRET], transport=httpx.MockTransport(handle))
    return adapter, seen


def test_the_signature_covers_the_target_after_the_base_url_path_and_the_key():
    answer = {"id": "re_1", "payment_id": "pay/1", "amount": 100, "currency": "EUR", "status": "pending"}
    adapter, seen = recording_adapter("https://billing.example.com/chargeside/", answer)
    charge = ChargeDTO(remote_id="pay/1", customer_remote_id="cus_1", amount=500, currency="EUR", status=ChargeStatus.SUCCEEDED)
    adapter.refund(charge=charge, amount=Money(100, "EUR"), reason="r", idempotency_key="key-1")
    (request,) = seen
    assert request.url.raw_path == b"/chargeside/v1/payments/pay%2F1/refunds"
    assert request.headers["Idempotency-Key"] == "key-1"
    signing.verify(request.headers, "POST", "/v1/payments/pay%2F1/refunds", "key-1", request.content, [SECRET])
    assert request.content == b'{"amount":100,"currency":"EUR","reason":"r","metadata":{}}'


def test_a_lookup_signs_its_query_as_sent():
    adapter, seen = recording_adapter("https://billing.example.com", {"data": [], "next_cursor": None})
    adapter.find_customers_by_email("ada+vip@example.com")
    (request,) = seen
    target = request.url.raw_path.decode()
    assert target == "/v1/customers?email=ada%2Bvip%40example.com&limit=100"
    signing.verify(request.headers, "GET", target, "", b"", [SECRET])


@pytest.mark.parametrize("answer", [
    {"data": "not a list", "next_cursor": None},
    {"data": [], "next_cursor": 7},
    {"data": [{"id": "cus_1", "email": 7}], "next_cursor": None},
])
def test_answers_that_break_the_contract_are_typed_errors(answer):
    adapter, _ = recording_adapter("https://billing.example.com", answer)
    with pytest.raises(Unavailable) as broken:
        adapter.list_page(K.CUSTOMER, None)
    assert broken.value.code == "contract_violation"


@pytest.mark.parametrize(("status", "error", "kind"), [
    (429, "rate_limited", "RateLimited"), (503, "", "Unavailable"), (402, "declined", "Declined"),
    (409, "idempotency_key_in_use", "Unavailable"), (422, "invalid_request", "InvalidRequest"),
])
def test_error_statuses_map_to_typed_errors(status, error, kind):
    adapter, _ = recording_adapter("https://billing.example.com", {"error": {"code": error, "message": "no"}}, status)
    with pytest.raises(Exception) as raised:
        adapter.fetch(K.CHARGE, "pay_1")
    assert (raised.value.kind, raised.value.code, raised.value.http_status) == (kind, error, status)
