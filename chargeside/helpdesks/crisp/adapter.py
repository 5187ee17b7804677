"""Crisp: an iFrame widget of a Crisp Marketplace plugin, in the conversation sidebar of the Crisp inbox.

What was checked, and why it is trusted (the shared protocols file has no Crisp section, so this was looked up):
- Widget load [Crisp docs: docs.crisp.chat "Plugins | Widgets": Quickstart, iFrame Widget, Data Access, Widget
  JS SDK; Plugin Widgets Reference V1]. An iFrame widget is `{"version": "1.0", "url": ...}` in the plugin's
  settings on the Marketplace. Crisp loads the URL with a GET adding `website_id`, `session_id` (with a
  `website:conversation:*` scope), `token` and `locale`. `token` is the website's token for the plugin (the
  value the plugin reads from Crisp's plugin-connect routes), and the docs say to use it to check that the
  request comes from the Crisp app. So the load is authenticated like Front's `auth_secret`: the token is
  compared in constant time with the one stored for this connection, and `website_id` must be this
  connection's website. No timestamp is sent, so there is no window; a leaked token works until rotated,
  and the URL carries it, so the page sends `Referrer-Policy: no-referrer`. The widget is at most 350 px
  tall until the operator expands it (JS SDK `setHeight` docs); the page is laid out for that narrow box.
  Visitor email/nickname and the operator come from data bindings in the configured URL (context.py); the
  `operator` namespace is not in the Data Access excerpt we could read, so the operator may be absent:
  the panel is then read-only and says so.
- Signed requests [official `crisp-api` Node library source, `lib/crisp.ts` `verifyHook`/`verifyWidget`, and
  its `examples/events_webhooks.js`; Crisp's Web Hooks Reference V1 names the headers]: `X-Crisp-Signature`
  = hex HMAC-SHA256(secret, "[" + `X-Crisp-Request-Timestamp` + ";" + JSON + "]"), see signature.py. A POST
  to this desk's URL (a plugin hook or a widget request) must carry it; a wrong one is 401. Not used by the
  iFrame load itself (Crisp signs no GET). Crisp's docs page for Hugo's MCP requests shows another scheme
  (`X-Crisp-Timestamp`, "sha256=" over "{ts}.{website_id}.{body}"); it is for MCP servers only, not used here.
- Notes [crisp-api source: Basic auth of the plugin token identifier:key with `X-Crisp-Tier: plugin`;
  `sendMessageInConversation` → POST /v1/website/{website_id}/conversation/{session_id}/message; message
  type "note"], see client.py. The plugin needs the `website:conversation:messages` write scope.
- Conversation links `https://app.crisp.chat/website/{website_id}/inbox/{session_id}/`: the Crisp app's URL
  form as seen in use, not documented (a setting, `app_url`, can change the host).

Acting: the panel is the generic one with a desk-bound session (signing.session_issue(desk=...)), so its
actions run through run_action and leave one note on the conversation (Interaction.INTERACTIVE).
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from django.http import HttpResponse
from django.template.loader import render_to_string

from chargeside.core.signing import SignatureError, constant_time_equal
from chargeside.gateways.types import SettingField

from ..base import DeskLinks, DeskNoteText, DeskRequest, HelpdeskAdapter, Interaction
from ..http import panel_csp
from ..panel import DeskContext, Panel
from ..signing import session_issue
from . import signature
from .client import DEFAULT_API_BASE, CrispClient
from .context import (
    DEFAULT_APP_URL,
    conversation_url,
    hook_context,
    parse_hook,
    widget_context,
)

CRISP_ORIGIN = "https://app.crisp.chat"


class CrispAdapter(HelpdeskAdapter):
    key = "crisp"
    display_name = "Crisp"
    interaction = Interaction.INTERACTIVE
    frame_origins = (CRISP_ORIGIN,)
    # Crisp loads an iFrame widget with a GET (desk_views.desk_callback accepts it for adapters saying so).
    load_methods = ("GET", "POST")
    settings_spec = (
        SettingField("website_id", "Website ID", help="Crisp: Settings > Website Settings > Setup instructions (a UUID)."),
        SettingField("widget_token", "Plugin token of this website", secret=True,
                     help="The `token` Crisp adds to the widget URL for this website (Marketplace plugin, connected websites)."),
        SettingField("signing_secret", "Web hooks signing secret", secret=True, required=False,
                     help="Marketplace > your plugin > Settings > Web Hooks: the signature secret."),
        SettingField("plugin_identifier", "Plugin token identifier", required=False,
                     help="Marketplace > your plugin > Tokens (production). Needed for notes in conversations."),
        SettingField("plugin_key", "Plugin token key", secret=True, required=False, help="The same token's key."),
        SettingField("api_base_url", "REST API base URL", required=False, default=DEFAULT_API_BASE, kind="url",
                     help="Leave as is; change only to point at a test server."),
        SettingField("app_url", "Crisp app address", required=False, default=DEFAULT_APP_URL, kind="url",
                     help="Where operators open conversations (links in the audit trail)."),
    )

    @property
    def website_id(self) -> str:
        return (self.settings.get("website_id") or "").strip().lower()

    @property
    def app_url(self) -> str:
        return self.settings.get("app_url") or DEFAULT_APP_URL

    # --- inbound ------------------------------------------------------------------------------------
    def authenticate(self, request: DeskRequest, *, now: float | None = None) -> None:
        if request.method == "GET":
            self._authenticate_widget(request)
        else:
            signature.verify(
                self.credentials.get("signing_secret", ""), timestamp=request.headers.get(signature.TIMESTAMP_HEADER, ""),
                signature=request.headers.get(signature.SIGNATURE_HEADER, ""), body=request.body, now=now,
            )

    def _authenticate_widget(self, request: DeskRequest) -> None:
        expected = self.credentials.get("widget_token", "")
        sent = (request.query.get("token") or [""])[0].strip()
        website = (request.query.get("website_id") or [""])[0].strip().lower()
        if not expected or not self.website_id:
            raise SignatureError("the connection has no website id or widget token")
        if not sent:
            raise SignatureError("no widget token")
        # Both are compared every time, so the answer's timing does not tell which one was wrong.
        token_ok = constant_time_equal(sent, expected)
        website_ok = constant_time_equal(website, self.website_id)
        if not (token_ok and website_ok):
            raise SignatureError("widget token or website does not match this installation")

    def extract_context(self, request: DeskRequest, *, workspace) -> DeskContext:
        if request.method == "GET":
            return widget_context(request.query, workspace=workspace, app_url=self.app_url)
        payload = parse_hook(request.body)
        if str(payload.get("website_id", "")).lower() != self.website_id:
            from ..base import DeskPayloadError

            raise DeskPayloadError("the hook is for another website")
        return hook_context(payload, workspace=workspace, app_url=self.app_url)

    def ticket_url(self, ticket: str) -> str:
        return conversation_url(self.app_url, self.website_id, ticket)

    # --- the widget ----------------------------------------------------------------------------------
    def frame_ancestors(self) -> tuple[str, ...]:
        parts = urlsplit(self.app_url)
        configured = f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""
        return tuple(dict.fromkeys(origin for origin in (*self.frame_origins, configured) if origin))

    def panel_token(self, panel: Panel, *, context: DeskContext, links: DeskLinks | None) -> str:
        connection = getattr(links, "connection", None)
        desk = (connection.pk, context.ticket, self.key) if connection is not None and context.ticket else None
        # The session names what opened it; a digest of the conversation stands in for a link signature.
        opened_by = hashlib.sha256(f"crisp:{self.website_id}:{context.ticket}".encode()).hexdigest()
        return session_issue(
            workspace=panel.workspace, link_sig=opened_by, customer_ids=panel.customer_ids,
            member_id=panel.member.pk if panel.member else None, emails=panel.emails, ticket_url=context.ticket_url,
            language=panel.language, desk=desk,
        )

    def render_html(self, panel: Panel, *, context: DeskContext, links: DeskLinks | None) -> str:
        return render_to_string("chargeside/crisp/widget.html", {
            "panel": panel, "view": panel.view, "accounts": panel.accounts, "member": panel.member,
            "token": self.panel_token(panel, context=context, links=links), "lang": panel.language,
            "requester_name": context.name, "ticket": context.ticket,
        })

    def render_panel(self, panel: Panel, *, context: DeskContext, links: DeskLinks | None) -> HttpResponse:
        response = HttpResponse(self.render_html(panel, context=context, links=links))
        return self.framed(response, panel.workspace)

    def framed(self, response: HttpResponse, workspace) -> HttpResponse:
        response["Content-Security-Policy"] = f"{panel_csp(workspace)} {' '.join(self.frame_ancestors())}"
        response["Referrer-Policy"] = "no-referrer"  # the widget URL carries the website's token
        response["Cache-Control"] = "no-store"
        response.xframe_options_exempt = True
        return response

    # --- outbound -----------------------------------------------------------------------------------
    def post_note(self, *, ticket: str, note: DeskNoteText) -> str:
        client = CrispClient(
            base_url=self.settings.get("api_base_url") or DEFAULT_API_BASE,
            identifier=self.settings.get("plugin_identifier", ""), key=self.credentials.get("plugin_key", ""),
        )
        return client.create_note(self.website_id, ticket, note.plain())
