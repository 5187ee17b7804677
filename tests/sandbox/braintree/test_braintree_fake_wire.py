"""The fake speaks Braintree's XML gateway: auth, HTTP statuses the SDK maps, error responses, test values."""

from __future__ import annotations

import base64
import urllib.request

import braintree
import pytest
from braintree.exceptions import AuthenticationError, AuthorizationError, NotFoundError, ServiceUnavailableError, TooManyRequestsError
import requests
from sandbox_braintree_client import customer_with_card, gateway_for


def test_wrong_private_key_is_401(bt_fake):
    with pytest.raises(AuthenticationError):
        gateway_for(bt_fake, private_key="wrong").plan.all()


def test_other_merchant_path_is_403(bt_fake):
    with pytest.raises(AuthorizationError):
        gateway_for(bt_fake, merchant_id="someone_else").plan.all()


def test_missing_api_version_is_426(bt_fake):
    auth = base64.b64encode(f"{bt_fake.public_key}:{bt_fake.private_key}".encode()).decode()
    request = urllib.request.Request(f"{bt_fake.base_url}/merchants/{bt_fake.merchant_id}/plans/", headers={"Authorization": f"Basic {auth}"})
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request)
    assert answer.value.code == 426


def test_responses_are_typed_xml(bt_fake, bt):
    customer_with_card(bt)
    auth = base64.b64encode(f"{bt_fake.public_key}:{bt_fake.private_key}".encode()).decode()
    request = urllib.request.Request(f"{bt_fake.base_url}/merchants/{bt_fake.merchant_id}/customers/advanced_search_ids", method="POST",
                                     data=b"<search></search>", headers={"Authorization": f"Basic {auth}", "X-ApiVersion": "6",
                                                                         "Content-Type": "application/xml"})
    body = urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request).read().decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<search-results><page-size type="integer">50</page-size><ids type="array"><item>')


def test_missing_transaction_is_404(bt):
    with pytest.raises(NotFoundError):
        bt.transaction.find("nope")


def test_sale_settle_refund_and_refund_errors(bt_fake, bt):
    _, token = customer_with_card(bt)
    sale = bt.transaction.sale({"amount": "10.00", "payment_method_token": token, "options": {"submit_for_settlement": True}}).transaction
    assert sale.status == "submitted_for_settlement"
    early = bt.transaction.refund(sale.id, "1.00")
    assert not early.is_success and [e.code for e in early.errors.deep_errors] == ["91506"]
    bt_fake.settle(sale.id)
    refund = bt.transaction.refund(sale.id, {"amount": "4.00", "order_id": "key-1"}).transaction
    assert (refund.type, refund.refunded_transaction_id, refund.amount) == ("credit", sale.id, braintree.transaction.Decimal("4.00"))
    too_much = bt.transaction.refund(sale.id, "6.01")
    assert [e.code for e in too_much.errors.deep_errors] == ["91521"]
    assert too_much.errors.for_object("transaction").on("amount")[0].message == "Refund amount is too large."
    assert bt.transaction.find(sale.id).refund_ids == [refund.id]


def test_test_amounts_decline_fail_and_reject(bt):
    _, token = customer_with_card(bt)
    declined = bt.transaction.sale({"amount": "2001.00", "payment_method_token": token})
    assert not declined.is_success
    assert (declined.transaction.status, declined.transaction.processor_response_code, declined.transaction.processor_response_text) == \
        ("processor_declined", "2001", "Insufficient Funds")
    assert bt.transaction.sale({"amount": "3000.00", "payment_method_token": token}).transaction.status == "failed"
    rejected = bt.transaction.sale({"amount": "5001.00", "payment_method_token": token}).transaction
    assert (rejected.status, rejected.gateway_rejection_reason) == ("gateway_rejected", "application_incomplete")


def test_only_test_nonces_vault_cards(bt):
    refused = bt.customer.create({"email": "x@example.com", "payment_method_nonce": "fake-consumed-nonce"})
    assert [e.code for e in refused.errors.deep_errors] == ["91564"]
    unknown = bt.customer.create({"email": "x@example.com", "payment_method_nonce": "4111111111111111"})
    assert [e.code for e in unknown.errors.deep_errors] == ["91565"]
    _, token = customer_with_card(bt, nonce="fake-processor-declined-visa-nonce")
    assert bt.transaction.sale({"amount": "10.00", "payment_method_token": token}).transaction.processor_response_code == "2000"


