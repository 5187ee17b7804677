"""Request signing primitives shared by gateway webhooks, helpdesk requests and panel links.

Everything compares in constant time and works on raw bytes: a signature is checked before the body is
parsed, so a forged request never reaches a JSON parser.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time


class SignatureError(Exception):
    """A request whose signature, timestamp or shape does not verify. `reason` is safe to store and show."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def hmac_hex(key: bytes | str, message: bytes | str, digest=hashlib.sha256) -> str:
    return hmac.new(_b(key), _b(message), digest).hexdigest()


def hmac_b64(key: bytes | str, message: bytes | str, digest=hashlib.sha256) -> str:
    return base64.b64encode(hmac.new(_b(key), _b(message), digest).digest()).decode()


def constant_time_equal(a: str | bytes, b: str | bytes) -> bool:
    return hmac.compare_digest(_b(a), _b(b))


def any_matches(expected: str, candidates: list[str]) -> bool:
    # Evaluate every candidate so the time taken does not reveal which one matched.
    result = False
    for candidate in candidates:
        result |= constant_time_equal(expected, candidate)
    return result


def webhook_tolerance() -> int:
    """The replay window for gateways' and desks' signed timestamps (CHARGESIDE_WEBHOOK_TOLERANCE_SECONDS)."""
    from django.conf import settings

    return int(getattr(settings, "CHARGESIDE_WEBHOOK_TOLERANCE_SECONDS", 300))


def check_timestamp(timestamp: int | float, *, tolerance: int, now: float | None = None) -> None:
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise SignatureError(f"timestamp outside the {tolerance}s tolerance window")


def _b(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode()
