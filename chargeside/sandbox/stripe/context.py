"""Per-request context handed to every resource handler (and to test controls)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from . import errors, events, legacy, shapes
from .ids import new_id

if TYPE_CHECKING:
    from .fake import StripeFake

# How Stripe names each type in "No such …" messages.
_KINDS = {"payment_method": "PaymentMethod", "setup_intent": "setupintent", "promotion_code": "promotion code"}


class Clock:
    """Unix time plus an offset that test controls can advance."""

    def __init__(self, offset: int = 0):
        self.offset = offset

    def now(self) -> int:
        return int(time.time()) + self.offset


class Committed(Exception):
    """Raised by a handler to keep its state changes but still answer with ``error``.

    A declined payment is the example: the failed charge, the intent's new status and the
    events are real, and the API still answers 402.
    """

    def __init__(self, error: errors.StripeError):
        super().__init__(error.message)
        self.error = error


class Ctx:
    def __init__(self, fake: StripeFake, *, method: str = "POST", path: str = "",
                 params: dict | None = None, request_id: str | None = None,
                 idem_key: str | None = None, base_url: str | None = None, api_key: str | None = None):
        self.fake = fake
        self.store = fake.store
        self.params = params or {}
        self.method = method
        self.path = path
        self.request_id = request_id
        self.idem_key = idem_key
        self.api_key = api_key  # the caller's key (None for test controls)
        self.base_url = base_url or fake.base_url or "http://127.0.0.1"
        self.now = fake.clock.now()
        self.events: list[dict] = []
        self._endpoints: list[dict] | None = None

    def new_id(self, prefix: str) -> str:
        return new_id(prefix)

    def load(self, type_: str, object_id, param: str = "id") -> dict:
        if not isinstance(object_id, str) or not object_id:
            raise errors.missing_param(param)
        obj = self.store.get(object_id, type_)
        if obj is None:
            raise errors.no_such(_KINDS.get(type_, type_), object_id, param)
        return obj

    def save(self, obj: dict) -> dict:
        self.store.put(obj)
        return obj

    def emit(self, type_: str, obj: dict, previous: dict | None = None) -> dict:
        if self._endpoints is None:
            self._endpoints = self.fake.webhook_endpoints()
        pending = sum(
            1 for ep in self._endpoints
            if ep.get("status") == "enabled" and events.matches(ep["enabled_events"], type_)
        )
        if not self.fake.legacy_fields:
            gone = legacy.REMOVED.get(obj["object"], ())
            obj = legacy.strip(obj)
            previous = previous and {k: legacy.strip(v) for k, v in previous.items() if k not in gone}
        event = events.build(
            type_, obj, now=self.now, request_id=self.request_id, idem_key=self.idem_key,
            previous=previous, pending=pending,
        )
        self.store.put(event)
        self.events.append(event)
        return event

    def changed(self, type_: str, before: dict, after: dict) -> dict:
        """Save ``after`` and emit ``type_`` with ``previous_attributes`` when it differs."""
        self.save(after)
        previous = events.diff(before, after)
        if previous:
            self.emit(type_, after, previous)
        return after

    def listing(self, url: str, page) -> dict:
        return {
            "object": "list",
            "data": [shapes.public(o) for o in page.items],
            "has_more": page.has_more,
            "url": url,
        }
