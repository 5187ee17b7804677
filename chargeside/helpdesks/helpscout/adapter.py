"""Help Scout legacy Dynamic App.

Help Scout POSTs JSON to the app's callback URL when an agent opens a conversation and shows the `html` of
our JSON answer in the sidebar. The request is signed: `X-HelpScout-Signature` = base64(HMAC-SHA1(the app's
secret key, raw body)). There is no timestamp, so there is no replay window to enforce (a replayed callback
only re-renders the panel with fresh 15-minute deep links). Help Scout strips scripts and style sheets from
the HTML, so the panel is static, inline-styled HTML and every action is a signed deep link
(Interaction.STATIC). Notes go through the Mailbox API 2.0 (client.py).
"""

from __future__ import annotations

import hashlib

from django.http import JsonResponse
from django.template.loader import render_to_string

from chargeside.billing.selectors import status_label
from chargeside.core.signing import SignatureError, constant_time_equal, hmac_b64
from chargeside.gateways.types import SettingField

from ..base import DeskLinks, DeskNoteText, DeskRequest, HelpdeskAdapter, Interaction
from ..panel import DeskContext, Panel
from .client import DEFAULT_API_BASE, MailboxClient
from .context import callback_context, parse_callback

DEFAULT_WEB_URL = "https://secure.helpscout.net"


class HelpScoutAdapter(HelpdeskAdapter):
    key = "helpscout"
    display_name = "Help Scout"
    interaction = Interaction.STATIC
    settings_spec = (
        SettingField("secret_key", "Dynamic App secret key", secret=True,
                     help="The secret key of the custom app (40 characters or fewer); paste the same into Help Scout."),
        SettingField("client_id", "OAuth app ID", required=False,
                     help="Your Profile > My apps > an app for Chargeside: its App ID. Needed for notes on conversations."),
        SettingField("client_secret", "OAuth app secret", secret=True, required=False, help="The same app's App Secret."),
        SettingField("api_base_url", "Mailbox API base URL", required=False, default=DEFAULT_API_BASE, kind="url",
                     help="Leave as is; change only to point at a test server."),
        SettingField("web_url", "Help Scout web address", required=False, default=DEFAULT_WEB_URL, kind="url",
                     help="Where agents open conversations (links in the audit trail)."),
    )
    # Header names are compared case-insensitively; any of these may carry the signature.
    signature_headers: tuple[str, ...] = ("X-HelpScout-Signature",)
    conversation_path = "/conversation/{id}/{number}/"
    default_web_url = DEFAULT_WEB_URL

    # --- inbound ------------------------------------------------------------------------------------
    def authenticate(self, request: DeskRequest, *, now: float | None = None) -> None:
        secret = self.credentials.get("secret_key", "")
        sent = next((request.headers.get(name) for name in self.signature_headers if request.headers.get(name)), "")
        if not secret:
            raise SignatureError("the connection has no secret key")
        if not sent:
            raise SignatureError("no signature header")
        if not constant_time_equal(hmac_b64(secret, request.body, hashlib.sha1), sent.strip()):
            raise SignatureError("signature does not match")

    def extract_context(self, request: DeskRequest, *, workspace) -> DeskContext:
        return callback_context(
            parse_callback(request.body), workspace=workspace, desk_key=self.key,
            web_url=self.settings.get("web_url") or self.default_web_url, conversation_path=self.conversation_path,
        )

    def ticket_url(self, ticket: str) -> str:
        web = self.settings.get("web_url") or self.default_web_url
        return web.rstrip("/") + self.conversation_path.format(id=ticket, number="").replace("//", "/")

    # --- the sidebar ---------------------------------------------------------------------------------
    def render_html(self, panel: Panel, *, context: DeskContext, links: DeskLinks | None) -> str:
        return render_to_string("chargeside/helpscout/panel.html", {
            "panel": panel, "view": panel.view, "accounts": panel.accounts, "links": links, "lang": panel.language,
            "label": status_label, "desk_key": self.key, "agent": context.agent,
        }, using="jinja2")

    def render_panel(self, panel: Panel, *, context: DeskContext, links: DeskLinks | None):
        return JsonResponse({"html": self.render_html(panel, context=context, links=links)})

    @classmethod
    def refusal(cls, status: int, message: str):
        # The desk shows `html` whatever the status; a short line beats a broken sidebar.
        from django.utils.html import escape

        return JsonResponse({"html": f'<p style="color:#b42318;margin:0">Chargeside: {escape(message)}</p>'}, status=status)

    # --- outbound -----------------------------------------------------------------------------------
    def post_note(self, *, ticket: str, note: DeskNoteText) -> str:
        client = MailboxClient(
            base_url=self.settings.get("api_base_url") or DEFAULT_API_BASE,
            client_id=self.settings.get("client_id", ""), client_secret=self.credentials.get("client_secret", ""),
        )
        return client.create_note(ticket, note.html())
