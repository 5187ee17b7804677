"""Cursor lists (``limit``/``starting_after``/``ending_before``) and the search endpoints.

Lists are newest first. Search supports the subset of Stripe's query language adapters
use: ``field:'value'`` (exact), ``field~'value'`` (substring), ``metadata['k']:'v'``,
numeric ``created>…``/``amount<…``, clauses joined by ``AND`` or ``OR``; pages continue
with the opaque ``next_page`` token passed back as ``page``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

from . import errors, forms
from .context import Ctx

_KINDS = {"payment_method": "PaymentMethod"}


def created_filter(params: dict):
    value = params.get("created")
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        return {k: forms.get_int(value, k) for k in ("gt", "gte", "lt", "lte") if k in value}
    return forms.get_int(params, "created")


def limit_of(params: dict) -> int:
    limit = forms.get_int(params, "limit", default=10)
    if not 1 <= limit <= 100:
        raise errors.invalid_param(
            "limit", "This value must be less than or equal to 100.", code="parameter_invalid_integer"
        )
    return limit


def list_objects(ctx: Ctx, type_: str, url: str, *, where: dict | None = None,
                 predicate: Callable[[dict], bool] | None = None) -> dict:
    params = ctx.params
    limit = limit_of(params)
    after = before = None
    starting_after = forms.get_str(params, "starting_after")
    ending_before = forms.get_str(params, "ending_before")
    kind = _KINDS.get(type_, type_)
    if starting_after:
        after = ctx.store.key_of(starting_after, type_)
        if after is None:
            raise errors.no_such(kind, starting_after, "starting_after")
    elif ending_before:
        before = ctx.store.key_of(ending_before, type_)
        if before is None:
            raise errors.no_such(kind, ending_before, "ending_before")
    page = ctx.store.page(
        type_, where=where, created=created_filter(params), after=after, before=before,
        limit=limit, predicate=predicate,
    )
    return ctx.listing(url, page)


# -- search ------------------------------------------------------------------------------------

_CLAUSE = re.compile(
    r"""\s*(?P<neg>-)?(?P<field>metadata\[['"](?P<mkey>[^'"]+)['"]\]|[a-z_.]+)\s*
        (?P<op>:|~|>=|<=|>|<)\s*
        (?:'(?P<sq>[^']*)'|"(?P<dq>[^"]*)"|(?P<bare>[^\s]+))\s*""",
    re.VERBOSE,
)


def parse_query(query: str) -> tuple[str, list[tuple]]:
    """Return ``("AND"|"OR", [(negated, field, metadata_key, op, value), ...])``."""
    joiner = "OR" if re.search(r"\sOR\s", query) else "AND"
    clauses = []
    for part in re.split(rf"\s{joiner}\s", query.strip()):
        m = _CLAUSE.fullmatch(part)
        if not m:
            raise errors.invalid_param("query", f"Invalid query: {query!r}", code="parameter_invalid_string")
        value = next(v for v in (m["sq"], m["dq"], m["bare"]) if v is not None)
        field = "metadata" if m["mkey"] else m["field"]
        clauses.append((bool(m["neg"]), field, m["mkey"], m["op"], value))
    return joiner, clauses


def _value(obj: dict, field: str, mkey: str | None):
    if field == "metadata":
        return (obj.get("metadata") or {}).get(mkey)
    node = obj
    for part in field.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node = node.get("id")
    return node


def _test(obj: dict, clause: tuple) -> bool:
    negated, field, mkey, op, wanted = clause
    actual = _value(obj, field, mkey)
    if op == ":":
        ok = actual is not None and str(actual).lower() == wanted.lower() if field == "email" \
            else actual is not None and str(actual) == wanted
    elif op == "~":
        ok = actual is not None and wanted.lower() in str(actual).lower()
    else:
        try:
            a, w = float(actual), float(wanted)
        except (TypeError, ValueError):
            return False
        ok = {">": a > w, "<": a < w, ">=": a >= w, "<=": a <= w}[op]
    return ok != negated


def search_objects(ctx: Ctx, type_: str, url: str, *, indexed: dict[str, str] | None = None) -> dict:
    """``indexed`` maps an exact-match search field to a store column to narrow the scan."""
    query = forms.get_str(ctx.params, "query", required=True)
    joiner, clauses = parse_query(query)
    where = {}
    if joiner == "AND":
        for negated, field, _, op, value in clauses:
            column = (indexed or {}).get(field)
            if column and op == ":" and not negated:
                where[column] = value
    if joiner == "AND":
        def predicate(obj):
            return all(_test(obj, c) for c in clauses)
    else:
        def predicate(obj):
            return any(_test(obj, c) for c in clauses)
    after = _decode_page(forms.get_str(ctx.params, "page"))
    page = ctx.store.page(type_, where=where, after=after, limit=limit_of(ctx.params), predicate=predicate)
    return {
        "object": "search_result",
        "data": ctx.listing(url, page)["data"],
        "has_more": page.has_more,
        "next_page": _encode_page(page.last_key) if page.has_more else None,
        "url": url,
    }


def _encode_page(key: tuple[int, int]) -> str:
    return base64.urlsafe_b64encode(f"{key[0]}:{key[1]}".encode()).decode().rstrip("=")


def _decode_page(token: str | None):
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        created, seq = raw.split(":")
        return int(created), int(seq)
    except (ValueError, UnicodeDecodeError):
        raise errors.invalid_param("page", f"Invalid page: {token}", code="parameter_invalid_string")
