"""Events (list/retrieve) and webhook endpoints (create/list/update/delete)."""

from __future__ import annotations

from urllib.parse import urlsplit

from .. import errors, forms, shapes
from ..context import Ctx
from ..events import API_VERSION
from ..ids import new_id
from ..listing import list_objects
from ..router import route
from ..store import Prefix

shapes.register(
    "webhook_endpoint",
    {"api_version": None, "application": None, "description": None, "metadata": {}, "status": "enabled"},
)


@route("GET", "/v1/events")
def list_events(ctx: Ctx) -> dict:
    p = ctx.params
    type_ = forms.get_str(p, "type")
    types = forms.get_list(p, "types")
    where = {}
    if type_ and type_.endswith("*"):
        where["lookup"] = Prefix(type_.rstrip("*"))
    elif type_:
        where["lookup"] = type_
    elif types:
        where["lookup"] = types
    return list_objects(ctx, "event", "/v1/events", where=where)


@route("GET", "/v1/events/{id}")
def retrieve_event(ctx: Ctx, id: str) -> dict:
    return ctx.load("event", id)


def _validate_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise errors.invalid_param("url", f"Invalid URL: {url}", code="url_invalid")
    return url


def _events(params: dict) -> list[str]:
    enabled = [e for e in forms.get_list(params, "enabled_events") if e]
    if not enabled:
        raise errors.missing_param("enabled_events")
    return enabled


@route("POST", "/v1/webhook_endpoints")
def create_endpoint(ctx: Ctx) -> dict:
    p = ctx.params
    url = _validate_url(forms.get_str(p, "url", required=True))
    secret = new_id("whsec")
    endpoint = shapes.defaults("webhook_endpoint")
    endpoint.update(
        id=ctx.new_id("we"), object="webhook_endpoint", created=ctx.now, url=url,
        enabled_events=_events(p), description=forms.get_str(p, "description"),
        api_version=forms.get_str(p, "api_version") or API_VERSION, metadata=forms.merge_metadata({}, p),
        _secret=secret,
    )
    ctx.save(endpoint)
    return {**shapes.public(endpoint), "secret": secret}  # the secret is only shown on creation


@route("GET", "/v1/webhook_endpoints/{webhook_endpoint}")
def retrieve_endpoint(ctx: Ctx, webhook_endpoint: str) -> dict:
    return ctx.load("webhook_endpoint", webhook_endpoint)


@route("POST", "/v1/webhook_endpoints/{webhook_endpoint}")
def update_endpoint(ctx: Ctx, webhook_endpoint: str) -> dict:
    endpoint = ctx.load("webhook_endpoint", webhook_endpoint)
    p = ctx.params
    if "url" in p:
        endpoint["url"] = _validate_url(forms.get_str(p, "url", required=True))
    if "enabled_events" in p:
        endpoint["enabled_events"] = _events(p)
    if "description" in p:
        endpoint["description"] = p["description"] or None
    if "disabled" in p:
        endpoint["status"] = "disabled" if forms.get_bool(p, "disabled", default=False) else "enabled"
    endpoint["metadata"] = forms.merge_metadata(endpoint.get("metadata"), p)
    return ctx.save(endpoint)


@route("DELETE", "/v1/webhook_endpoints/{webhook_endpoint}")
def delete_endpoint(ctx: Ctx, webhook_endpoint: str) -> dict:
    ctx.load("webhook_endpoint", webhook_endpoint)
    ctx.store.delete(webhook_endpoint)
    return {"id": webhook_endpoint, "object": "webhook_endpoint", "deleted": True}


@route("GET", "/v1/webhook_endpoints")
def list_endpoints(ctx: Ctx) -> dict:
    return list_objects(ctx, "webhook_endpoint", "/v1/webhook_endpoints")
