"""``expand[]`` support: replace id strings at dotted paths with the objects they name.

Works at any depth (``data.default_payment_method``, ``latest_invoice.payment_intent``,
``items.data.price.product``). A few fields are lists Stripe only includes on request
(``charge.refunds``, ``customer.subscriptions``, ``customer.tax_ids``); those are built here.
"""

from __future__ import annotations

from collections.abc import Callable

from . import errors, shapes
from .store import Store

# Stripe's limit, counted in dotted parts with a list's leading "data" included: its docs give
# data.payment_intent.customer.default_source as the deepest charge-list expansion, and
# data.items.data.price.product on a subscription list fails in production with the error below
# (wording as quoted in several public projects' notes and tests).
MAX_DEPTH = 4


def check(paths: list[str]) -> None:
    """Refuse (400, before anything runs) an expansion deeper than Stripe allows."""
    for path in paths:
        if len(path.split(".")) > MAX_DEPTH:
            # A parameter error: nothing ran, so no idempotent result is kept.
            raise errors.invalid_request(f"You cannot expand more than {MAX_DEPTH} levels of a property. "
                                         f"Property: {path}", store_idempotent=False)


def _list(url: str, items: list[dict]) -> dict:
    return {"object": "list", "data": items, "has_more": False, "total_count": len(items), "url": url}


_VIRTUAL: dict[tuple[str, str], Callable[[Store, dict], dict]] = {
    ("charge", "refunds"): lambda s, o: _list(
        f"/v1/charges/{o['id']}/refunds",
        [shapes.public(r) for r in s.find("refund", {"charge": o["id"]}, limit=100)],
    ),
    ("customer", "subscriptions"): lambda s, o: _list(
        f"/v1/customers/{o['id']}/subscriptions",
        [shapes.public(r) for r in s.find("subscription", {"customer": o["id"]}, limit=100)
         if r["status"] != "canceled"],
    ),
    ("customer", "tax_ids"): lambda s, o: _list(
        f"/v1/customers/{o['id']}/tax_ids",
        [shapes.public(r) for r in s.find("tax_id", {"customer": o["id"]}, limit=100)],
    ),
}


def expand(store: Store, obj: dict, paths: list[str]) -> dict:
    for path in paths:
        parts = path.split(".")
        _walk(store, obj, parts)
    return obj


def _walk(store: Store, node, parts: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(store, item, parts)
        return
    if not isinstance(node, dict) or not parts:
        return
    key, rest = parts[0], parts[1:]
    virtual = _VIRTUAL.get((node.get("object"), key))
    if virtual is not None and not isinstance(node.get(key), dict) and node.get("id"):
        node[key] = virtual(store, node)
    value = node.get(key)
    if isinstance(value, str):
        value = _fetch(store, value)
        if value is not None:
            node[key] = value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                fetched = _fetch(store, item)
                if fetched is not None:
                    value[i] = fetched
    if rest:
        _walk(store, node.get(key), rest)


def _fetch(store: Store, object_id: str) -> dict | None:
    found = store.get(object_id)
    return shapes.public(found) if found is not None else None
