"""A gateway-hosted page where the customer updates their card. Card numbers never pass through
Chargeside: the gateway's tokenised flow is the only way a card changes.

The link is a bearer URL: it is returned on the attempt (for the agent to send) but kept out of the
permanent audit trail, which records only that a link was made and until when it works.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from chargeside.gateways.types import Capability, CardUpdateSession
from chargeside.workspaces.roles import Perm

from .base import Action, ActionError, Preview
from .common import customer_target, finished_count, gateway_customer_from, text_param


class CardUpdateLink(Action):
    name = "card_update_link"
    label = "Card update link"
    permission = Perm.VIEW_PAYMENT_METHODS
    capability = Capability.CARD_UPDATE_SESSION

    def resolve(self, workspace, params):
        return customer_target(gateway_customer_from(workspace, params))

    def clean(self, target, params, adapter):
        if target.obj.deleted:
            raise ActionError(_("This customer was deleted at the gateway."), code="deleted_customer")
        return_url = text_param(params, "return_url", max_length=500) or settings.CHARGESIDE_PUBLIC_URL
        parts = urlsplit(return_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ActionError(_("The return address must be an http(s) URL."), field="return_url")
        return {"return_url": return_url}

    def state_token(self, target):
        # Links expire; asking again later makes a fresh one rather than replaying the old one.
        return str(finished_count(target.connection.workspace_id, self.name, target.remote_id))

    def preview(self, target, cleaned, adapter, language):
        who = target.obj.email or target.obj.name or target.remote_id
        return Preview(
            summary=_("Create a %(gateway)s page where %(who)s can update their card.") % {"gateway": adapter.display_name, "who": who},
            lines=((_("Customer"), who), (_("Returns to"), cleaned["return_url"])),
        )

    def execute(self, target, cleaned, adapter, idempotency_key):
        return [adapter.card_update_session(
            customer_remote_id=target.remote_id, return_url=cleaned["return_url"], idempotency_key=idempotency_key,
        )]

    def stored(self, dtos):
        return [dto for dto in dtos if not isinstance(dto, CardUpdateSession)]

    def result(self, dtos):
        session = next(dto for dto in dtos if isinstance(dto, CardUpdateSession))
        return {"url": session.url, "expires_at": session.expires_at.isoformat() if session.expires_at else None}

    def audit_detail(self, result):
        return {"link_created": True, "expires_at": result["expires_at"]}
