"""Recurly JSON webhook signatures (verified on raw bytes, before any parsing) and notification parsing.

Header `recurly-signature: <timestamp>,<hex>[,<hex>...]`: HMAC-SHA256 over `f"{timestamp}.{raw body}"` keyed
with the endpoint's secret (its UTF-8 bytes), lowercase hex. During the 24 hours after a secret rotation
Recurly sends two signatures; any one matching passes. The docs say the timestamp is in milliseconds but
show a 10-digit example, so both units are read (a value above 10^11 is milliseconds). It must be within
`tolerance` seconds of now either way (replay protection; Recurly documents no window, we use 5 minutes).
XML webhooks are unsigned and not accepted here.

A v2021 JSON notification names an object and what happened to it, and carries no copy of it:
`{"id", "object_type", "site_id", "event_type", "event_time", "uuid", ...}` (account notifications also
`account_code`). It has no notification id of its own, so the event id is built from what identifies the
change: object type, event type, object id and event time (a redelivery repeats all four).
Our reading where the docs are silent: `id` is the object's id, and for `billing_info` notifications the
account's id (billing info is fetched through its account); a `payment` notification names the transaction
that event is about, so `payment`/`refunded` names the refund transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from chargeside.core.signing import SignatureError, any_matches, check_timestamp, hmac_hex
from chargeside.gateways.types import InboundEvent
from chargeside.gateways.types import ResourceKind as K

from .mapping import ts

HEADER = "recurly-signature"
DEFAULT_TOLERANCE = 300
MS_THRESHOLD = 10**11  # seconds reach 10^11 in the year 5138; milliseconds passed it in 1973

OBJECT_KINDS: dict[str, K] = {
    "account": K.CUSTOMER,
    "billing_info": K.PAYMENT_METHOD,
    "subscription": K.SUBSCRIPTION,
    "charge_invoice": K.INVOICE,
    "credit_invoice": K.INVOICE,
    "payment": K.CHARGE,
    "plan": K.PRODUCT,
    "coupon": K.COUPON,
}
# (object type, event type) pairs whose object is not what OBJECT_KINDS says.
EVENT_KINDS: dict[tuple[str, str], K] = {("payment", "refunded"): K.REFUND}
DELETIONS = frozenset({("plan", "deleted"), ("billing_info", "deleted")})


def _header(headers: Mapping[str, str]) -> str:
    for name, value in headers.items():
        if name.lower() == HEADER or name.upper() == "HTTP_RECURLY_SIGNATURE":  # also a WSGI environ / request.META
            return value
    raise SignatureError("missing recurly-signature header")


def _parse_header(value: str) -> tuple[str, list[str]]:
    parts = [p.strip() for p in value.split(",")]
    if len(parts) < 2 or not parts[0].isascii() or not parts[0].isdigit():
        raise SignatureError("garbled recurly-signature header (expected <timestamp>,<signature>[,<signature>])")
    signatures = [p for p in parts[1:] if p]
    if not signatures:
        raise SignatureError("no signature in recurly-signature header")
    return parts[0], signatures


def seconds(timestamp: str) -> float:
    value = int(timestamp)
    return value / 1000 if value >= MS_THRESHOLD else float(value)


def verify(headers: Mapping[str, str], body: bytes, secret: str, tolerance: int = DEFAULT_TOLERANCE, now: float | None = None) -> None:
    """Raise SignatureError unless `body` carries a valid, fresh Recurly signature for `secret`."""
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError("verify() needs the raw body bytes, not decoded text")
    if not secret:
        raise SignatureError("no webhook signing secret is configured for this connection")
    timestamp, candidates = _parse_header(_header(headers))
    # Signed as the header spells the timestamp: "0017…" must not be normalised.
    expected = hmac_hex(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + bytes(body))
    if not any_matches(expected, [c.lower() for c in candidates]):
        raise SignatureError("no signature matches the body (wrong signing secret, or the body was changed)")
    check_timestamp(seconds(timestamp), tolerance=tolerance, now=now)


def signature_header(body: bytes, secret: str, timestamp_ms: int) -> str:
    """The header value Recurly would send (used by the fake and tests)."""
    return f"{timestamp_ms},{hmac_hex(secret.encode('utf-8'), str(timestamp_ms).encode('ascii') + b'.' + body)}"


def notification(obj) -> InboundEvent:
    if not isinstance(obj, dict):
        raise ValueError("a Recurly notification is a JSON object")
    object_type, event_type, object_id = obj.get("object_type"), obj.get("event_type"), obj.get("id")
    if not (isinstance(object_type, str) and object_type and isinstance(event_type, str) and event_type and isinstance(object_id, str) and object_id):
        raise ValueError("not a Recurly JSON notification (needs id, object_type and event_type)")
    try:
        occurred = ts(obj.get("event_time"))
    except (TypeError, ValueError):
        raise ValueError(f"unreadable event_time {obj.get('event_time')!r}") from None
    kind = EVENT_KINDS.get((object_type, event_type), OBJECT_KINDS.get(object_type))
    event_id = f"{object_type}.{event_type}:{object_id}:{obj.get('event_time') or obj.get('uuid') or ''}"
    return InboundEvent(
        event_id=event_id, type=f"{object_type}.{event_type}", kind=kind, remote_id=object_id if kind else "",
        occurred_at=occurred, deleted=kind is not None and (object_type, event_type) in DELETIONS, obj=None, raw=obj,
    )


def parse(body: bytes) -> list[InboundEvent]:
    """One Recurly delivery carries one notification. Raises ValueError on anything else."""
    try:
        obj = json.loads(bytes(body))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"webhook body is not JSON: {exc}") from None
    return [notification(obj)]
