"""Helpers for the PayPal fake's tests: a started, spec-checked fake and an SDK client on it."""

from __future__ import annotations

from chargeside.gateways.paypal.client import Client
from chargeside.sandbox.paypal import PayPalFake
from chargeside.sandbox.paypal.fake import CLIENT_ID, CLIENT_SECRET


def client_for(fake: PayPalFake, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> Client:
    return Client(client_id=client_id, client_secret=secret, base_url=fake.base_url)


def recording(fake: PayPalFake) -> list[tuple]:
    """Every exchange the fake answers: (method, path, status, body, content type)."""
    exchanges: list[tuple] = []

    def record(method, path, query, headers, body, response):
        if not response.drop:
            exchanges.append((method, path, response.status, response.body, response.headers.get("Content-Type", "")))

    fake.api.observers.append(record)
    return exchanges
