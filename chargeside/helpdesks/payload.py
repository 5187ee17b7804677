"""Reading what a desk sent, for the desks' context modules: a JSON object from the raw body, a nested object,
a plain text field. Anything else than expected is a DeskPayloadError (the endpoint answers 400), never a crash."""

from __future__ import annotations

import json

from .base import DeskPayloadError


def json_object(body: bytes, *, max_bytes: int | None = None) -> dict:
    if max_bytes is not None and len(body) > max_bytes:
        raise DeskPayloadError("the body is too large")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DeskPayloadError("the body is not JSON") from None
    if not isinstance(payload, dict):
        raise DeskPayloadError("the body is not a JSON object")
    return payload


def object_at(payload: dict, key: str, *, false_is_absent: bool = True) -> dict:
    """`payload[key]` as an object; {} when absent (and, unless told otherwise, when `false`: Help Scout sends
    `"ticket": false` for a draft)."""
    value = payload.get(key)
    if value is None or (false_is_absent and value in (None, False)):
        return {}
    if not isinstance(value, dict):
        raise DeskPayloadError(f"'{key}' is not an object")
    return value


def plain_text(value) -> str:
    """A string or number as stripped text; anything else (objects, lists, booleans) as ""."""
    return str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
