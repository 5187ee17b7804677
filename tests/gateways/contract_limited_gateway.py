"""A stand-in third-party gateway for the tests: the Stripe adapter declaring only refunds and webhooks, with
a harness of its own. Installed the way a real plug-in is, through a `chargeside.gateways` entry point
(`installed_plugin()` writes the distribution metadata into a folder put on sys.path), so the registry,
the capability matrix, the panel, the API and the contract suite all meet it as they would a real one."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

from chargeside.gateways.stripe.adapter import StripeAdapter
from chargeside.gateways.types import Capability
from chargeside.sandbox.stripe.harness import StripeHarness

KEY = "stripe_limited"
MODULE = __name__  # importable: pytest puts this folder on sys.path


class LimitedStripeAdapter(StripeAdapter):
    key = KEY
    display_name = "Limited Stripe"
    capabilities = frozenset({Capability.REFUND, Capability.PARTIAL_REFUND, Capability.WEBHOOKS,
                              Capability.CUSTOMER_SEARCH_EMAIL, Capability.IDEMPOTENCY_KEYS})


class LimitedStripeHarness(StripeHarness):
    provider = KEY


@contextmanager
def installed_plugin(folder: Path):
    """Install the plug-in's entry point for the duration (and clear the registry's cache on both sides)."""
    from chargeside.gateways import registry

    dist = folder / "chargeside_limited_gateway-1.0.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: chargeside-limited-gateway\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[chargeside.gateways]\n{KEY} = {MODULE}:LimitedStripeAdapter\n")
    sys.path.insert(0, str(folder))
    registry.adapters.cache_clear()
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        registry.adapters.cache_clear()
