"""Response headers and refusals for pages that live inside a helpdesk's iframe.

The panel may be framed only by the workspace's configured desk origins (CSP `frame-ancestors`), and its
scripts, styles and requests come only from us: no inline script, no eval, no third-party host.
"""

from __future__ import annotations

import logging
import re
from functools import wraps

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from chargeside.core.signing import SignatureError

from .signing import session_verify

log = logging.getLogger(__name__)

# An origin as CSP accepts it (scheme://host[:port], host may start with "*."); anything else in the
# workspace setting is dropped rather than let it inject another directive.
_ORIGIN = re.compile(r"^https?://(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$")
_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


def frame_origins(workspace) -> list[str]:
    return [origin for origin in workspace.frame_origins() if _ORIGIN.match(origin)] if workspace else []


def panel_csp(workspace) -> str:
    return f"{_POLICY}; frame-ancestors {' '.join(["'self'", *frame_origins(workspace)])}"


def with_panel_headers(response: HttpResponse, workspace) -> HttpResponse:
    response["Content-Security-Policy"] = panel_csp(workspace)
    response["Referrer-Policy"] = "no-referrer"  # the signed query must not leak to links the agent follows
    response["Cache-Control"] = "no-store"
    return response


def forbidden(request, *, language: str = "", status: int = 403) -> HttpResponse:
    """One page for every refusal: it says what to do, never which check failed."""
    inline = request.headers.get("HX-Request") == "true"  # a follow-up inside an open panel: a message, not a page
    template = "chargeside/panel/forbidden_inline.html" if inline else "chargeside/panel/forbidden.html"
    with translation.override(language or translation.get_language() or "en"):
        response = render(request, template, status=status)
    # The page has nothing to click, so any desk may show it in its frame.
    response["Content-Security-Policy"] = f"{_POLICY}; frame-ancestors *"
    response["Cache-Control"] = "no-store"
    return response


def panel_session_required(view):
    """Follow-up requests of an open panel: the X-Panel-Token header is verified before the body is read."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            session = session_verify(request.headers.get("X-Panel-Token", ""))
        except SignatureError as exc:
            log.info("panel request refused: %s", exc.reason)
            return forbidden(request)
        with translation.override(session.language):
            response = view(request, session, *args, **kwargs)
        return with_panel_headers(response, session.workspace)

    return csrf_exempt(xframe_options_exempt(wrapper))
