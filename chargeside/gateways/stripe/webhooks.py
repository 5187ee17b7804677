"""Stripe webhook signatures (verify on raw bytes, before any parsing) and event parsing.

Header `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`. Signed bytes are `f"{t}."` followed by
the raw body exactly as received; HMAC-SHA256 keyed with the endpoint secret string `whsec_...` used as its
UTF-8 bytes (not base64-decoded), lowercase hex. Several v1 entries appear while a secret is being rolled;
any one matching passes. Other schemes (`v0` test-mode signatures, future ones) are ignored. The timestamp
must be within `tolerance` seconds of now in either direction (replay protection; Stripe's default 300 s).
Parsing happens only after verification, so a forged body never reaches the JSON parser.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from chargeside.core.signing import (
    SignatureError,
    any_matches,
    check_timestamp,
    hmac_hex,
)
from chargeside.gateways.types import InboundEvent

from . import mapping

HEADER = "stripe-signature"
DEFAULT_TOLERANCE = 300


def _header(headers: Mapping[str, str]) -> str:
    for name, value in headers.items():
        if name.lower() == HEADER or name.upper() == "HTTP_STRIPE_SIGNATURE":  # also a WSGI environ / request.META
            return value
    raise SignatureError("missing Stripe-Signature header")


def _parse_header(value: str) -> tuple[str, list[str]]:
    timestamps: list[str] = []
    v1: list[str] = []
    for part in value.split(","):
        key, sep, item = part.strip().partition("=")
        if not sep or not key:
            raise SignatureError("garbled Stripe-Signature header (expected t=...,v1=...)")
        if key == "t":
            timestamps.append(item.strip())
        elif key == "v1":
            v1.append(item.strip())
    if len(timestamps) != 1 or not timestamps[0].isascii() or not timestamps[0].isdigit():
        raise SignatureError("garbled Stripe-Signature header (needs exactly one numeric t=)")
    if not v1:
        raise SignatureError("no v1 signature in Stripe-Signature header")
    return timestamps[0], v1


def verify(headers: Mapping[str, str], body: bytes, secret: str, tolerance: int = DEFAULT_TOLERANCE, now: float | None = None) -> None:
    """Raise SignatureError unless `body` carries a valid, fresh Stripe signature for `secret`."""
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError("verify() needs the raw body bytes, not decoded text")
    if not secret:
        raise SignatureError("no webhook signing secret is configured for this connection")
    timestamp, candidates = _parse_header(_header(headers))
    # The timestamp is signed as the header spells it, so "0017…" must not be normalised to "17…".
    expected = hmac_hex(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + bytes(body))
    if not any_matches(expected, candidates):
        raise SignatureError("no v1 signature matches the body (wrong signing secret, or the body was changed)")
    check_timestamp(int(timestamp), tolerance=tolerance, now=now)


def _load(body: bytes) -> dict:
    try:
        return json.loads(bytes(body))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"webhook body is not JSON: {exc}") from None


def parse(body: bytes) -> list[InboundEvent]:
    """One Stripe delivery carries one snapshot event. Raises ValueError on anything else."""
    return [mapping.event(_load(body))]


def summarize(body: bytes) -> list[tuple[str, str, bool]]:
    """What `parse` would find (id, type, acted on), without mapping the payload: the endpoint's share."""
    from .events import summary

    return [summary(_load(body))]
