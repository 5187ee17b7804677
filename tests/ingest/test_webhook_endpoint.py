"""POST /hooks/<token>/: every delivery is kept; only verified ones are queued; bad ones get a clear 400."""

import json
import time

import pytest

from chargeside.ingest.models import WebhookDelivery

CUSTOMER = {"id": "cus_T1", "object": "customer", "email": "ayse@example.com", "name": "Ayşe", "created": 1764000000,
            "metadata": {}, "livemode": False}


@pytest.fixture
def body_of(make_event):
    def body(type_="customer.updated", event_id="evt_1", obj=CUSTOMER) -> bytes:
        return json.dumps(make_event(type_, obj, event_id=event_id, created=1764000000), indent=2).encode()

    return body


def test_signed_delivery_is_accepted_and_queued_verbatim(offline_connection, send_webhook, body_of):
    body = body_of()
    response = send_webhook(offline_connection, body, extra_headers={"Authorization": "Basic c2VjcmV0OnNlY3JldA==", "X-Request-Id": "r1"})
    assert (response.status_code, response.json()) == (200, {"status": "accepted"})
    delivery = WebhookDelivery.objects.get()
    assert bytes(delivery.body) == body
    assert (delivery.status, delivery.event_ids, delivery.event_types) == ("pending", ["evt_1"], ["customer.updated"])
    assert (delivery.workspace_id, delivery.connection_id, delivery.attempts) == (offline_connection.workspace_id, offline_connection.id, 0)
    assert delivery.headers["Stripe-Signature"].startswith("t=")
    assert delivery.headers["X-Request-Id"] == "r1"
    assert "Authorization" not in delivery.headers


def test_wrong_secret_is_rejected_and_kept(offline_connection, send_webhook, body_of):
    response = send_webhook(offline_connection, body_of(), secret="whsec_someone_else")
    assert response.status_code == 400
    assert response.json() == {"error": "signature verification failed: no v1 signature matches the body (wrong signing secret, or the body was changed)"}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.reject_reason) == ("rejected", "no v1 signature matches the body (wrong signing secret, or the body was changed)")
    assert bytes(delivery.body) == body_of()
    assert delivery.event_ids == []


def test_body_changed_after_signing_is_rejected(offline_connection, send_webhook, body_of, sign):
    signature = sign(body_of())
    response = send_webhook(offline_connection, body_of().replace(b"ayse@", b"eve@"), signature=signature)
    assert response.status_code == 400
    assert WebhookDelivery.objects.get().status == "rejected"


def test_missing_signature_header_is_rejected(offline_connection, send_webhook, body_of):
    response = send_webhook(offline_connection, body_of(), signature="")
    assert (response.status_code, response.json()) == (400, {"error": "signature verification failed: missing Stripe-Signature header"})
    assert WebhookDelivery.objects.get().reject_reason == "missing Stripe-Signature header"


def test_stale_timestamp_is_rejected_as_replay(offline_connection, send_webhook, body_of):
    response = send_webhook(offline_connection, body_of(), timestamp=int(time.time()) - 301)
    assert response.status_code == 400
    assert WebhookDelivery.objects.get().reject_reason == "timestamp outside the 300s tolerance window"


def test_malformed_json_with_valid_signature_is_rejected(offline_connection, send_webhook):
    response = send_webhook(offline_connection, b'{"id": "evt_1", "object": "event",')
    assert response.status_code == 400
    assert response.json()["error"].startswith("malformed body: webhook body is not JSON")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "rejected"
    assert delivery.reject_reason.startswith("malformed body: webhook body is not JSON")
    assert bytes(delivery.body) == b'{"id": "evt_1", "object": "event",'


def test_json_that_is_not_an_event_is_rejected(offline_connection, send_webhook):
    response = send_webhook(offline_connection, {"hello": "world"})
    assert response.status_code == 400
    assert WebhookDelivery.objects.get().reject_reason == "malformed body: not a Stripe event object (expected object=event with id and type)"


def test_unknown_token_is_404_and_stores_nothing(offline_connection, client, body_of, sign):
    response = client.post("/hooks/not-a-token/", data=body_of(), content_type="application/json",
                           headers={"Stripe-Signature": sign(body_of())})
    assert (response.status_code, response.json()) == (404, {"error": "unknown webhook address"})
    assert WebhookDelivery.objects.count() == 0


def test_disabled_connection_is_404(offline_connection, send_webhook, body_of):
    offline_connection.status = "disabled"
    offline_connection.save()
    assert send_webhook(offline_connection, body_of()).status_code == 404


def test_get_is_not_allowed(offline_connection, client):
    assert client.get(f"/hooks/{offline_connection.webhook_token}/").status_code == 405


def test_unknown_event_type_is_stored_and_ignored(offline_connection, send_webhook, body_of):
    response = send_webhook(offline_connection, body_of(type_="issuing_card.created", event_id="evt_unknown"))
    assert (response.status_code, response.json()) == (200, {"status": "ignored"})
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.event_ids, delivery.event_types) == ("ignored", ["evt_unknown"], ["issuing_card.created"])
    assert delivery.processed_at is not None


def test_body_over_the_limit_is_413_and_recorded(offline_connection, send_webhook, settings, make_event):
    settings.CHARGESIDE_WEBHOOK_MAX_BYTES = 1000
    big = json.dumps(make_event("customer.updated", {**CUSTOMER, "metadata": {"note": "x" * 1200}})).encode()
    response = send_webhook(offline_connection, big)
    assert response.status_code == 413
    assert response.json() == {"error": f"body larger than the 1000-byte limit ({len(big)} bytes)"}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, bytes(delivery.body)) == ("rejected", b"")


def test_body_at_the_limit_is_accepted(offline_connection, send_webhook, settings, body_of):
    body = body_of()
    settings.CHARGESIDE_WEBHOOK_MAX_BYTES = len(body)
    assert send_webhook(offline_connection, body).status_code == 200


def test_connection_of_another_workspace_gets_its_own_rows(offline_connection, other_workspace, send_webhook, body_of):
    from chargeside.connections.models import Connection

    other = Connection(workspace=other_workspace, provider="stripe", name="Stripe", settings={"base_url": "http://127.0.0.1:9"})
    other.set_credentials({"secret_key": "sk_test_other", "webhook_secret": "whsec_other"})
    other.save()
    assert send_webhook(other, body_of(), secret="whsec_other").status_code == 200
    # The other workspace's secret does not open this workspace's endpoint.
    assert send_webhook(offline_connection, body_of(), secret="whsec_other").status_code == 400
    assert list(WebhookDelivery.objects.order_by("id").values_list("workspace_id", "status")) == [
        (other_workspace.id, "pending"), (offline_connection.workspace_id, "rejected")]


def test_verification_crash_on_our_side_is_503_and_kept(workspace, send_webhook, body_of):
    from chargeside.connections.models import Connection

    # a connection whose provider's adapter is not installed (e.g. a plugin was removed)
    orphan = Connection.objects.create(workspace=workspace, provider="removed_plugin", name="Old gateway")
    response = send_webhook(orphan, body_of())
    assert response.status_code == 503
    assert response.json() == {"error": "the delivery could not be verified now; it was kept, please retry"}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.reject_reason) == ("rejected", "could not verify: LookupError")
    assert delivery.error == "No gateway adapter is registered as 'removed_plugin'."
    assert bytes(delivery.body) == body_of()
