"""Custom HTTP gateway webhooks: verify (signing.py, method WEBHOOK), then parse one event per delivery.

Event: `{"id", "type", "occurred_at", "object_type", "object", "deleted"}`. What Chargeside acts on is
`object_type` (customer, payment, refund, subscription, invoice) and the object's `id`; `type` is the
server's own name, stored as it is. Any other object_type (e.g. the `ping` the contract check asks for)
is stored and ignored. A copy of the object that does not map is dropped and the object re-fetched,
so one malformed payload never loses the event.
"""

from __future__ import annotations

import json
import logging

from chargeside.gateways.types import InboundEvent, ResourceKind

from . import mapping
from .mapping import ContractError, Reader

log = logging.getLogger(__name__)

OBJECT_KINDS = {
    "customer": (ResourceKind.CUSTOMER, mapping.customer),
    "payment": (ResourceKind.CHARGE, mapping.payment),
    "refund": (ResourceKind.REFUND, mapping.refund),
    "subscription": (ResourceKind.SUBSCRIPTION, mapping.subscription),
    "invoice": (ResourceKind.INVOICE, mapping.invoice),
}


def parse(body: bytes) -> list[InboundEvent]:
    """One delivery carries one event. Raises ValueError on a body that is not one."""
    try:
        obj = json.loads(bytes(body))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"webhook body is not JSON: {exc}") from None
    event = Reader(obj, "event")
    event_id, type_ = event.text("id", required=True), event.text("type", required=True)
    occurred_at, deleted = event.time("occurred_at"), event.flag("deleted")
    known = OBJECT_KINDS.get(obj.get("object_type"))
    if known is None:
        return [InboundEvent(event_id=event_id, type=type_, kind=None, occurred_at=occurred_at, raw=obj)]
    kind, mapper = known
    data = obj.get("object")
    remote_id = data.get("id") if isinstance(data, dict) else None
    if not isinstance(remote_id, str) or not remote_id:
        raise ContractError(f"event {event_id!r}: 'object' must be the changed object, with its 'id'")
    try:
        dto = mapper(data)
    except ContractError as exc:
        log.warning("custom HTTP event %s carries an object that does not map (%s); ingest will re-fetch it", event_id, exc)
        dto = None
    return [InboundEvent(event_id=event_id, type=type_, kind=kind, remote_id=remote_id, occurred_at=occurred_at,
                         deleted=deleted, obj=dto, raw=obj)]
