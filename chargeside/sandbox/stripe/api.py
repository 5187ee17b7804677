"""The transport-independent request pipeline.

faults (before) → auth → decode params → idempotency → route → handler in one write
transaction → expand → JSON → webhook enqueue → faults (after). The HTTP server and the
WSGI app both call :meth:`Api.handle`.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import errors, expand, forms, legacy, shapes
from .context import Committed, Ctx
from .events import API_VERSION
from .idempotency import fingerprint
from .ids import new_id
from .router import resolve

log = logging.getLogger("chargeside.sandbox.stripe")

if TYPE_CHECKING:
    from .fake import StripeFake


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    drop: bool = False
    delay: float = 0.0


def _json(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class Api:
    def __init__(self, fake: StripeFake):
        self.fake = fake
        # Callables ``fn(method, target, headers, body, response)`` told about every exchange
        # (tests use it to validate responses against the OpenAPI spec).
        self.observers: list = []

    def handle(self, method: str, target: str, headers: dict, body: bytes) -> Response:
        """``headers`` must have lower-case keys."""
        response = self._handle(method.upper(), target, headers, body)
        for observer in self.observers:
            observer(method.upper(), target, headers, body, response)
        return response

    def _handle(self, method: str, target: str, headers: dict, body: bytes) -> Response:
        request_id = new_id("req")
        path, _, query = target.partition("?")
        base_url = "http://" + headers["host"] if headers.get("host") else None
        if path.startswith("/checkout/"):
            from .resources import (
                checkout,  # hosted page, no API key (like checkout.stripe.com)
            )

            return checkout.hosted_page(self.fake, method, path, body, base_url)

        faults = self.fake.faults
        if faults.unreachable:
            return Response(0, drop=True)
        fault = faults.take(method, path, "before")
        delay = fault.delay if fault else 0.0
        if fault and fault.drop:
            return Response(0, drop=True, delay=delay)

        key = headers.get("idempotency-key") if method in ("POST", "DELETE") else None
        extra = {"Request-Id": request_id, "Stripe-Version": headers.get("stripe-version") or API_VERSION}
        if key:
            extra["Idempotency-Key"] = key
        try:
            if fault and fault.status:
                raise fault.error()
            api_key = self._authenticate(headers)
            if path.startswith("/_sandbox/") and method == "POST":
                from .control import handle_http

                response = Response(200, _json(handle_http(self.fake, path[len("/_sandbox/"):], body)))
                response.headers.update(extra)
                return response
            params = forms.decode(query)
            if method == "POST" and body:
                params.update(forms.decode(body.decode("utf-8")))
            if key:
                response = self._idempotent(key, method, path, params, request_id, base_url, api_key)
            else:
                status, payload = self._execute(method, path, params, request_id, None, base_url, api_key)
                response = Response(status, payload)
        except errors.StripeError as exc:
            response = Response(exc.status, _json(exc.body(request_id)), dict(exc.headers))
        except Exception:  # a bug in the fake: answer like Stripe's 500, keep the trace visible
            log.exception("stripe fake: unhandled error on %s %s", method, path)
            err = errors.api_error(500)
            response = Response(500, _json(err.body(request_id)), dict(err.headers))
        response.headers.update(extra)
        response.delay = delay

        after = faults.take(method, path, "after")
        if after:
            if after.drop:
                return Response(0, drop=True, delay=after.delay)
            err = after.error()
            return Response(err.status, _json(err.body(request_id)), {**err.headers, **extra}, delay=after.delay)
        return response

    # -- steps ----------------------------------------------------------------------------------

    def _authenticate(self, headers: dict) -> str:
        auth = headers.get("authorization", "").strip()
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer":
            api_key = value.strip()
        elif scheme.lower() == "basic":
            try:
                api_key = base64.b64decode(value.strip()).decode("utf-8").partition(":")[0]
            except ValueError:
                api_key = value.strip()
        else:
            raise errors.auth_missing()
        if not api_key:
            raise errors.auth_missing()
        allowed = self.fake.api_keys
        if allowed is not None:
            if api_key not in allowed:
                raise errors.auth_invalid(api_key)
        elif not api_key.startswith(("sk_test_", "rk_test_")):
            raise errors.auth_invalid(api_key)
        return api_key

    def _idempotent(self, key, method, path, params, request_id, base_url, api_key) -> Response:
        idem = self.fake.idempotency
        fp = fingerprint(params)
        with idem.hold(key):
            saved = idem.lookup(key)
            if saved is not None:
                idem.check(saved, key, method, path, fp)
                return Response(
                    saved.status, bytes(saved.body),
                    {"Idempotent-Replayed": "true", "Original-Request": saved.request_id},
                )
            try:
                status, payload = self._execute(method, path, params, request_id, key, base_url, api_key)
                headers = {}
            except errors.StripeError as exc:
                if not exc.store_idempotent:
                    raise
                status, payload, headers = exc.status, _json(exc.body(request_id)), dict(exc.headers)
            idem.save(key, method, path, fp, status, payload, request_id, self.fake.clock.now())
            return Response(status, payload, headers)

    def _execute(self, method, path, params, request_id, key, base_url, api_key) -> tuple[int, bytes]:
        handler, path_params = resolve(method, path)
        paths = forms.expand_paths(params)
        expand.check(paths)
        ctx = Ctx(self.fake, method=method, path=path, params=params, request_id=request_id,
                  idem_key=key, base_url=base_url, api_key=api_key)
        deferred = None
        if method == "GET":
            result = handler(ctx, **path_params)
        else:
            with self.fake.store.tx():
                try:
                    result = handler(ctx, **path_params)
                except Committed as committed:
                    deferred, result = committed.error, None
        self.fake.dispatch(ctx.events)
        if deferred is not None:
            raise deferred
        if paths:
            expand.expand(self.fake.store, result, paths)
        result = shapes.public(result)
        if not self.fake.legacy_fields:
            result = legacy.strip(result, frozenset(part for p in paths for part in p.split(".")))
        return 200, _json(result)
