"""Accepting one webhook delivery: keep it, verify it, answer fast.

The endpoint's whole job is to write one row and answer; applying the events happens later, in batches
(`pipeline.process_pending`). The row is written once, with its verdict already known: verification and
parsing are in-memory steps whose every failure, expected or not, is caught and recorded on the row, so
nothing the provider sent is lost, and a separate "store, then update" write would only halve the rate.

The signature is checked over the raw bytes before anything parses them; a body that fails verification
is stored as `rejected` with the reason and never reaches a JSON parser.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings

from chargeside.core.redaction import redact
from chargeside.core.signing import SignatureError

from .adapters import cached_adapter
from .models import WebhookDelivery

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status

# Large enough for a Stripe invoice event with many lines; a body above it is not a webhook we want.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
_MAX_STORED_HEADERS = 40
_MAX_HEADER_VALUE = 1000
# Never stored, whatever the provider: credentials for our endpoint (Chargebee sends Basic auth).
_NEVER_STORED = {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
_NEVER_STORED_PARTS = ("secret", "token", "password", "api-key", "apikey")


def max_body_bytes() -> int:
    return int(getattr(settings, "CHARGESIDE_WEBHOOK_MAX_BYTES", DEFAULT_MAX_BODY_BYTES))


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the endpoint answers: an HTTP status and a short JSON body."""

    http_status: int
    delivery: WebhookDelivery | None
    body: dict


def storable_headers(headers: Mapping[str, str]) -> dict[str, str]:
    kept = {}
    for name, value in headers.items():
        lower = name.lower()
        if lower in _NEVER_STORED or any(part in lower for part in _NEVER_STORED_PARTS):
            continue
        kept[name] = str(value)[:_MAX_HEADER_VALUE]
        if len(kept) >= _MAX_STORED_HEADERS:
            break
    return kept


def reject_oversized(connection, *, headers: Mapping[str, str], size: int | None) -> Receipt:
    limit = max_body_bytes()
    reason = f"body larger than the {limit}-byte limit" + (f" ({size} bytes)" if size else "")
    delivery = _store(connection, headers=headers, body=b"", status=Status.REJECTED, reason=reason)
    return Receipt(413, delivery, {"error": reason})


def receive(connection, *, headers: Mapping[str, str], body: bytes, now: float | None = None) -> Receipt:
    """Verify and store one delivery. Never raises for anything the sender controls."""
    now = time.time() if now is None else now
    try:
        adapter = cached_adapter(connection)
        adapter.verify_webhook(headers=headers, body=body, now=now)
    except SignatureError as exc:
        delivery = _store(connection, headers=headers, body=body, status=Status.REJECTED, reason=exc.reason)
        return Receipt(400, delivery, {"error": f"signature verification failed: {exc.reason}"})
    except Exception as exc:  # our side (missing secret, adapter bug): keep it, let the provider retry
        logger.exception("webhook verification crashed for connection %s", connection.pk)
        reason = f"could not verify: {type(exc).__name__}"
        delivery = _store(connection, headers=headers, body=body, status=Status.REJECTED, reason=reason, error=str(exc))
        return Receipt(503, delivery, {"error": "the delivery could not be verified now; it was kept, please retry"})

    try:
        events = adapter.parse_webhook(body)
    except Exception as exc:  # ValueError by contract; anything else is a payload the adapter cannot read
        reason = f"malformed body: {exc}"[:300]
        delivery = _store(connection, headers=headers, body=body, status=Status.REJECTED, reason=reason)
        return Receipt(400, delivery, {"error": reason})

    actionable = any(event.kind is not None for event in events)
    delivery = _store(
        connection, headers=headers, body=body, status=Status.PENDING if actionable else Status.IGNORED,
        event_ids=[event.event_id for event in events], event_types=[event.type for event in events],
    )
    if actionable:
        from .tasks import request_drain

        request_drain()
        return Receipt(200, delivery, {"status": "accepted"})
    return Receipt(200, delivery, {"status": "ignored"})


def _store(connection, *, headers, body: bytes, status: str, reason: str = "", error: str = "",
           event_ids=(), event_types=()) -> WebhookDelivery:
    from django.utils import timezone

    now = timezone.now()
    return WebhookDelivery.objects.create(
        workspace_id=connection.workspace_id, connection=connection, received_at=now, next_attempt_at=now,
        body=body, headers=storable_headers(headers), status=status, reject_reason=redact(reason)[:300],
        error=redact(error)[:2000], event_ids=list(event_ids), event_types=list(event_types),
        processed_at=now if status == Status.IGNORED else None,
    )
