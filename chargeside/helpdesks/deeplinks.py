"""Signed, short-lived deep links for desks that only show our content (Help Scout's legacy HTML sidebar).

A deep link is a generic panel link (`signing.py`: every parameter signed with the workspace's panel
secret, `exp` enforced) with three more signed parameters, served by `desk_views.desk_open` at
`/desk/<desk key>/<connection token>/open/?...`:

    desk    the helpdesk connection's id: the link works only under that connection's URL token
    do      the action to open (optional; without it the whole panel opens)
    item    the panel item (charge, subscription, invoice) or customer account the action is about

The page it opens is the generic panel bound to the ticket: its session token carries the desk connection
and ticket id, so an action run there leaves a private note on the ticket (notes.py). Links live
CHARGESIDE_DESK_LINK_TTL seconds (15 minutes): the desk asks for fresh ones each time the agent opens the
ticket, and a link that leaks from the desk's page is soon worthless.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.urls import reverse

from chargeside.workspaces.cache import panel_secret

from .base import DeskLinks
from .panel import DeskContext
from .signing import sign_pairs


def desk_link_ttl() -> int:
    return int(getattr(settings, "CHARGESIDE_DESK_LINK_TTL", 15 * 60))


class SignedDeskLinks(DeskLinks):
    """Deep links for one rendering of one ticket's panel, for the agent it was rendered for."""

    def __init__(self, *, connection, context: DeskContext, now: float | None = None):
        self.connection = connection
        self.base = f"{settings.CHARGESIDE_PUBLIC_URL}{reverse('desk:open', args=[connection.provider, connection.webhook_token])}"
        pairs = [("ws", context.workspace.slug), ("exp", str(int((now or time.time()) + desk_link_ttl()))),
                 ("desk", str(connection.pk))]
        pairs += [("email", email) for email in context.emails if email]
        for key, value in (("name", context.name), ("ticket", context.ticket), ("ticket_url", context.ticket_url),
                           ("agent", context.agent), ("lang", context.lang)):
            if value:
                pairs.append((key, value))
        self._pairs = pairs
        self._secret = panel_secret(context.workspace)

    def _url(self, extra: list[tuple[str, str]]) -> str:
        from .signing import canonical_query

        pairs = self._pairs + extra
        return f"{self.base}?{canonical_query(pairs)}&sig={sign_pairs(self._secret, pairs)}"

    def action(self, name: str, item_id: int) -> str:
        return self._url([("do", name), ("item", str(int(item_id)))])

    def panel(self) -> str:
        return self._url([])
