"""The endpoints every helpdesk reaches, one URL per helpdesk connection (mounted at /desk/):

POST /desk/<desk key>/<connection token>/        the desk asks for the panel of a ticket (Help Scout's
                                                 callback, ...): authenticate → context → panel → render
POST /desk/<desk key>/<connection token>/submit/ a component desk's interaction (Intercom Canvas Kit submit):
                                                 authenticate → context → adapter.submit()
GET  /desk/<desk key>/<connection token>/open/   a signed deep link from a STATIC desk (deeplinks.py): the
                                                 generic panel bound to the ticket, opened on one action

The connection token is `Connection.webhook_token` (unguessable, unique), as gateway webhooks use it. An
unknown or disabled installation gets 403 and a wrong signature 401, each logged with the reason; a verified
but malformed body gets 400. Nothing a desk sends can cause a 500: the body is parsed only after the
signature matched, and parsing errors are typed.
"""

from __future__ import annotations

import logging

from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chargeside.billing.sections import actionable_item
from chargeside.connections.models import Connection
from chargeside.core.signing import SignatureError

from .base import DeskPayloadError, DeskRequest
from .deeplinks import SignedDeskLinks
from .http import forbidden, with_panel_headers
from .panel import DeskContext, build_panel
from .registry import adapter_class, adapter_for
from .signing import session_issue, verify_link
from .views import PAGE_SIZE

log = logging.getLogger(__name__)


def desk_connection(key: str, token: str) -> Connection | None:
    """The active helpdesk connection this URL names, or None."""
    try:
        adapter_class(key)
    except LookupError:
        return None
    connection = (
        Connection.objects.filter(kind=Connection.Kind.HELPDESK, provider=key, webhook_token=token)
        .select_related("workspace").first()
    )
    if connection is None or connection.status == Connection.Status.DISABLED:
        return None
    return connection


def _verified(request, key: str, token: str):
    """(connection, adapter, desk request, context) of a signed desk request, or the refusal to answer with."""
    connection = desk_connection(key, token)
    if connection is None:
        log.info("desk %s: refused a request for an unknown or disabled installation", key)
        return adapter_class(key).refusal(403, "Unknown installation.") if _known(key) else forbidden(request)
    adapter = adapter_for(connection)
    desk_request = DeskRequest.from_django(request)
    try:
        adapter.authenticate(desk_request)
    except SignatureError as exc:
        log.info("desk %s connection %s: refused: %s", key, connection.pk, exc.reason)
        return adapter.refusal(401, "The signature does not match this installation's secret.")
    try:
        context = adapter.extract_context(desk_request, workspace=connection.workspace)
    except DeskPayloadError as exc:
        log.info("desk %s connection %s: malformed request: %s", key, connection.pk, exc)
        return adapter.refusal(400, "The request is not what this desk sends.")
    return connection, adapter, desk_request, context


@csrf_exempt
@require_http_methods(["GET", "POST"])
def desk_callback(request, key: str, token: str):
    # iFrame desks (Crisp) load their page with a GET; the others only POST.
    if request.method not in getattr(_adapter_or_none(key), "load_methods", ("POST",)):
        return HttpResponseNotAllowed(["POST"])
    verified = _verified(request, key, token)
    if not isinstance(verified, tuple):
        return verified
    connection, adapter, _desk_request, context = verified
    built = build_panel(context, limit=PAGE_SIZE)
    links = SignedDeskLinks(connection=connection, context=context)
    with translation.override(built.language):
        return adapter.render_panel(built, context=context, links=links)


@csrf_exempt
@require_POST
def desk_submit(request, key: str, token: str):
    """A component desk's interaction (Intercom Canvas Kit submit, ...): verified like the callback, then the
    adapter's `submit()` answers in the desk's format (it runs actions through run_action)."""
    verified = _verified(request, key, token)
    if not isinstance(verified, tuple):
        return verified
    connection, adapter, desk_request, context = verified
    return adapter.submit(desk_request, context=context, connection=connection)


def _adapter_or_none(key: str):
    try:
        return adapter_class(key)
    except LookupError:
        return None


def _known(key: str) -> bool:
    try:
        adapter_class(key)
    except LookupError:
        return False
    return True


@require_GET
@xframe_options_exempt
def desk_open(request, key: str, token: str):
    connection = desk_connection(key, token)
    try:
        link = verify_link(request.GET)
    except SignatureError as exc:
        log.info("desk %s deep link refused: %s", key, exc.reason)
        return forbidden(request)
    if connection is None or connection.workspace_id != link.workspace.pk or request.GET.get("desk") != str(connection.pk):
        log.info("desk %s deep link refused: not for this installation", key)
        return forbidden(request, language=link.lang)
    context = DeskContext(
        workspace=link.workspace, emails=link.emails, name=link.name, ticket=link.ticket, ticket_url=link.ticket_url,
        agent=link.agent, lang=link.lang,
    )
    built = build_panel(context, limit=PAGE_SIZE)
    session = session_issue(
        workspace=link.workspace, link_sig=link.sig, customer_ids=built.customer_ids,
        member_id=built.member.pk if built.member else None, emails=built.emails, ticket_url=link.ticket_url,
        language=built.language, desk=(connection.pk, link.ticket, connection.provider) if link.ticket else None,
    )
    focus, action = _focus(request.GET, built)
    with translation.override(built.language):
        response = render(request, "chargeside/desk/open.html", {
            "panel": built, "view": built.view, "accounts": built.accounts, "token": session, "member": built.member,
            "lang": built.language, "focus": focus, "action": action, "wanted": bool(request.GET.get("do")),
            "desk_name": adapter_class(key).display_name, "ticket": link.ticket,
        })
    return with_panel_headers(response, link.workspace)


def _focus(query, built):
    """The item the link asks to act on, if this member may still run that action on it; else (None, "")."""
    action, item = query.get("do", ""), query.get("item", "")
    if not action or not item.isdigit() or built.member is None or built.view is None:
        return None, ""
    from chargeside.actions.inputs import inputs_for

    inputs = inputs_for(action)
    if inputs is None:
        return None, ""
    found = actionable_item(
        workspace=built.workspace, customer_ids=list(built.customer_ids), kind=inputs.on, item_id=int(item),
        member=built.member, language=built.language,
    )
    if found is None or action not in found.actions:
        return None, ""
    return found, action
