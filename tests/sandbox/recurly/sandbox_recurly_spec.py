"""Validate the Recurly fake's responses against the bundled OpenAPI spec (shared/specs/recurly/api.yaml,
API v2021-02-25, from recurly-client-python 4.46.0) with openapi-core.

Normalisations of the spec itself (tooling, not the fake), each with its reason:
- every schema is made nullable (and `null` joins every enum, which openapi-core needs for nullable enums):
  Recurly sends `null` for absent values (e.g. `"next": null` on a list's last page, `"company": null`), which
  the SDK reads as None, but the generated spec marks nothing nullable;
- patterns written JavaScript-style (`/^[a-z0-9_+-]+$/i`, on plan and add-on codes) become the Python regex
  they mean (`(?i)^[a-z0-9_+-]+$`); read literally, no code could ever match them.
Allow-list (see NOT_IN_SPEC and ALLOWED): what the fake serves that this spec does not describe.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

SPEC_PATH = Path(__file__).resolve().parents[3].parent / "shared/specs/recurly/api.yaml"

NOT_IN_SPEC: dict[tuple[str, str], str] = {}
# (object, field) → why a validation error there is accepted. Empty: keep the mechanism, add entries with a reason.
ALLOWED: dict[tuple[str | None, str | None], str] = {}


def _nullable(node) -> None:
    if isinstance(node, dict):
        if "type" in node or "$ref" not in node and ("properties" in node or "allOf" in node):
            node["nullable"] = True
            if "enum" in node and None not in node["enum"]:
                node["enum"] = [*node["enum"], None]
        pattern = node.get("pattern")
        if isinstance(pattern, str) and pattern.startswith("/") and pattern.rstrip("i").endswith("/") and len(pattern) > 2:
            flags = "(?i)" if pattern.endswith("/i") else ""
            node["pattern"] = flags + pattern[1:pattern.rstrip("i").rindex("/")]
        for value in node.values():
            _nullable(value)
    elif isinstance(node, list):
        for value in node:
            _nullable(value)


@functools.lru_cache(maxsize=1)
def spec_dict() -> dict:
    import yaml

    class Loader(yaml.CSafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
                                      for k, v in yaml.CSafeLoader.yaml_implicit_resolvers.items()}
    with open(SPEC_PATH, "rb") as fh:
        spec = yaml.load(fh, Loader=Loader)
    _nullable(spec["components"]["schemas"])
    return spec


@functools.lru_cache(maxsize=1)
def openapi():
    from openapi_core import Config, OpenAPI

    return OpenAPI.from_dict(spec_dict(), config=Config(spec_validator_cls=None))


def _owner(body, path):
    node = body
    for part in list(path)[:-1]:
        node = node[part]
    return node.get("object") if isinstance(node, dict) else None


def problems(method: str, path: str, status: int, body: bytes, content_type: str) -> list[str]:
    from openapi_core.templating.paths.exceptions import PathNotFound
    from openapi_core.testing import MockRequest, MockResponse

    if (method, path) in NOT_IN_SPEC or not body or not content_type.startswith("application/json"):
        return []
    try:
        openapi().validate_response(MockRequest("https://v3.recurly.com", method.lower(), path), MockResponse(body, status_code=status))
        return []
    except PathNotFound:
        if status == 404:
            return []  # a test probing an unknown URL on purpose
        return [f"{method} {path}: not in the spec and not listed in NOT_IN_SPEC"]
    except Exception as exc:
        errors = getattr(exc.__cause__, "schema_errors", None)
        if errors is None:
            return [f"{method} {path} → {status}: {type(exc).__name__}: {exc}"]
        parsed = json.loads(body)
        out = []
        for err in errors:
            field = err.absolute_path[-1] if err.absolute_path else None
            owner = _owner(parsed, err.absolute_path) if err.absolute_path else None
            if (owner, field) not in ALLOWED:
                out.append(f"{method} {path} → {status}: {owner}.{field}: {err.message[:200]}")
        return out
