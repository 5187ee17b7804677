"""The card's action hooks: `POST /desk/hubspot/<connection token>/action/?<signed deep link>`.

A CONFIRMATION_ACTION_HOOK button on the card (card.py) makes HubSpot's servers call this URI after the agent
confirms. Two signatures must hold: HubSpot's v3 signature (the request comes from HubSpot, within 5
minutes) and our deep-link signature on the query (this workspace, connection, record, agent, action and
item, minted when the card was rendered, 15 minutes). Then the same path as every desk: the agent mapped to
a member (unmapped: refused with the read-only message), the item must belong to the record's customer and
offer the action to this member, run_action runs it, and notes.py queues the private note on the record.

The idempotency key is derived from the card's link signature, the action and the item, so a second click on
the same card (or HubSpot retrying the hook) replays the first run instead of acting twice; the next card
(a reload) is a new decision.
"""

from __future__ import annotations

import hashlib
import json
import logging

from django.conf import settings
from django.http import JsonResponse, QueryDict
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from chargeside.actions.base import ActionError
from chargeside.actions.inputs import inputs_for, params_from
from chargeside.actions.runner import ActionRequest, run_action
from chargeside.billing.sections import actionable_item
from chargeside.core.formatting import money
from chargeside.core.signing import SignatureError

from ..base import DeskLinks, DeskRequest
from ..deeplinks import SignedDeskLinks
from ..desk_views import desk_connection
from ..notes import note_after_action
from ..panel import DeskContext, build_panel
from ..registry import adapter_for
from ..signing import LINK_PARAMS, verify_link
from .card import HookLinks, hook_action
from .context import agent_of

log = logging.getLogger(__name__)
KEY = "hubspot"
_SIGNED = (*LINK_PARAMS, "desk", "do", "item", "sig")


class CardLinks(HookLinks):
    """The deep links of one card, plus action-hook URIs carrying the same signed query."""

    def __init__(self, links: SignedDeskLinks):
        self.links = links
        self.hook_base = f"{settings.CHARGESIDE_PUBLIC_URL}{reverse('desk:hubspot_action', args=[links.connection.webhook_token])}"

    def action(self, name: str, item_id: int) -> str:
        return self.links.action(name, item_id)

    def panel(self) -> str:
        return self.links.panel()

    def hook(self, name: str, item_id: int) -> str:
        return f"{self.hook_base}?{self.links.action(name, item_id).partition('?')[2]}"


def card_links(links: DeskLinks | None) -> DeskLinks | None:
    return CardLinks(links) if isinstance(links, SignedDeskLinks) else links


def _answer(status: int, message: str) -> JsonResponse:
    return JsonResponse({"message": message}, status=status, json_dumps_params={"ensure_ascii": False})


def _hubspot_agent(request) -> str:
    """The agent HubSpot names on the hook, if it names one (query, or a JSON body for POST hooks)."""
    query = {key: request.GET.getlist(key) for key in ("userId", "userEmail")}
    if not any(query.values()) and request.body:
        try:
            body = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = None
        if isinstance(body, dict):
            query = {key: [str(body[key])] for key in ("userId", "userEmail") if body.get(key) not in (None, "")}
    return agent_of(query)


@csrf_exempt
@require_POST
def action_hook(request, token: str):
    connection = desk_connection(KEY, token)
    if connection is None:
        log.info("desk hubspot: refused an action hook for an unknown or disabled installation")
        return _answer(403, "Unknown installation.")
    adapter = adapter_for(connection)
    try:
        adapter.authenticate(DeskRequest.from_django(request), portal_required=False)
    except SignatureError as exc:
        log.info("desk hubspot connection %s: action hook refused: %s", connection.pk, exc.reason)
        return _answer(401, "The signature does not match this installation's secret.")
    signed = QueryDict(mutable=True)
    for key in _SIGNED:
        if key in request.GET:
            signed.setlist(key, request.GET.getlist(key))
    try:
        link = verify_link(signed)
    except SignatureError as exc:
        log.info("desk hubspot connection %s: action hook link refused: %s", connection.pk, exc.reason)
        return _answer(403, _("This card is out of date: reload the record and try again."))
    sent_by = _hubspot_agent(request)
    if link.workspace.pk != connection.workspace_id or signed.get("desk") != str(connection.pk) or (sent_by and sent_by != link.agent):
        log.info("desk hubspot connection %s: action hook refused: not this installation's card or agent", connection.pk)
        return _answer(403, _("This card is out of date: reload the record and try again."))
    context = DeskContext(workspace=link.workspace, emails=link.emails, name=link.name, ticket=link.ticket,
                          ticket_url=link.ticket_url, agent=link.agent, lang=link.lang)
    built = build_panel(context, limit=1)
    with translation.override(built.language):
        return _run(connection, link, built, signed.get("do", ""), signed.get("item", ""))


def _run(connection, link, built, name: str, item_id: str) -> JsonResponse:
    if built.member is None:
        return _answer(403, _("You are not a member of this workspace, so the panel is read-only."))
    inputs = inputs_for(name)
    if inputs is None or not item_id.isdigit():
        return _answer(404, _("This action does not exist."))
    if not hook_action(name):
        # Actions that ask for an amount, a reason or options run in the card's form (IFRAME), not here.
        return _answer(400, _("This action is not available for this item (your role, the gateway or its state)."))
    item = actionable_item(workspace=built.workspace, customer_ids=list(built.customer_ids), kind=inputs.on,
                           item_id=int(item_id), member=built.member, language=built.language)
    if item is None:
        return _answer(404, _("This item was not found for this customer."))
    if name not in item.actions:
        return _answer(403, _("This action is not available for this item (your role, the gateway or its state)."))
    key = hashlib.sha256(f"hubspot-hook:{connection.pk}:{link.sig}:{name}:{item.id}".encode()).hexdigest()
    try:
        outcome = run_action(member=built.member, request=ActionRequest(
            name, params_from(inputs, item.id, {}), ticket_url=link.ticket_url, source=f"desk:{KEY}", idempotency_key=key,
        ))
    except ActionError as exc:
        return _answer(exc.status if 400 <= exc.status < 500 else 422, exc.message)
    attempt = outcome.attempt
    note_after_action(desk=(connection.pk, link.ticket, KEY), attempt=attempt, language=built.language)
    amount = money(attempt.amount, attempt.currency, built.language) if attempt.amount is not None else ""
    if attempt.status == "succeeded":
        if outcome.replayed:
            return _answer(200, _("This was already done; nothing was repeated."))
        done = (_("%(done)s: %(amount)s.") if amount else _("%(done)s.")) % {"done": inputs.done, "amount": amount}
        return _answer(200, done)
    if attempt.status == "awaiting_approval":
        return _answer(202, _("Above your limit: %(amount)s was sent to an admin for approval.") % {"amount": amount})
    if attempt.status == "in_flight":
        return _answer(409, _("This action is already in progress."))
    return _answer(422, _("%(action)s failed: %(error)s") % {"action": inputs.noun, "error": attempt.error_message or attempt.status})
