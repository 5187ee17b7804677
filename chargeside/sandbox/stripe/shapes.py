"""Default field values per object type, used to keep stored JSON small.

A stored body holds only what differs from the type's defaults; :func:`inflate` rebuilds
the full object. Two refinements keep the big objects small too:

* ``nested`` keys hold Stripe objects (invoice lines, subscription items, prices, plans,
  coupons, an event's ``data.object``); each such object is stored as its own diff against
  its type's defaults, marked ``"~": 1``, and the top-level key is stored as ``"~key"``.
* ``deep`` keys are plain nested dicts (a charge's ``payment_method_details``) stored as a
  recursive diff against the default, under ``"^key"``.

Top-level keys starting with ``_`` are private to the fake (e.g. a test card's decline
behaviour) and never leave it (see :func:`public`).
"""

from __future__ import annotations

import json
import threading

_DEFAULTS: dict[str, dict] = {}
_TEMPLATES: dict[str, str] = {}
_NESTED: dict[str, tuple] = {}
_DEEP: dict[str, tuple] = {}
_NO_CREATED: set[str] = set()  # types the API shows without ``created`` (listed by ``start``/``date``)
_KEYS_IN_COLUMNS = ("id", "object", "created")
_MISSING = object()
_IN_COLUMN = object()  # marks id/object/created in _BASES: kept in their own columns, not the body
_BASES: dict[str, dict] = {}  # defaults plus the column keys, so compact() needs one lookup per key

# One encoder for every body: json.dumps() with options builds a new encoder per call.
dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def register(type_: str, defaults: dict, *, nested: tuple = (), deep: tuple = (),
             livemode: bool = True, created: bool = True) -> None:
    """``livemode=False`` for objects Stripe never gives a livemode (discounts, items);
    ``created=False`` for objects without a ``created`` field (discounts: ``start``, invoice
    items: ``date``)."""
    defaults = {k: v for k, v in defaults.items() if k not in _KEYS_IN_COLUMNS}
    if livemode:
        defaults["livemode"] = False
    _DEFAULTS[type_] = defaults
    _BASES[type_] = {**defaults, **dict.fromkeys(_KEYS_IN_COLUMNS, _IN_COLUMN)}
    _TEMPLATES[type_] = json.dumps(defaults, separators=(",", ":"))
    _NESTED[type_] = tuple(nested)
    _DEEP[type_] = tuple(deep)
    if not created:
        _NO_CREATED.add(type_)


_mode = threading.local()  # per thread, so a seeding thread never affects request threads


def defaults(type_: str) -> dict:
    """A fresh full-default object body for ``type_`` (safe to mutate).

    Inside :func:`shallow_defaults` the nested default values are shared instead of copied:
    several times faster, for bulk seeding whose builders only assign top-level keys.
    """
    if getattr(_mode, "shallow", False):
        return dict(_DEFAULTS.get(type_, {}))
    return json.loads(_TEMPLATES.get(type_, "{}"))


class shallow_defaults:
    def __enter__(self):
        _mode.shallow = True

    def __exit__(self, *exc):
        _mode.shallow = False


# -- packing ----------------------------------------------------------------------------------


_CONTAINERS = (dict, list)

# Catalogue objects are copied into many bodies (a price into every invoice line and subscription
# item): their packed form is cached by id, and reused while the copy is still equal to it.
_SHARED = frozenset({"price", "plan", "product", "coupon"})
_PACKED: dict[tuple[str, str], tuple[dict, dict]] = {}
_PACKED_MAX = 2000


def _pack(value):
    """Replace registered Stripe objects inside ``value`` by their diffs (recursively).

    The result may share parts with earlier results: serialise it, never change it.
    """
    if type(value) is list:
        return [_pack(v) if type(v) in _CONTAINERS else v for v in value]
    kind_name = value.get("object")
    base = _DEFAULTS.get(kind_name) if type(kind_name) is str else None
    if base is None or not base.keys() <= value.keys():  # e.g. {"deleted": true} stubs
        return {k: _pack(v) if type(v) in _CONTAINERS else v for k, v in value.items()}
    key = (kind_name, value.get("id")) if kind_name in _SHARED else None
    if key is not None:
        hit = _PACKED.get(key)
        if hit is not None and hit[0] == value:
            return hit[1]
    out = {"~": 1}
    get = base.get
    for k, v in value.items():
        if get(k, _MISSING) != v:
            out[k] = _pack(v) if type(v) in _CONTAINERS else v
    if key is not None:
        if len(_PACKED) >= _PACKED_MAX:
            _PACKED.clear()
        _PACKED[key] = (json.loads(dumps(value)), out)  # a private copy: callers may change theirs
    return out


def _unpack(value):
    kind = type(value)
    if kind is dict:
        if value.get("~") == 1:
            obj = json.loads(_TEMPLATES[value["object"]])
            for k, v in value.items():
                if k != "~":
                    obj[k] = _unpack(v)
            return obj
        return {k: _unpack(v) for k, v in value.items()}
    if kind is list:
        return [_unpack(v) for v in value]
    return value


def _deep_diff(value: dict, base: dict) -> dict | None:
    """A diff that :func:`_deep_merge` turns back into ``value``; None if keys were removed."""
    if not base.keys() <= value.keys():
        return None
    out = {}
    for k, v in value.items():
        b = base.get(k, _MISSING)
        if v == b:
            continue
        if type(v) is dict and type(b) is dict:
            sub = _deep_diff(v, b)
            if sub is None:
                return None
            out[k] = sub
        else:
            out[k] = v
    return out


def _deep_merge(base, diff: dict) -> dict:
    out = dict(base)
    for k, v in diff.items():
        b = out.get(k)
        out[k] = _deep_merge(b, v) if type(v) is dict and type(b) is dict else v
    return out


_NO_BASE = dict.fromkeys(_KEYS_IN_COLUMNS, _IN_COLUMN)


def compact(obj: dict) -> str:
    type_ = obj["object"]
    get = _BASES.get(type_, _NO_BASE).get
    nested, deep = _NESTED.get(type_, ()), _DEEP.get(type_, ())
    slim = {}
    for k, v in obj.items():
        b = get(k, _MISSING)
        if b is v or b is _IN_COLUMN or b == v:  # `is`: values shared with the defaults (bulk seeding)
            continue
        if k in nested and type(v) in _CONTAINERS:
            slim["~" + k] = _pack(v)
        elif k in deep and type(v) is dict and type(b) is dict:
            diff = _deep_diff(v, b)
            if diff is None:
                slim[k] = v
            else:
                slim["^" + k] = diff
        else:
            slim[k] = v
    return dumps(slim)


def inflate(type_: str, object_id: str, created: int, body: str) -> dict:
    obj = {"id": object_id, "object": type_}
    obj.update(json.loads(_TEMPLATES.get(type_, "{}")))
    if type_ not in _NO_CREATED:
        obj["created"] = created
    for k, v in json.loads(body).items():
        first = k[0]
        if first == "~":
            obj[k[1:]] = _unpack(v)
        elif first == "^":
            obj[k[1:]] = _deep_merge(obj.get(k[1:]) or {}, v)
        else:
            obj[k] = v
    return obj


def created_of(obj: dict) -> int:
    """The store's ``created`` column (list order) for ``obj``."""
    if "created" in obj:
        return obj["created"]
    return obj["start"] if "start" in obj else obj["date"]


def public(obj: dict) -> dict:
    """Strip private (``_``-prefixed) top-level keys; only top levels ever carry them."""
    return {k: v for k, v in obj.items() if k[:1] != "_"}
