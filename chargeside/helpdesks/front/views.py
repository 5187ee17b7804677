"""Front's endpoints, one set per Front connection (mounted under /desk/front/<connection token>/):

GET  plugin/    the plugin URL to paste into Front. Front appends `auth_secret`; we check it and answer the
                plugin page: it loads Front's plugin SDK and, on every `singleConversation` context, posts
                the context with a short-lived grant into the inner frame (no secret in that request).
POST panel/     grant + context JSON → the generic panel with a desk-bound session: actions leave a comment
                on the conversation (notes.py → FrontAdapter.post_note).
POST webhook/   Front's application webhook: signature and 5-minute window checked on the raw bytes first;
                the validation request's `x-front-challenge` is echoed back.

Unknown installation → 403, wrong secret/grant/signature → 401, malformed context → 400; each logged, none
a 500.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from chargeside.core.signing import SignatureError

from ..base import DeskPayloadError, DeskRequest
from ..desk_views import desk_connection
from ..http import forbidden, frame_origins, with_panel_headers
from ..panel import build_panel
from ..registry import adapter_for
from ..views import PAGE_SIZE
from .adapter import FRONT_ORIGINS

log = logging.getLogger(__name__)
KEY = "front"
_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


def _ancestors(workspace) -> str:
    return " ".join(dict.fromkeys(["'self'", *FRONT_ORIGINS, *frame_origins(workspace)]))


def _installation(request, token: str):
    connection = desk_connection(KEY, token)
    if connection is None:
        log.info("desk front: refused a request for an unknown or disabled installation")
    return connection


@require_GET
@xframe_options_exempt
def plugin(request, token: str):
    connection = _installation(request, token)
    if connection is None:
        return forbidden(request)
    adapter = adapter_for(connection)
    try:
        adapter.authenticate(DeskRequest.from_django(request))
    except SignatureError as exc:
        log.info("desk front connection %s: plugin load refused: %s", connection.pk, exc.reason)
        return forbidden(request, status=401)
    with translation.override(connection.workspace.default_language or "en"):
        response = render(request, "chargeside/front/plugin.html", {
            "grant": adapter.grant(connection.pk), "lang": translation.get_language(), "request_token": token,
        })
    response["Content-Security-Policy"] = f"{_PAGE_POLICY}; frame-ancestors {_ancestors(connection.workspace)}"
    response["Referrer-Policy"] = "no-referrer"  # the auth_secret in our URL must not leak
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
@xframe_options_exempt
def plugin_panel(request, token: str):
    connection = _installation(request, token)
    if connection is None:
        return forbidden(request)
    adapter = adapter_for(connection)
    try:
        adapter.verify_grant(request.POST.get("grant", ""), connection.pk)
    except SignatureError as exc:
        log.info("desk front connection %s: panel refused: %s", connection.pk, exc.reason)
        return forbidden(request, status=401)
    # The form was parsed for the grant; the adapter reads the posted context as the request's body.
    desk_request = DeskRequest(method=request.method, url=request.build_absolute_uri(), headers=request.headers,
                               query={}, body=request.POST.get("context", "").encode())
    try:
        context = adapter.extract_context(desk_request, workspace=connection.workspace)
    except DeskPayloadError as exc:
        log.info("desk front connection %s: malformed plugin context: %s", connection.pk, exc)
        return forbidden(request, status=400)
    built = build_panel(context, limit=PAGE_SIZE)
    with translation.override(built.language):
        response = adapter.panel_page(request, built, context=context, connection=connection)
    response = with_panel_headers(response, connection.workspace)
    # The panel sits in our plugin page inside Front: every ancestor must be allowed.
    policy = response["Content-Security-Policy"].rsplit("; frame-ancestors ", 1)[0]
    response["Content-Security-Policy"] = f"{policy}; frame-ancestors {_ancestors(connection.workspace)}"
    return response


@csrf_exempt
@require_POST
def webhook(request, token: str):
    connection = _installation(request, token)
    if connection is None:
        return HttpResponse("Unknown installation.", status=403, content_type="text/plain")
    adapter = adapter_for(connection)
    try:
        adapter.verify_webhook(DeskRequest.from_django(request))
    except SignatureError as exc:
        log.info("desk front connection %s: webhook refused: %s", connection.pk, exc.reason)
        return HttpResponse("Signature refused.", status=401, content_type="text/plain")
    challenge = request.headers.get("X-Front-Challenge", "")
    if challenge:
        return JsonResponse({"challenge": challenge})
    # Events are acknowledged; nothing in Chargeside follows Front's conversation events yet.
    return HttpResponse(status=200)
