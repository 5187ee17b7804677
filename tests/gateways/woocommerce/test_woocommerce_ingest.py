"""WooCommerce through the shared ingest path: backfill into the database, a signed webhook POSTed to the
connection's URL and drained, duplicates, bad signatures and the ping."""

import pytest

from chargeside.billing.models import Charge, GatewayCustomer, Refund, Subscription
from chargeside.ingest.backfill import backfill
from chargeside.ingest.models import WebhookDelivery
from chargeside.ingest.pipeline import drain
from chargeside.sandbox.woocommerce.seed import seed
from chargeside.sandbox.woocommerce.shapes import php_json

pytestmark = pytest.mark.django_db


def _post(client, connection, headers: dict, body: bytes):
    return client.post(f"/hooks/{connection.webhook_token}/", data=body, content_type=headers.get("Content-Type", "application/json"),
                       headers={k: v for k, v in headers.items() if k != "Content-Type"})


def _order_delivery(fake, order_id, secret="woo_secret"):
    body = php_json(fake.order_json(fake.get_order(order_id)))
    return fake.dispatcher.headers_for(7, secret, "order.updated", body), body


def test_backfill_stores_the_seeded_store(woo_connection, woo_fake):
    made = seed(woo_fake, 9)
    run = backfill(woo_connection, page_size=5)
    assert run.status == "succeeded"
    assert Charge.objects.filter(connection=woo_connection).count() == len(made["orders"])
    assert Refund.objects.filter(connection=woo_connection).count() == len(made["refunds"])
    assert Subscription.objects.filter(connection=woo_connection).count() == len(made["subscriptions"])
    guests = GatewayCustomer.objects.filter(connection=woo_connection, remote_id__startswith="guest:")
    assert sorted(g.email for g in guests) == sorted(made["guests"])
    guest_charge = Charge.objects.get(connection=woo_connection, remote_id=str(made["orders"][-1]["id"]))
    assert guest_charge.gateway_customer.remote_id == f"guest:{made['guests'][-1]}"
    assert {c.currency for c in Charge.objects.filter(connection=woo_connection)} == {"EUR", "USD", "TRY"}
    refund = Refund.objects.filter(connection=woo_connection).first()
    assert refund.charge is not None and refund.currency == refund.charge.currency


def test_a_signed_webhook_updates_the_charge_and_a_duplicate_changes_nothing(client, woo_connection, woo_fake):
    ada = woo_fake.create_customer("ada@example.com", "Ada", "Lovelace")
    order = woo_fake.create_order(customer_id=ada["id"], total="50.00")
    backfill(woo_connection)
    woo_fake.create_refund(order["id"], amount="20.00", reason="Dented")
    headers, body = _order_delivery(woo_fake, order["id"])
    assert _post(client, woo_connection, headers, body).status_code == 200
    result = drain()
    assert result.events_applied == 1
    charge = Charge.objects.get(connection=woo_connection, remote_id=str(order["id"]))
    assert (charge.amount_refunded, charge.status) == (2000, "partially_refunded")
    assert _post(client, woo_connection, headers, body).status_code == 200
    again = drain()
    assert (again.events_applied, again.duplicates) == (0, 1)
    assert Charge.objects.get(pk=charge.pk).amount_refunded == 2000


def test_a_customer_deleted_webhook_marks_the_customer_deleted(client, woo_connection, woo_fake):
    # WooCommerce's deletion body is {"id": N}; only the X-WC-Webhook-Topic header says what was deleted
    ada = woo_fake.create_customer("ada@example.com", "Ada", "Lovelace")
    backfill(woo_connection)
    body = php_json({"id": ada["id"]})
    headers = woo_fake.dispatcher.headers_for(7, "woo_secret", "customer.deleted", body)
    assert _post(client, woo_connection, headers, body).status_code == 200
    assert drain().events_applied == 1
    assert GatewayCustomer.objects.get(connection=woo_connection, remote_id=str(ada["id"])).deleted is True


def test_a_guest_orders_webhook_creates_the_guest(client, woo_connection, woo_fake):
    order = woo_fake.create_order(email="gus@example.org", first_name="Gus", last_name="Guest", total="12.00", currency="TRY")
    headers, body = _order_delivery(woo_fake, order["id"])
    assert _post(client, woo_connection, headers, body).status_code == 200
    drain()
    charge = Charge.objects.get(connection=woo_connection, remote_id=str(order["id"]))
    assert (charge.gateway_customer.remote_id, charge.gateway_customer.name, charge.amount, charge.currency) == ("guest:gus@example.org", "Gus Guest", 1200, "TRY")


def test_bad_signature_is_rejected_and_kept(client, woo_connection, woo_fake):
    order = woo_fake.create_order(email="a@example.org", total="1.00")
    headers, body = _order_delivery(woo_fake, order["id"], secret="not_the_secret")
    response = _post(client, woo_connection, headers, body)
    assert response.status_code == 400
    delivery = WebhookDelivery.objects.get(connection=woo_connection)
    assert delivery.status == "rejected" and "does not match" in delivery.reject_reason


def test_the_ping_is_answered_and_ignored(client, woo_connection):
    response = client.post(f"/hooks/{woo_connection.webhook_token}/", data=b"webhook_id=7", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert WebhookDelivery.objects.get(connection=woo_connection).status == "ignored"


def test_malformed_signed_body_is_rejected(client, woo_connection, woo_fake):
    body = b'{"not":"a resource"}'
    headers = woo_fake.dispatcher.headers_for(7, "woo_secret", "order.updated", body)
    assert _post(client, woo_connection, headers, body).status_code == 400
    assert WebhookDelivery.objects.get(connection=woo_connection).reject_reason.startswith("malformed body")
