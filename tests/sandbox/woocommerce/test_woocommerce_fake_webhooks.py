"""Webhooks from the fake store: the save-time ping, signed deliveries with WooCommerce's headers, failures."""

import base64
import hashlib
import hmac
import json

from chargeside.sandbox.woocommerce.seed import seed


def _register(wcapi, receiver, topic="order.updated", secret="woo_secret"):
    response = wcapi.post("webhooks", {"name": "Chargeside", "topic": topic, "delivery_url": receiver.url, "secret": secret})
    assert response.status_code == 201
    return response.json()


def test_registration_pings_with_a_form_body_and_no_signature(fake, wcapi, receiver):
    hook = _register(wcapi, receiver)
    fake.flush()
    headers, body = receiver.deliveries[0]
    assert body == f"webhook_id={hook['id']}".encode()
    assert "x-wc-webhook-signature" not in headers
    assert (hook["topic"], hook["resource"], hook["event"], hook["status"]) == ("order.updated", "order", "updated", "active")


def test_a_refund_is_delivered_as_a_signed_order_updated(fake, wcapi, receiver):
    hook = _register(wcapi, receiver)
    order = fake.create_order(email="a@example.com", total="30.00")
    wcapi.post(f"orders/{order['id']}/refunds", {"amount": "5.00"})
    fake.flush()
    headers, body = receiver.deliveries[-1]
    expected = base64.b64encode(hmac.new(b"woo_secret", body, hashlib.sha256).digest()).decode()
    assert headers["x-wc-webhook-signature"] == expected
    assert (headers["x-wc-webhook-topic"], headers["x-wc-webhook-resource"], headers["x-wc-webhook-event"]) == ("order.updated", "order", "updated")
    assert (headers["x-wc-webhook-id"], headers["x-wc-webhook-source"]) == (str(hook["id"]), fake.base_url + "/")
    assert len(headers["x-wc-webhook-delivery-id"]) == 32
    assert b"\\/wp-json\\/wc\\/v3\\/orders" in body  # wp_json_encode escapes slashes
    assert json.loads(body)["refunds"][0]["total"] == "-5.00"


def test_only_the_subscribed_topic_is_delivered(fake, wcapi, receiver):
    _register(wcapi, receiver, topic="customer.created")
    fake.create_order(email="a@example.com", total="30.00")
    fake.create_customer("c@example.com", "C", "D")
    fake.flush()
    assert [h.get("x-wc-webhook-topic") for h, _ in receiver.deliveries] == [None, "customer.created"]


def test_a_webhook_is_disabled_after_five_consecutive_failures(fake, wcapi, receiver):
    hook = _register(wcapi, receiver)
    receiver.statuses = [500] * 7
    for _ in range(6):
        fake.create_order(email="a@example.com", total="1.00")
        fake.set_order_status(fake.store.all("order")[-1]["id"], "completed")
    fake.flush()
    assert wcapi.get("webhooks").json()[0]["status"] == "disabled"
    assert hook["status"] == "active"


def test_seed_makes_a_realistic_store(fake, wcapi):
    made = seed(fake, 12)
    orders = wcapi.get("orders", params={"per_page": 100}).json()
    assert {o["currency"] for o in orders} == {"EUR", "USD", "TRY"}
    assert {o["status"] for o in orders} >= {"failed", "on-hold", "refunded"}
    assert any(o["customer_id"] == 0 for o in orders)
    failed = next(o for o in orders if o["status"] == "failed")
    assert wcapi.get(f"orders/{failed['id']}/notes").json()[0]["note"].startswith("Payment failed:")
    statuses = {s["status"] for s in wcapi.get("subscriptions", params={"per_page": 100}).json()}
    assert statuses >= {"active", "on-hold", "pending-cancel", "cancelled"}
    assert len(made["refunds"]) == 7
