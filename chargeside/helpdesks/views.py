"""The generic panel: a signed link opens it (see `signing.py`), a panel-session token carries the rest.

GET /panel/?...&sig=...         the whole panel (verified link → member, customer, view model)
GET /panel/section/<name>/      "show more" of one section (htmx, X-Panel-Token)
Actions live in `action_views.py`.
"""

from __future__ import annotations

import logging

from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from chargeside.billing.selectors import customer_section, customer_view
from chargeside.core.signing import SignatureError

from .http import forbidden, panel_session_required, with_panel_headers
from .panel import DeskContext, account_menu, build_panel, session_member
from .signing import session_issue, verify_link

log = logging.getLogger(__name__)
PAGE_SIZE = 5


@require_GET
@xframe_options_exempt
def panel(request):
    try:
        link = verify_link(request.GET)
    except SignatureError as exc:
        log.info("panel link refused: %s", exc.reason)
        requested = request.GET.get("lang", "")
        return forbidden(request, language=requested if requested in ("en", "tr") else "")
    built = build_panel(DeskContext(
        workspace=link.workspace, emails=link.emails, name=link.name, ticket=link.ticket, ticket_url=link.ticket_url,
        agent=link.agent, lang=link.lang,
    ), limit=PAGE_SIZE)
    token = session_issue(
        workspace=link.workspace, link_sig=link.sig, customer_ids=built.customer_ids,
        member_id=built.member.pk if built.member else None, emails=built.emails, ticket_url=link.ticket_url,
        language=built.language,
    )
    with translation.override(built.language):
        response = render(request, "chargeside/panel/page.html", {
            "panel": built, "view": built.view, "accounts": built.accounts, "token": token, "member": built.member,
            "requester_name": link.name, "lang": built.language,
        })
    return with_panel_headers(response, link.workspace)


@require_GET
@panel_session_required
def section(request, session, name: str):
    try:
        offset = max(int(request.GET.get("offset", "0")), 0)
    except ValueError:
        offset = 0
    member = session_member(session.workspace, session.member_id)
    page = customer_section(
        workspace=session.workspace, customer_ids=list(session.customer_ids), section=name, member=member,
        language=session.language, offset=offset, limit=PAGE_SIZE,
    )
    if page is None:
        raise Http404("No such section.")
    shown = offset + len(page.items)
    return render(request, "chargeside/panel/more.html", {
        "section": page, "offset": shown, "remaining": max(page.total - shown, 0), "member": member, "lang": session.language,
    })


def panel_body(request, session, *, flash=None, status: int = 200):
    """The panel's content rebuilt from the session (after an action changed the customer's state)."""
    member = session_member(session.workspace, session.member_id)
    view = customer_view(
        workspace=session.workspace, customer_ids=list(session.customer_ids), member=member, language=session.language,
        limit=PAGE_SIZE,
    ) if session.customer_ids else None
    accounts = account_menu(session.workspace, session.customer_ids, member, session.language) if view else ()
    return render(request, "chargeside/panel/body.html", {
        "view": view, "accounts": accounts, "member": member, "flash": flash, "lang": session.language,
        "panel": {"emails": session.emails, "read_only": member is None},
    }, status=status)
