"""One adapter per connection per process, rebuilt whenever the connection's settings or secrets change.

Building an adapter decrypts the connection's credentials (Fernet) and, for SDK-backed adapters, builds
a client; at thousands of webhooks a second that is worth doing once, not per request. The cache key
holds the ciphertext and the settings, so a rotated secret or an edited base URL takes effect at once.
"""

from __future__ import annotations

import copy
import threading

from chargeside.gateways.base import GatewayAdapter
from chargeside.gateways.registry import adapter_for

_MAX_ENTRIES = 256
_cache: dict[int, tuple[str, object, dict, GatewayAdapter]] = {}
_lock = threading.Lock()


def cached_adapter(connection) -> GatewayAdapter:
    # Compared as values (a deep copy of the settings is kept): cheaper per webhook than serialising them.
    entry = _cache.get(connection.pk)
    if (entry is not None and entry[0] == connection.provider and entry[1] == connection.credentials_encrypted
            and entry[2] == connection.settings):
        return entry[3]
    adapter = adapter_for(connection)
    with _lock:
        if len(_cache) >= _MAX_ENTRIES:
            _cache.clear()
        _cache[connection.pk] = (connection.provider, connection.credentials_encrypted, copy.deepcopy(connection.settings), adapter)
    return adapter


def forget_adapters() -> None:
    """Drop every cached adapter (tests that rebuild the fake on the same connection id use this)."""
    with _lock:
        _cache.clear()
