"""Route table: ``@route("POST", "/v1/refunds")`` registers a handler ``fn(ctx, **path_params)``.

Literal path segments win over parameters, so ``/v1/customers/search`` is never read as a
customer id.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .errors import unrecognized_url

_ROUTES: dict[str, list[tuple[int, re.Pattern, Callable]]] = {}


def route(method: str, pattern: str):
    literal = sum(1 for part in pattern.split("/") if part and not part.startswith("{"))
    regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")

    def register(fn: Callable) -> Callable:
        table = _ROUTES.setdefault(method, [])
        table.append((literal, regex, fn))
        table.sort(key=lambda entry: -entry[0])
        return fn

    return register


def resolve(method: str, path: str) -> tuple[Callable, dict]:
    for _, regex, fn in _ROUTES.get(method, ()):
        m = regex.match(path)
        if m:
            return fn, m.groupdict()
    raise unrecognized_url(method, path)


def all_routes() -> list[tuple[str, str]]:
    return [(m, r.pattern) for m, table in _ROUTES.items() for _, r, _ in table]
