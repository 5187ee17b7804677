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
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

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
_NEVER_STORED_PARTS = re.compile("secret|token|password|api-key|apikey")
CONNECTION_CACHE_SECONDS = 5.0
_MAX_CACHED_CONNECTIONS = 1000
_by_token: dict[str, tuple[float, object]] = {}  # webhook token → (expires at, connection)


def max_body_bytes() -> int:
    return int(getattr(settings, "CHARGESIDE_WEBHOOK_MAX_BYTES", DEFAULT_MAX_BODY_BYTES))


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the endpoint answers (an HTTP status and a short JSON body) and the status the row got."""

    http_status: int
    status: str
    body: dict


def connection_for_token(token: str):
    """The active gateway connection behind a webhook URL, or None.

    Found connections are remembered for CONNECTION_CACHE_SECONDS: the lookup costs as much as the rest of
    the request. So a disabled connection or a rotated signing secret takes up to that long to apply to
    webhooks. Unknown tokens are not remembered (scanners would fill the memory).
    """
    now = time.monotonic()
    hit = _by_token.get(token)
    if hit is not None and hit[0] > now:
        return hit[1]
    from chargeside.connections.models import Connection

    connection = (
        Connection.objects.filter(webhook_token=token, kind=Connection.Kind.GATEWAY)
        .exclude(status=Connection.Status.DISABLED)
        .only("id", "workspace_id", "provider", "settings", "credentials_encrypted")
        .first()
    )
    if connection is not None:
        if len(_by_token) >= _MAX_CACHED_CONNECTIONS:
            _by_token.clear()
        _by_token[token] = (now + CONNECTION_CACHE_SECONDS, connection)
    return connection



def storable_headers(headers: Mapping[str, str]) -> dict[str, str]:
    kept = {}
    for name, value in headers.items():
        lower = name.lower()
        if lower in _NEVER_STORED or _NEVER_STORED_PARTS.search(lower):
            continue
        kept[name] = str(value)[:_MAX_HEADER_VALUE]
        if len(kept) >= _MAX_STORED_HEADERS:
            break
    return kept


def reject_oversized(connection, *, headers: Mapping[str, str], size: int | None) -> Receipt:
    limit = max_body_bytes()
    reason = f"body larger than the {limit}-byte limit" + (f" ({size} bytes)" if size else "")
    _store(connection, headers=headers, body=b"", status=Status.REJECTED, reason=reason)
    return Receipt(413, Status.REJECTED, {"error": reason})


def receive(connection, *, headers: Mapping[str, str], body: bytes, now: float | None = None) -> Receipt:
    """Verify and store one delivery. Never raises for anything the sender controls."""
    now = time.time() if now is None else now
    try:
        adapter = cached_adapter(connection)
        adapter.verify_webhook(headers=headers, body=body, now=now)
    except SignatureError as exc:
        _store(connection, headers=headers, body=body, status=Status.REJECTED, reason=exc.reason)
        return Receipt(400, Status.REJECTED, {"error": f"signature verification failed: {exc.reason}"})
    except Exception as exc:  # our side (missing secret, adapter bug): keep it, let the provider retry
        logger.exception("webhook verification crashed for connection %s", connection.pk)
        reason = f"could not verify: {type(exc).__name__}"
        _store(connection, headers=headers, body=body, status=Status.REJECTED, reason=reason, error=str(exc))
        return Receipt(503, Status.REJECTED, {"error": "the delivery could not be verified now; it was kept, please retry"})

    kept_headers = storable_headers(headers)
    try:
        events = adapter.summarize_webhook(body, headers=kept_headers)
    except Exception as exc:  # ValueError by contract; anything else is a payload the adapter cannot read
        reason = f"malformed body: {exc}"[:300]
        _store(connection, headers=kept_headers, body=body, status=Status.REJECTED, reason=reason)
        return Receipt(400, Status.REJECTED, {"error": reason})

    status = Status.PENDING if any(acts for _id, _type, acts in events) else Status.IGNORED
    _store(connection, headers=kept_headers, body=body, status=status,
           event_ids=[event_id for event_id, _type, _acts in events], event_types=[type_ for _id, type_, _acts in events])
    if status == Status.PENDING:
        from .tasks import request_drain

        request_drain()
        return Receipt(200, status, {"status": "accepted"})
    return Receipt(200, status, {"status": "ignored"})


def _store(connection, *, headers, body: bytes, status: str, reason: str = "", error: str = "",
           event_ids=(), event_types=()) -> None:
    now = timezone.now()
    WebhookDelivery.insert(
        workspace_id=connection.workspace_id, connection_id=connection.pk, received_at=now, next_attempt_at=now,
        body=body, headers=storable_headers(headers), status=status, reject_reason=redact(reason)[:300] if reason else "",
        error=redact(error)[:2000] if error else "", event_ids=list(event_ids), event_types=list(event_types),
        processed_at=now if status == Status.IGNORED else None,
    )
