"""Front: a sidebar plugin (an iframe), comments through the Core API, signed application webhooks.

What we found, and why we trust it (protocols file section 5 and its uncertainty 5, looked up 2026-11-27):
- Plugin load. Front renders the plugin URL in its sidebar iframe and appends the query parameter
  `auth_secret`, a static secret shown in the plugin's settings (protocols file [DOC]). It is not a signature:
  it proves the page was configured by someone who saw the plugin's settings, nothing about the context. We
  compare it in constant time, then mint a short-lived *grant* (HMAC with that secret) so the secret does not
  travel further (no Referer: `Referrer-Policy: no-referrer`; not in the next request).
- Context. Front gives it only to the page, through `@frontapp/plugin-sdk` (`Front.contextUpdates`). We read
  the SDK 1.10.0 (npm, MIT) itself: the page posts the handshake string
  `@frontapp/ui-sdk#WebViewBridge.handshake` with a MessagePort to `window.parent`, and Front answers on the
  port with `{"type": "context_update", "context": {...}}` for every change. The SDK is vendored unmodified
  (static `chargeside/front/front-plugin-sdk.umd.js`) because the panel's CSP allows scripts from us only.
  `conversation.recipient.handle` is confirmed by Front's plugin SDK reference (Conversation → `recipient`:
  Recipient with `handle`, `name`, `type`, `contact`), which settles the protocols file's [MEM] path.
  The context is what the browser says: anyone holding the installation's auth_secret can ask for any
  requester's panel and name any teammate. That is Front's plugin model; the panel only shows and acts for
  the member the teammate maps to, and actions keep their permissions, limits and audit trail.
- Application webhooks (`verify_webhook`): `x-front-signature` = base64(HMAC-SHA256(app secret,
  "<x-front-request-timestamp>:" + raw body)), timestamp in milliseconds; Front's "Application webhooks" page
  describes exactly this byte concatenation and a forum answer by Front staff says the key is the app's App
  secret. Front's connector "Security" page recommends rejecting anything older than 5 minutes; we enforce
  the same window both ways. The validation request carries `x-front-challenge`; whether Front wants it back
  as plain text or as JSON `{"challenge": …}` is still unconfirmed (Front's page is cut off in what we could
  read; third-party handlers answer JSON), so we answer JSON with the value, see views.webhook.
- Comments: `POST /conversations/{id}/comments` with `{"body"}` and a Bearer API token (client.py).
"""

from __future__ import annotations

import hashlib
import time

from django.shortcuts import render

from chargeside.core.signing import (
    SignatureError,
    check_timestamp,
    constant_time_equal,
    hmac_b64,
    hmac_hex,
    webhook_tolerance,
)
from chargeside.gateways.types import SettingField

from ..base import (
    DeskLinks,
    DeskNoteText,
    DeskPayloadError,
    DeskRequest,
    HelpdeskAdapter,
    Interaction,
)
from ..panel import DeskContext, Panel
from .client import DEFAULT_API_BASE, FrontClient
from .context import parse_context, plugin_context

DEFAULT_WEB_URL = "https://app.frontapp.com"
FRONT_ORIGINS = ("https://*.frontapp.com", "https://*.frontapplication.com")
_GRANT_LABEL = "chargeside-front-plugin-v1"


def grant_ttl() -> int:
    from .. import signing

    return signing.session_ttl()  # the plugin stays open all day; a grant lives as long as a panel session


