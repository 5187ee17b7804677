"""Crisp's request signature for web hooks and widget requests (official `crisp-api` Node library, read in its
source `lib/crisp.ts`, `verifyHook` / `verifyWidget` → `__verifySignature`, and its web hooks example):

    X-Crisp-Request-Timestamp: <timestamp>
    X-Crisp-Signature:         lowercase hex HMAC-SHA256(signing secret, "[" + timestamp + ";" + JSON + "]")

where JSON is `JSON.stringify(JSON.parse(body))`: the library re-serialises the parsed body (compact, keys in
received order, non-ASCII as is, "/" unescaped). Crisp sends compact JSON, so the raw bytes are tried first,
and the library's re-serialisation second so a body Crisp spells differently (e.g. "\\u00e9" for "é") still
verifies exactly as Crisp's own library would verify it. The library compares with `===`; we use
compare_digest.

The library enforces no freshness window and its docs give the timestamp's unit nowhere (Crisp's hook bodies
carry milliseconds). We accept seconds or milliseconds (a value above 10^11 is milliseconds) and refuse one
outside CHARGESIDE_WEBHOOK_TOLERANCE_SECONDS (300 s): our choice, stricter than Crisp's library.
"""

from __future__ import annotations

import json

from chargeside.core.signing import (
    SignatureError,
    check_timestamp,
    constant_time_equal,
    hmac_hex,
    webhook_tolerance,
)

SIGNATURE_HEADER = "X-Crisp-Signature"
TIMESTAMP_HEADER = "X-Crisp-Request-Timestamp"
MAX_TIMESTAMP_CHARS = 16


def signed_message(timestamp: str, json_text: bytes) -> bytes:
    return b"[" + timestamp.encode() + b";" + json_text + b"]"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac_hex(secret, signed_message(timestamp, body))


def js_stringify(body: bytes) -> bytes | None:
    """`JSON.stringify(JSON.parse(body))` for the JSON Crisp sends (objects, strings, integers); None if not JSON."""
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return json.dumps(parsed, separators=(",", ":"), ensure_ascii=False).encode()


def seconds(timestamp: str) -> float:
    if not timestamp.isdigit() or len(timestamp) > MAX_TIMESTAMP_CHARS:
        raise SignatureError("the timestamp is not a number")
    value = int(timestamp)
    return value / 1000 if value > 10**11 else float(value)


def verify(secret: str, *, timestamp: str, signature: str, body: bytes, now: float | None = None) -> None:
    if not secret:
        raise SignatureError("the connection has no signing secret")
    timestamp, signature = (timestamp or "").strip(), (signature or "").strip().lower()
    if not timestamp or not signature:
        raise SignatureError("no signature or timestamp header")
    sent_at = seconds(timestamp)
    matched = constant_time_equal(sign(secret, timestamp, body), signature)
    if not matched:
        restated = js_stringify(body)
        matched = restated is not None and restated != body and constant_time_equal(sign(secret, timestamp, restated), signature)
    if not matched:
        raise SignatureError("signature does not match")
    check_timestamp(sent_at, tolerance=webhook_tolerance(), now=now)
