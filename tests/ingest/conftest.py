"""Ingest fixtures: an official-SDK client on the fake, an independent Stripe signer, event envelopes.

The signer here is written from the wire description (shared/protocols/gateways.md §1), not imported from
the adapter or the fake, so a test that passes proves the three agree.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import pytest

WEBHOOK_SECRET = "whsec_test_chargeside"  # what tests/conftest.py's stripe_connection stores
API_VERSION = "2026-10-28.endive"


def stripe_signature(body: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def envelope(type_: str, obj: dict, *, event_id: str | None = None, created: int | None = None) -> dict:
    """A snapshot event as Stripe sends it, around an object read from the fake."""
    return {
        "id": event_id or f"evt_test_{uuid.uuid4().hex[:20]}",
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()) if created is None else created,
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type_,
    }


def plain_json(stripe_object) -> dict:
    return stripe_object.to_dict(recursive=True, for_json=True)


@pytest.fixture
def sdk(stripe_fake):
    """The official SDK on the fake, for seeding and changing gateway state like a merchant would."""
    import stripe

    return stripe.StripeClient("sk_test_chargeside", base_addresses={"api": stripe_fake.base_url}, max_network_retries=0)


@pytest.fixture
def send_webhook(client):
    """POST a body to a connection's webhook URL, signed unless told otherwise; returns the response."""

    def send(connection, body: dict | bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None,
             signature: str | None = None, extra_headers: dict | None = None):
        raw = body if isinstance(body, bytes) else json.dumps(body, indent=2).encode()
        headers = dict(extra_headers or {})
        if signature is None:
            signature = stripe_signature(raw, secret=secret, timestamp=timestamp)
        if signature:
            headers["Stripe-Signature"] = signature
        return client.post(f"/hooks/{connection.webhook_token}/", data=raw, content_type="application/json", headers=headers)

    return send


@pytest.fixture
def offline_connection(workspace):
    """A Stripe connection whose API is never called (verification needs only the signing secret)."""
    from chargeside.connections.models import Connection

    connection = Connection(workspace=workspace, provider="stripe", name="Stripe offline", settings={"base_url": "http://127.0.0.1:9"})
    connection.set_credentials({"secret_key": "sk_test_offline", "webhook_secret": WEBHOOK_SECRET})
    connection.save()
    return connection


@pytest.fixture
def seed_customers(sdk):
    def seed(count: int, prefix: str = "customer") -> list[str]:
        return [sdk.v1.customers.create(params={"email": f"{prefix}{i}@example.com", "name": f"Customer {i}"}).id for i in range(count)]

    return seed


@pytest.fixture
def pay(sdk):
    """A succeeded card charge of `amount` for a customer; returns the charge as JSON."""

    def charge(customer_id: str, amount: int = 5000, currency: str = "eur") -> dict:
        intent = sdk.v1.payment_intents.create(params={
            "amount": amount, "currency": currency, "customer": customer_id, "payment_method": "pm_card_visa", "confirm": True,
        })
        return plain_json(sdk.v1.charges.retrieve(intent.latest_charge))

    return charge


@pytest.fixture
def sign():
    """The independent signer: sign(body, secret=..., timestamp=...) → Stripe-Signature value."""
    return stripe_signature


@pytest.fixture
def make_event():
    """make_event(type, obj, event_id=..., created=...) → a Stripe event envelope dict."""
    return envelope


@pytest.fixture
def as_json():
    """as_json(sdk_object) → the object as the JSON Stripe sends (what an event's data.object holds)."""
    return plain_json