def test_capture_partial_and_void_rules(bt):
    _, token = customer_with_card(bt)
    auth = bt.transaction.sale({"amount": "20.00", "payment_method_token": token}).transaction
    assert [e.code for e in bt.transaction.submit_for_settlement(auth.id, "20.01").errors.deep_errors] == ["91522"]
    captured = bt.transaction.submit_for_settlement(auth.id, "15.00").transaction
    assert (captured.status, str(captured.amount)) == ("submitted_for_settlement", "15.00")
    assert [e.code for e in bt.transaction.submit_for_settlement(auth.id).errors.deep_errors] == ["91507"]
    other = bt.transaction.sale({"amount": "5.00", "payment_method_token": token}).transaction
    assert bt.transaction.void(other.id).transaction.status == "voided"
    assert [e.code for e in bt.transaction.void(other.id).errors.deep_errors] == ["91504"]


def test_search_by_order_id_and_type(bt_fake, bt):
    _, token = customer_with_card(bt)
    sale = bt.transaction.sale({"amount": "10.00", "payment_method_token": token, "options": {"submit_for_settlement": True}}).transaction
    bt_fake.settle(sale.id)
    bt.transaction.refund(sale.id, {"amount": "1.00", "order_id": "our-key"})
    search = braintree.TransactionSearch
    found = list(bt.transaction.search(search.order_id == "our-key", search.type.in_list(["credit"])).items)
    assert [t.refunded_transaction_id for t in found] == [sale.id]
    assert list(bt.transaction.search(search.order_id == "our-key", search.type.in_list(["sale"])).items) == []


def test_search_pages_by_fifty(bt_fake, bt):
    customer, token = customer_with_card(bt)
    for _ in range(60):
        bt_fake.store.sale({"amount": "1.00", "payment_method_token": token})
    collection = bt.transaction.search(braintree.TransactionSearch.customer_id == customer)
    assert len(collection.ids) == 60 and len(list(collection.items)) == 60
    posts = [path for method, path in bt_fake.api.requests if path.endswith("/transactions/advanced_search")]
    assert len(posts) == 2  # 50 + 10


def test_subscriptions_plans_discounts(bt_fake, bt):
    bt_fake.store.plan_add("pro", "Pro", "29.00", "EUR")
    bt_fake.store.modification_add("discount", "ten", "Ten off", "10.00")
    _, token = customer_with_card(bt)
    sub = bt.subscription.create({"plan_id": "pro", "payment_method_token": token, "id": "sub_1"}).subscription
    assert (sub.status, sub.transactions[0].status, sub.billing_period_end_date.day) == ("Active", "submitted_for_settlement", sub.billing_period_end_date.day)
    assert [e.code for e in bt.subscription.create({"plan_id": "pro", "payment_method_token": token, "id": "sub_1"}).errors.deep_errors] == ["81902"]
    assert [e.code for e in bt.subscription.create({"plan_id": "nope", "payment_method_token": token}).errors.deep_errors] == ["91904"]
    updated = bt.subscription.update("sub_1", {"discounts": {"add": [{"inherited_from_id": "ten"}]}}).subscription
    assert [d.id for d in updated.discounts] == ["ten"]
    assert bt.subscription.cancel("sub_1").subscription.status == "Canceled"
    assert [e.code for e in bt.subscription.cancel("sub_1").errors.deep_errors] == ["81905"]
    assert [p.id for p in bt.plan.all()] == ["pro"] and [d.id for d in bt.discount.all()] == ["ten"]


def test_disputes_search_pages(bt_fake, bt):
    _, token = customer_with_card(bt)
    sale = bt.transaction.sale({"amount": "10.00", "payment_method_token": token, "options": {"submit_for_settlement": True}}).transaction
    for _ in range(12):
        bt_fake.open_dispute(sale.id)
    found = list(bt.dispute.search(braintree.DisputeSearch.status.in_list(["open"])).disputes.items)
    assert len(found) == 12 and {d.transaction.id for d in found} == {sale.id}


def test_faults_rate_limit_outage_and_unreachable(bt_fake, bt):
    bt_fake.faults.add("/plans", status=429)
    with pytest.raises(TooManyRequestsError):
        bt.plan.all()
    bt_fake.faults.add("/plans", status=503)
    with pytest.raises(ServiceUnavailableError):
        bt.plan.all()
    assert bt.plan.all() == []
    bt_fake.unreachable = True
    with pytest.raises(requests.exceptions.ConnectionError):  # the SDK does not wrap transport errors by default
        bt.plan.all()
