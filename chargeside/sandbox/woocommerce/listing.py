"""WP REST collection parameters and pagination: page/per_page validation, X-WP-Total, X-WP-TotalPages, Link.

Validation errors are WordPress's `rest_invalid_param` (400) with the per-parameter messages in
`data.params`, as `WP_REST_Request::has_valid_params` builds them.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from .errors import WooError
from .shapes import SITE_OFFSET


def invalid_param(name: str, message: str, code: str = "rest_invalid_param_value") -> WooError:
    return WooError("rest_invalid_param", f"Invalid parameter(s): {name}", 400,
                    extra={"params": {name: message}, "details": {name: {"code": code, "message": message, "data": None}}})


def int_param(query: dict, name: str, default: int, lo: int, hi: int | None = None) -> int:
    raw = query.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid_param(name, f"{name} is not of type integer.", "rest_invalid_type") from None
    if value < lo or (hi is not None and value > hi):
        message = f"{name} must be between {lo} (inclusive) and {hi} (inclusive)" if hi else f"{name} must be greater than or equal to {lo}"
        raise invalid_param(name, message, "rest_out_of_bounds")
    return value


def enum_param(query: dict, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = query.get(name) or default
    if value not in allowed:
        raise invalid_param(name, f"{name} is not one of {', '.join(allowed[:-1])}, and {allowed[-1]}.", "rest_not_in_enum")
    return value


def list_param(query: dict, name: str) -> list[str]:
    raw = query.get(name) or ""
    return [part.strip() for part in raw.split(",") if part.strip()]


def date_param(query: dict, name: str, gmt: bool) -> dt.datetime | None:
    raw = query.get(name)
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_param(name, "Invalid date.", "rest_invalid_date") from None
    if value.tzinfo is None:  # local site time unless dates_are_gmt
        value = value.replace(tzinfo=dt.UTC) - (dt.timedelta(0) if gmt else SITE_OFFSET)
    return value.astimezone(dt.UTC)


def paginate(items: list, query: dict, *, url: str) -> tuple[list, dict[str, str]]:
    per_page = int_param(query, "per_page", 10, 1, 100)
    page = int_param(query, "page", 1, 1)
    offset = int_param(query, "offset", (page - 1) * per_page, 0)
    total = len(items)
    pages = (total + per_page - 1) // per_page if total else 0
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
    # Link keeps the caller's filters (minus auth), as WP_REST_Controller does with add_query_arg.
    keep = {k: v for k, v in query.items() if not k.startswith("oauth_") and k not in ("consumer_key", "consumer_secret", "page")}
    rels = []
    if page > 1 and pages:
        rels.append((min(page - 1, pages), "prev"))
    if page < pages:
        rels.append((page + 1, "next"))
    if rels:
        headers["Link"] = ", ".join(f'<{url}?{urlencode({**keep, "page": n})}>; rel="{rel}"' for n, rel in rels)
    return items[offset:offset + per_page], headers


def order_by(items: list[dict], query: dict, *, allowed: tuple[str, ...], default: str, default_order: str = "desc") -> list[dict]:
    key = enum_param(query, "orderby", allowed, default)
    reverse = enum_param(query, "order", ("asc", "desc"), default_order) == "desc"
    fields = {"date": lambda o: (o.get("date_created_gmt") or "", o["id"]), "id": lambda o: o["id"],
              "registered_date": lambda o: (o.get("date_created_gmt") or "", o["id"]),
              "name": lambda o: (o.get("last_name", "") + o.get("first_name", "") or o.get("name", ""), o["id"]),
              "title": lambda o: (o.get("name") or o.get("code") or "", o["id"]), "modified": lambda o: (o.get("date_modified_gmt") or "", o["id"]),
              "include": lambda o: o["id"], "slug": lambda o: (o.get("slug") or o.get("code") or "", o["id"])}
    return sorted(items, key=fields.get(key, fields["id"]), reverse=reverse)
