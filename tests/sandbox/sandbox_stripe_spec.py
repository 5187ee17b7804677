"""Validate the Stripe fake's responses against the bundled OpenAPI spec (API 2023-08-16).

The spec is three years older than the SDK (16.1.0, API 2026-10-28), so some differences are
expected. They are listed here, each with its reason; anything else fails the test that
produced the response.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

SPEC_PATH = Path(__file__).resolve().parents[2].parent / "shared/specs/stripe/spec3.yaml"

# Two normalisations of the spec itself (tooling, not the fake): openapi-core's OAS 3.0
# validator does not let ``nullable: true`` admit null when the schema also has ``enum`` or
# ``anyOf``/``oneOf``, but Stripe's spec relies on exactly that for hundreds of fields.
SPEC_NORMALISATIONS = [
    "nullable + enum → null added to the enum",
    "nullable + anyOf/oneOf → a null-only alternative added",
]

# Operations the fake serves that the 2023 spec does not have.
NOT_IN_SPEC = {
    ("POST", "/v1/invoices/create_preview"): "added in API 2025-03-31 (replaces GET /v1/invoices/upcoming)",
    ("GET", "/v1/tax_ids"): "owner-based Tax ID API, added after 2023-08 (retrieve, list by owner[type]); "
                            "the same tax_id objects are validated on /v1/customers/{customer}/tax_ids",
    ("POST", "/v1/tax_ids"): "owner-based Tax ID API, added after 2023-08",
    ("DELETE", "/v1/tax_ids"): "owner-based Tax ID API, added after 2023-08",
    ("GET", "/v1/invoice_payments"): "Invoice Payments API, added in API 2025-03-31 (basil) with invoice.payments",
    ("POST", "/_sandbox"): "the fake's own control surface",
    ("GET", "/checkout"): "hosted card-update page (checkout.stripe.com in real life)",
    ("POST", "/checkout"): "hosted card-update page form post",
}

# (object type, field) → why a validation error on that field is accepted. Empty today: the
# fake emits the 2023 shape wherever the current SDK tolerates it (e.g. card refunds omit
# ``description``, line items carry ``invoice_item`` only when it applies) and everything newer
# is an extra property the spec permits. Add entries here, with the reason, when that changes.
ALLOWED: dict[tuple[str, str], str] = {}

# Error kinds accepted anywhere: none today. (Keep the mechanism; add entries with a reason.)
ALLOWED_ANYWHERE: dict[str, str] = {}


def _normalise(node) -> None:
    if isinstance(node, dict):
        if node.get("nullable") is True:
            for key in ("anyOf", "oneOf"):
                if key in node:
                    node[key] = node[key] + [{"enum": [None], "nullable": True}]
            if "enum" in node and None not in node["enum"]:
                node["enum"] = node["enum"] + [None]
        for value in node.values():
            _normalise(value)
    elif isinstance(node, list):
        for value in node:
            _normalise(value)


@functools.lru_cache(maxsize=1)
def spec_dict() -> dict:
    """The 4 MB spec, loaded once per session (C loader, no timestamp resolution), normalised."""
    import yaml

    class Loader(yaml.CSafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
    }
    with open(SPEC_PATH, "rb") as fh:
        spec = yaml.load(fh, Loader=Loader)
    _normalise(spec)
    return spec


@functools.lru_cache(maxsize=1)
def openapi():
    from openapi_core import Config, OpenAPI

    return OpenAPI.from_dict(spec_dict(), config=Config(spec_validator_cls=None))


def _leaves(err):
    """The root causes under anyOf/oneOf failures (ignoring our added null branch)."""
    if err.validator in ("anyOf", "oneOf") and err.context:
        subs = [e for e in err.context if not (e.validator == "enum" and e.validator_value == [None])]
        if subs:
            depth = max(len(e.absolute_path) for e in subs)
            out = [leaf for e in subs if len(e.absolute_path) == depth for leaf in _leaves(e)]
            if out:
                return out
    return [err]


def _owner(body, path) -> str | None:
    node = body
    for part in list(path)[:-1]:
        node = node[part]
    return node.get("object") if isinstance(node, dict) else None


def problems(method: str, path: str, status: int, body: bytes, content_type: str) -> list[str]:
    """Validation problems for one exchange (empty when it conforms or is allow-listed)."""
    from openapi_core.templating.paths.exceptions import PathNotFound
    from openapi_core.testing import MockRequest, MockResponse

    for (m, prefix), _ in NOT_IN_SPEC.items():
        if method == m and (path == prefix or path.startswith(prefix + "/")):
            return []
    if not content_type.startswith("application/json"):
        return []
    request = MockRequest("https://api.stripe.com", method, path)
    try:
        openapi().validate_response(request, MockResponse(body, status_code=status))
        return []
    except PathNotFound:
        if status == 404 and b"Unrecognized request URL" in body:
            return []  # a test probing an unknown URL on purpose
        return [f"{method} {path}: not in the spec and not listed in NOT_IN_SPEC"]
    except Exception as exc:  # openapi-core wraps schema errors in its own exception types
        errors = getattr(exc.__cause__, "schema_errors", None)
        if errors is None:
            return [f"{method} {path} → {status}: {type(exc).__name__}: {exc}"]
        parsed = json.loads(body)
        out = []
        for err in errors:
            for leaf in _leaves(err):
                field = leaf.absolute_path[-1] if leaf.absolute_path else None
                owner = _owner(parsed, leaf.absolute_path) if leaf.absolute_path else None
                if (owner, field) in ALLOWED or leaf.validator in ALLOWED_ANYWHERE:
                    continue
                out.append(f"{method} {path} → {status}: {owner}.{field}: {leaf.message[:200]}")
        return sorted(set(out))
