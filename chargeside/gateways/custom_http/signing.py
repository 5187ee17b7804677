"""The custom HTTP gateway's signing scheme, used in both directions (docs/custom-gateways.md, "Signing").

Signed message (bytes): `<timestamp> LF <METHOD> LF <target> LF <idempotency key> LF <body>`

* timestamp: decimal Unix seconds, exactly as sent in `X-Chargeside-Timestamp`;
* METHOD: the HTTP method in upper case for API requests, the literal `WEBHOOK` for webhooks;
* target: for API requests the path and query after the base URL, exactly as sent (percent-encoding left
  as it is), e.g. `/v1/customers?email=ada%40example.com`; empty for webhooks;
* idempotency key: the `Idempotency-Key` header of a write; empty for reads and webhooks;
* body: the raw body bytes (empty for a GET).

Why this shape: no field but the body can hold a LF, so the first four LFs split the message unambiguously
and the body needs no escaping or hashing. The key is signed because a captured refund replayed inside the
window with a *fresh* key would otherwise be a second refund; signed, a replay can only repeat its key, which
the server answers from its idempotency store. The method field keeps the two directions apart: the same
shared secret signs both, and no HTTP method is called WEBHOOK, so a request Chargeside signed can never
pass as a webhook to Chargeside, nor a webhook as a request to the server.

Header `X-Chargeside-Signature: v1=<hex>[,v1=<hex>...]`: lowercase hex HMAC-SHA256 keyed with the shared
secret's UTF-8 bytes. One `v1` per secret in use, so either side can rotate its secret without a window in
which the other side refuses it; a verifier accepts the message if any `v1` matches any of its secrets.
The timestamp must be within TOLERANCE seconds of the verifier's clock, either way (replay window).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

from chargeside.core.signing import SignatureError, any_matches, check_timestamp, hmac_hex

TIMESTAMP_HEADER = "X-Chargeside-Timestamp"
SIGNATURE_HEADER = "X-Chargeside-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
WEBHOOK_METHOD = "WEBHOOK"
TOLERANCE = 300  # seconds
SCHEME = "v1"


def message(timestamp: str, method: str, target: str, key: str, body: bytes) -> bytes:
    for name, value in (("timestamp", timestamp), ("method", method), ("target", target), ("idempotency key", key)):
        if "\n" in value or "\r" in value:
            raise ValueError(f"the {name} of a signed message cannot contain a line break")
    return f"{timestamp}\n{method}\n{target}\n{key}\n".encode() + bytes(body)


def signature(secret: str, timestamp: str, method: str, target: str, key: str, body: bytes) -> str:
    """Lowercase hex HMAC-SHA256 of the message, keyed with the secret's UTF-8 bytes."""
    return hmac_hex(secret.encode("utf-8"), message(timestamp, method, target, key, body))


def sign(secrets: Iterable[str], method: str, target: str, key: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The two headers for a message, signed with every secret given (current first)."""
    timestamp = str(int(time.time() if now is None else now))
    values = [f"{SCHEME}={signature(s, timestamp, method, target, key, body)}" for s in secrets if s]
    if not values:
        raise SignatureError("no shared secret is configured")
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: ",".join(values)}


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, case-insensitively; also finds a WSGI environ / request.META spelling."""
    wanted, meta = name.lower(), "HTTP_" + name.upper().replace("-", "_")
    for key, value in headers.items():
        if key.lower() == wanted or key == meta:
            return value
    return None


def verify(headers: Mapping[str, str], method: str, target: str, key: str, body: bytes, secrets: Iterable[str], *,
           tolerance: int = TOLERANCE, now: float | None = None) -> None:
    """Raise SignatureError unless the message carries a fresh `v1` signature by one of `secrets`."""
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError("verify() needs the raw body bytes, not decoded text")
    secrets = [s for s in secrets if s]
    if not secrets:
        raise SignatureError("no shared secret is configured for this connection")
    timestamp = header(headers, TIMESTAMP_HEADER)
    if timestamp is None:
        raise SignatureError(f"missing {TIMESTAMP_HEADER} header")
    timestamp = timestamp.strip()
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureError(f"{TIMESTAMP_HEADER} must be decimal Unix seconds")
    value = header(headers, SIGNATURE_HEADER)
    if value is None:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    candidates = []
    for part in value.split(","):
        scheme, sep, digest = part.strip().partition("=")
        if not sep:
            raise SignatureError(f"garbled {SIGNATURE_HEADER} header (expected v1=<hex>)")
        if scheme == SCHEME:
            candidates.append(digest.strip())
    if not candidates:
        raise SignatureError(f"no v1 signature in {SIGNATURE_HEADER} header")
    if "\n" in key or "\r" in key:
        raise SignatureError(f"{IDEMPOTENCY_HEADER} cannot contain a line break")
    # Every secret is tried against every candidate so timing reveals neither which matched.
    matched = False
    for secret in secrets:
        matched |= any_matches(signature(secret, timestamp, method, target, key, body), candidates)
    if not matched:
        raise SignatureError("no v1 signature matches (wrong shared secret, or the message was changed)")
    check_timestamp(int(timestamp), tolerance=tolerance, now=now)


def verify_webhook(headers: Mapping[str, str], body: bytes, secrets: Iterable[str], *, now: float | None = None) -> None:
    """A webhook signs an empty target and an empty idempotency key."""
    verify(headers, WEBHOOK_METHOD, "", "", body, secrets, now=now)


def sign_webhook(secrets: Iterable[str], body: bytes, *, now: float | None = None) -> dict[str, str]:
    return sign(secrets, WEBHOOK_METHOD, "", "", body, now=now)
