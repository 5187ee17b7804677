"""The only place helpdesk adapters are registered.

Built-in adapters are listed here; third-party packages add theirs through the `chargeside.helpdesks`
entry-point group (`my_desk = "my_package.adapter:MyDeskAdapter"`).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module
from importlib.metadata import entry_points

from .base import HelpdeskAdapter

BUILTIN = {
    "helpscout": "chargeside.helpdesks.helpscout.adapter:HelpScoutAdapter",
    "freescout": "chargeside.helpdesks.freescout.adapter:FreeScoutAdapter",
    "intercom": "chargeside.helpdesks.intercom.adapter:IntercomAdapter",
    "hubspot": "chargeside.helpdesks.hubspot.adapter:HubSpotAdapter",
    "zendesk": "chargeside.helpdesks.zendesk.adapter:ZendeskAdapter",
    "front": "chargeside.helpdesks.front.adapter:FrontAdapter",
    "freshdesk": "chargeside.helpdesks.freshdesk.adapter:FreshdeskAdapter",
    "crisp": "chargeside.helpdesks.crisp.adapter:CrispAdapter",
}


def _load(path: str) -> type[HelpdeskAdapter]:
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


@lru_cache(maxsize=1)
def adapters() -> dict[str, type[HelpdeskAdapter]]:
    found = {key: _load(path) for key, path in BUILTIN.items()}
    for ep in entry_points(group="chargeside.helpdesks"):
        if ep.name not in found:
            found[ep.name] = ep.load()
    return found


def adapter_class(provider: str) -> type[HelpdeskAdapter]:
    try:
        return adapters()[provider]
    except KeyError:
        raise LookupError(f"No helpdesk adapter is registered as '{provider}'.") from None


def adapter_for(connection) -> HelpdeskAdapter:
    """Build the adapter for a helpdesk Connection row (decrypts its credentials)."""
    return adapter_class(connection.provider)(settings=connection.settings, credentials=connection.credentials)
