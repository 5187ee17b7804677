"""Cleaning free text that reaches a query: PostgreSQL refuses NUL characters, so they never get that far."""

from __future__ import annotations


def plain(value, max_length: int) -> str:
    """A query parameter as plain text: NUL characters removed, trimmed, at most `max_length` characters."""
    return str(value or "").replace("\x00", "").strip()[:max_length]


def has_nul(value) -> bool:
    """Whether a JSON-like value (str, list, dict) holds a NUL character anywhere."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_nul(v) for v in value)
    return False
