"""Decode Stripe's bracket-notation form bodies and coerce parameter values.

The SDK encodes nested params as ``items[0][price]=x``, lists as ``expand[0]=a`` (older
clients send ``expand[]=a``), booleans as ``true``/``false``, and an empty string means
"unset" (``metadata[k]=`` removes a key).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from .errors import invalid_param, missing_param

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def decode(raw: str) -> dict:
    """Turn a urlencoded string into nested dicts/lists."""
    root: dict = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        head, _, rest = key.partition("[")
        parts = [head] + (_SEGMENT.findall("[" + rest) if rest else [])
        _assign(root, parts, value)
    return _listify(root)


def _assign(node: dict, parts: list[str], value: str) -> None:
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "":  # "expand[]" style append
            part = str(sum(1 for k in node if k.isdigit()))
        if last:
            node[part] = value
        else:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child


def _listify(node):
    if not isinstance(node, dict):
        return node
    if node and all(k.isdigit() for k in node):
        return [_listify(node[k]) for k in sorted(node, key=int)]
    return {k: _listify(v) for k, v in node.items()}


# -- coercion helpers used by resource handlers -------------------------------------------


def get_str(params: dict, name: str, required: bool = False, default=None):
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise missing_param(name)
        return default
    if not isinstance(value, str):
        raise invalid_param(name, f"Invalid string: {value!r}")
    return value


def get_int(params: dict, name: str, required: bool = False, default=None, minimum=None):
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise missing_param(name)
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        try:
            number = int(str(value), 10)
        except ValueError:
            raise invalid_param(name, f"Invalid integer: {value}", code="parameter_invalid_integer")
    if minimum is not None and number < minimum:
        raise invalid_param(
            name,
            "This value must be greater than or equal to %d." % minimum,
            code="parameter_invalid_integer",
        )
    return number


def get_bool(params: dict, name: str, default=None):
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise invalid_param(name, f"Invalid boolean: {value}")


def get_dict(params: dict, name: str) -> dict | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, list):  # a dict whose keys were all digits
        return {str(i): v for i, v in enumerate(value)}
    if not isinstance(value, dict):
        raise invalid_param(name, f"Invalid object: {name} must be a hash")
    return value


def get_list(params: dict, name: str) -> list:
    value = params.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        return list(value.values())
    if not isinstance(value, list):
        return [value]
    return value


def merge_metadata(current: dict, params: dict) -> dict:
    """Apply Stripe's metadata update rules: empty string unsets a key, ``metadata=`` clears."""
    if "metadata" not in params:
        return current
    update = params["metadata"]
    if update == "":
        return {}
    if not isinstance(update, dict):
        raise invalid_param("metadata", "Invalid object: metadata must be a hash")
    merged = dict(current or {})
    for key, value in update.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return merged


def expand_paths(params: dict) -> list[str]:
    return [p for p in get_list(params, "expand") if isinstance(p, str) and p]
