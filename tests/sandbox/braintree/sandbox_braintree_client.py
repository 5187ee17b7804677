"""Helpers for the Braintree fake's tests: the official SDK pointed at a running fake (test set-up only)."""

from __future__ import annotations

import braintree


def gateway_for(fake, *, private_key: str | None = None, merchant_id: str | None = None) -> braintree.BraintreeGateway:
    environment = braintree.Environment("fake", "127.0.0.1", str(fake.port), "", False, None)
    return braintree.BraintreeGateway(braintree.Configuration(
        environment, merchant_id=merchant_id or fake.merchant_id, public_key=fake.public_key,
        private_key=private_key or fake.private_key))


def customer_with_card(gateway, email="ada@example.com", nonce="fake-valid-nonce") -> tuple[str, str]:
    result = gateway.customer.create({"first_name": "Ada", "last_name": "Lovelace", "email": email, "payment_method_nonce": nonce})
    assert result.is_success, result
    return result.customer.id, result.customer.credit_cards[0].token
