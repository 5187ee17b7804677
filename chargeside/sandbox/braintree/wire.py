"""Braintree's XML wire format, both ways, for the fake.

Responses: elements named with dashes, typed attributes (`type="integer|boolean|datetime|date|array|collection"`,
`nil="true"`), money as decimal strings ("10.00"), UTC datetimes as `2026-11-27T10:00:00Z` — what the SDK's
`braintree.util.parser.Parser` reads. Requests: what `braintree.util.generator.Generator` writes (element names
as the SDK spells them, underscores; the real gateway accepts dashes too, so both are read the same).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class Array:
    """A typed array: each item rendered as `<item_tag>`; `collection` renders Braintree's search page wrapper."""

    item_tag: str
    items: list
    collection: dict | None = None  # e.g. {"current_page_number": 1, "page_size": 50, "total_items": 3}


def _tag(name: str) -> str:
    return name.replace("_", "-")


def element(name: str, value) -> str:
    tag = _tag(name)
    if value is None:
        return f'<{tag} nil="true"/>'
    if isinstance(value, Array):
        inner = "".join(element(value.item_tag, item) for item in value.items)
        if value.collection is not None:
            head = "".join(element(k, v) for k, v in value.collection.items())
            return f'<{tag} type="collection">{head}{inner}</{tag}>'
        return f'<{tag} type="array">{inner}</{tag}>'
    if isinstance(value, dict):
        return f"<{tag}>" + "".join(element(k, v) for k, v in value.items()) + f"</{tag}>"
    if isinstance(value, bool):
        return f'<{tag} type="boolean">{"true" if value else "false"}</{tag}>'
    if isinstance(value, int):
        return f'<{tag} type="integer">{value}</{tag}>'
    if isinstance(value, dt.datetime):
        return f'<{tag} type="datetime">{value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}</{tag}>'
    if isinstance(value, dt.date):
        return f'<{tag} type="date">{value.isoformat()}</{tag}>'
    if isinstance(value, Decimal):  # money is kept as Decimal quantized to the currency's exponent
        return f"<{tag}>{value}</{tag}>"
    return f"<{tag}>{escape(str(value))}</{tag}>"


def document(name: str, value) -> bytes:
    return (HEADER + element(name, value)).encode("utf-8")


class BadXml(ValueError):
    pass


def parse(body: bytes) -> tuple[str, object]:
    """(root name, value) of a request body; names with underscores, typed values converted."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise BadXml(str(exc)) from None
    return _name(root.tag), _value(root)


def _name(tag: str) -> str:
    return tag.replace("-", "_")


def _value(node: ET.Element):
    kind = node.get("type")
    children = list(node)
    if kind == "array":
        return [_value(child) for child in children]
    if node.get("nil") == "true":
        return None
    if children:
        return {_name(child.tag): _value(child) for child in children}
    text = node.text or ""
    if kind == "boolean":
        return text.strip() in ("true", "1")
    if kind == "integer":
        return int(text)
    if kind == "datetime":
        return dt.datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    return text
