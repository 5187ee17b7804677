"""The official SDK client the fake's tests use (a module of its own: test modules must not import
`conftest`, whose name is shared by every test folder)."""

from __future__ import annotations

import stripe

API_KEY = "sk_test_sandbox_4eC39HqLyjWDarjtT1zdp7dc"


def make_client(base_url: str, api_key: str = API_KEY, retries: int = 0) -> stripe.StripeClient:
    return stripe.StripeClient(api_key, base_addresses={"api": base_url}, max_network_retries=retries)
