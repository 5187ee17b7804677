"""Default field values per object type, used to keep stored JSON small.

A stored body holds only the fields that differ from the type's defaults (a seeded charge
is ~400 bytes instead of ~2.5 KB); :func:`inflate` rebuilds the full object. Resource
modules register their defaults with :func:`register`. Top-level keys starting with ``_``
are private to the fake (e.g. a test card's decline behaviour) and never leave it.
"""

from __future__ import annotations

import json

_DEFAULTS: dict[str, dict] = {}
_TEMPLATES: dict[str, str] = {}
_KEYS_IN_COLUMNS = ("id", "object", "created")


def register(type_: str, defaults: dict) -> None:
    defaults = {k: v for k, v in defaults.items() if k not in _KEYS_IN_COLUMNS}
    defaults["livemode"] = False
    _DEFAULTS[type_] = defaults
    _TEMPLATES[type_] = json.dumps(defaults, separators=(",", ":"))


def defaults(type_: str) -> dict:
    """A fresh full-default object body for ``type_`` (safe to mutate)."""
    return json.loads(_TEMPLATES.get(type_, "{}"))


def compact(obj: dict) -> str:
    base = _DEFAULTS.get(obj["object"], {})
    slim = {
        k: v
        for k, v in obj.items()
        if k not in _KEYS_IN_COLUMNS and not (k in base and base[k] == v)
    }
    return json.dumps(slim, separators=(",", ":"), ensure_ascii=False)


def inflate(type_: str, object_id: str, created: int, body: str) -> dict:
    obj = {"id": object_id, "object": type_}
    obj.update(json.loads(_TEMPLATES.get(type_, "{}")))
    obj["created"] = created
    obj.update(json.loads(body))
    return obj


def public(obj: dict) -> dict:
    """Strip private (``_``-prefixed) top-level keys; only top levels ever carry them."""
    return {k: v for k, v in obj.items() if k[:1] != "_"}