class FrontAdapter(HelpdeskAdapter):
    key = "front"
    display_name = "Front"
    interaction = Interaction.INTERACTIVE
    frame_origins = FRONT_ORIGINS
    settings_spec = (
        SettingField("auth_secret", "Plugin auth secret", secret=True,
                     help="The plugin's auth secret from the app's Plugin settings in Front; paste it here."),
        SettingField("api_token", "API token", secret=True, required=False,
                     help="A Front API token with access to the shared inboxes. Needed for comments on conversations."),
        SettingField("app_secret", "App secret", secret=True, required=False,
                     help="The app's App secret (Basic information). Needed only for the app webhook."),
        SettingField("api_base_url", "Core API base URL", required=False, default=DEFAULT_API_BASE, kind="url",
                     help="Leave as is; change only to point at a test server."),
        SettingField("web_url", "Front web address", required=False, default=DEFAULT_WEB_URL, kind="url",
                     help="Where agents open conversations (links in the audit trail)."),
    )

    # --- inbound: the plugin page -----------------------------------------------------------------
    def authenticate(self, request: DeskRequest, *, now: float | None = None) -> None:
        """The plugin's first load: the `auth_secret` query parameter Front appends."""
        secret = self.credentials.get("auth_secret", "")
        sent = request.query.get("auth_secret") or []
        if not secret:
            raise SignatureError("the connection has no plugin auth secret")
        if len(sent) != 1 or not sent[0]:
            raise SignatureError("no auth_secret, or more than one")
        if not constant_time_equal(secret, sent[0]):
            raise SignatureError("auth_secret does not match")

    def grant(self, connection_id: int, *, now: float | None = None) -> str:
        """What the plugin page carries instead of the secret: '<connection id>.<expiry>.<mac>'."""
        signed = f"{int(connection_id)}.{int((time.time() if now is None else now) + grant_ttl())}"
        return f"{signed}.{hmac_hex(self.credentials.get('auth_secret', ''), f'{_GRANT_LABEL}.{signed}')}"

    def verify_grant(self, grant: str, connection_id: int, *, now: float | None = None) -> None:
        secret = self.credentials.get("auth_secret", "")
        parts = (grant or "").strip().split(".")
        if not secret:
            raise SignatureError("the connection has no plugin auth secret")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            raise SignatureError("malformed plugin grant")
        expected = hmac_hex(secret, f"{_GRANT_LABEL}.{parts[0]}.{parts[1]}")
        if not constant_time_equal(expected, parts[2]) or int(parts[0]) != int(connection_id):
            raise SignatureError("plugin grant does not verify")
        if int(parts[1]) < (time.time() if now is None else now):
            raise SignatureError("plugin grant expired")

    def extract_context(self, request: DeskRequest, *, workspace) -> DeskContext:
        """`request.body` is the context JSON the plugin page posted (see context.py)."""
        if len(request.body) > 64 * 1024:
            raise DeskPayloadError("the plugin context is too large")
        return plugin_context(parse_context(request.body), workspace=workspace, ticket_url=self.ticket_url)

    def ticket_url(self, ticket: str) -> str:
        if not ticket:
            return ""
        return f"{(self.settings.get('web_url') or DEFAULT_WEB_URL).rstrip('/')}/open/{ticket}"

    def render_panel(self, panel: Panel, *, context: DeskContext, links: DeskLinks | None):
        """Front never POSTs to the shared desk callback: its panel opens from the plugin page (views.plugin →
        views.plugin_panel → `panel_page()`, which needs the request). Whoever posts there gets told so."""
        return self.refusal(404, "Front's panel opens from the plugin URL (/desk/front/<token>/plugin/).")

    def panel_page(self, request, panel: Panel, *, context: DeskContext, connection):
        from ..signing import session_issue

        session = session_issue(
            workspace=panel.workspace, link_sig=self.grant(connection.pk)[-16:], customer_ids=panel.customer_ids,
            member_id=panel.member.pk if panel.member else None, emails=panel.emails, ticket_url=context.ticket_url,
            language=panel.language, desk=(connection.pk, context.ticket, self.key) if context.ticket else None,
        )
        return render(request, "chargeside/desk/open.html", {
            "panel": panel, "view": panel.view, "accounts": panel.accounts, "token": session, "member": panel.member,
            "lang": panel.language, "focus": None, "action": "", "wanted": False, "desk_name": self.display_name,
            "ticket": context.ticket,
        })

    # --- inbound: application webhooks ------------------------------------------------------------------
    def verify_webhook(self, request: DeskRequest, *, now: float | None = None) -> None:
        secret = self.credentials.get("app_secret", "")
        sent = (request.headers.get("X-Front-Signature") or "").strip()
        stamp = (request.headers.get("X-Front-Request-Timestamp") or "").strip()
        if not secret:
            raise SignatureError("the connection has no app secret")
        if not sent or not stamp.isdigit():
            raise SignatureError("no signature or timestamp header")
        expected = hmac_b64(secret, stamp.encode() + b":" + request.body, hashlib.sha256)
        if not constant_time_equal(expected, sent):
            raise SignatureError("signature does not match")
        check_timestamp(int(stamp) / 1000, tolerance=webhook_tolerance(), now=now)

    # --- outbound -------------------------------------------------------------------------------------
    def post_note(self, *, ticket: str, note: DeskNoteText) -> str:
        client = FrontClient(base_url=self.settings.get("api_base_url") or DEFAULT_API_BASE,
                             token=self.credentials.get("api_token", ""))
        return client.create_comment(ticket, note.plain())
