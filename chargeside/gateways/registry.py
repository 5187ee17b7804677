"""The only place gateway adapters are registered.

Built-in adapters are listed here; third-party packages add theirs through the `chargeside.gateways`
entry-point group (`my_gateway = "my_package.adapter:MyAdapter"`).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module
from importlib.metadata import entry_points

from .base import GatewayAdapter

BUILTIN = {
    "stripe": "chargeside.gateways.stripe.adapter:StripeAdapter",
    "paypal": "chargeside.gateways.paypal.adapter:PayPalAdapter",
    "recurly": "chargeside.gateways.recurly.adapter:RecurlyAdapter",
    "braintree": "chargeside.gateways.braintree.adapter:BraintreeAdapter",
    "woocommerce": "chargeside.gateways.woocommerce.adapter:WooCommerceAdapter",
    "custom_http": "chargeside.gateways.custom_http.adapter:CustomHttpAdapter",
}


def _load(path: str) -> type[GatewayAdapter]:
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


@lru_cache(maxsize=1)
def adapters() -> dict[str, type[GatewayAdapter]]:
    found = {key: _load(path) for key, path in BUILTIN.items()}
    for ep in entry_points(group="chargeside.gateways"):
        if ep.name not in found:
            found[ep.name] = ep.load()
    return found


def adapter_class(provider: str) -> type[GatewayAdapter]:
    try:
        return adapters()[provider]
    except KeyError:
        raise LookupError(f"No gateway adapter is registered as '{provider}'.") from None


def adapter_for(connection) -> GatewayAdapter:
    """Build the adapter for a Connection row (decrypts its credentials)."""
    return adapter_class(connection.provider)(settings=connection.settings, credentials=connection.credentials)
