"""Freshdesk ticket sidebar: a Freshworks app (FDK, platform 3.0) whose frame shows the generic panel.

How a panel opens (apps/freshdesk/ is the app; docs/helpdesks.md has the agent's view):

1. The agent opens a ticket; Freshdesk loads the app's `app/index.html` in the ticket sidebar frame. Its script
   waits for `app.initialized()`, reads `client.data.get("ticket" | "contact" | "loggedInUser" | "domainName")`
   and calls `client.request.invokeTemplate("chargesidePanel", {body: JSON})`.
2. Freshworks' request proxy sends the template (`config/requests.json`) from its servers:
   `POST https://<chargeside_host>/desk/freshdesk/<connection_token>/` with
   `Authorization: Bearer <secure iparam chargeside_secret>`. The secret is a secure iparam: the platform
   substitutes it server-side, it never reaches the agent's browser (secure iparams are usable only in
   template headers and serverless code).
3. We compare the bearer value with the connection's `app_secret` in constant time (`authenticate`), read the
   context from the body (`context.py`) and answer JSON `{"panel_url": …, "expires_in": 900, …}`: a signed
   deep link (`deeplinks.SignedDeskLinks.panel()`, 15 minutes) to `/desk/freshdesk/<token>/open/`.
4. The app puts that URL in an iframe inside its own frame. `desk_views.desk_open` verifies it and serves the
   generic panel with a panel session bound to the ticket (`session_issue(..., desk=(connection, ticket,
   "freshdesk"))`), so refunds and the rest run through the generic action views → `run_action`, and each
   successful action queues a private note on the ticket (`notes.py` → `post_note` → client.py).
   The panel's CSP `frame-ancestors` comes from the workspace's panel frame origins: they must name the
   Freshdesk address and the origin Freshworks serves app frames from.

What was looked up about Freshworks' side (search tool, docs and code corpora, 2026-11-27):
- Request templates: `{"<name>": {"schema": {"method", "host" (bare host, https by default), "path", "headers",
  "query"}, "options": {...}}}`, `<%= iparam.x %>` and `<%= context.x %>` substitution, secure iparams only in
  `headers`, every template declared in manifest.json under `modules.common.requests`. Read in Freshworks'
  developer documentation ("Use request method to place secure HTTP calls", app-sdk v3.0 pages) and in several
  FDK sample apps and FDK skill notes that agree; trusted because the vendor's page and the samples match.
- A Freshworks signature on proxied requests: none found. The request-method pages describe the proxy as a way to
  keep secrets out of the browser and say nothing about signing what it sends; no sample verifies one. So the
  installation's secret in a secure-iparam header is the only proof, and there is no timestamp to enforce
  (the proxy adds none we know of): a captured request could be replayed, but only by someone who already has
  the secret, and all it yields is a fresh 15-minute panel link for that ticket. If Freshworks documents a
  signature later, add it here as a second check, not instead of the secret.
- Data-method field names (`contact.email`, `contact.other_emails`, `ticket.requester_id`,
  `loggedInUser.contact.email/language`): Freshdesk API v2 object names, which the data methods mirror; not
  confirmed field by field (protocols README, uncertainty 2), so every one is optional in context.py.
"""

from __future__ import annotations

from django.http import JsonResponse

from chargeside.core.signing import SignatureError, constant_time_equal
from chargeside.gateways.types import SettingField

from ..base import DeskLinks, DeskNoteText, DeskRequest, HelpdeskAdapter, Interaction
from ..deeplinks import desk_link_ttl
from ..panel import DeskContext, Panel
from .client import FreshdeskClient
from .context import panel_context, parse_body, ticket_url

SECRET_HEADER = "Authorization"
SCHEME = "Bearer"


class FreshdeskAdapter(HelpdeskAdapter):
    key = "freshdesk"
    display_name = "Freshdesk"
    interaction = Interaction.INTERACTIVE
    frame_origins = ("https://*.freshdesk.com", "https://*.freshworks.com")
    settings_spec = (
        SettingField("app_secret", "Installation secret", secret=True,
                     help="A long random value; paste the same into the Chargeside app's 'Chargeside secret' when "
                          "installing it in Freshdesk."),
        SettingField("web_url", "Freshdesk address", kind="url", help="e.g. https://acme.freshdesk.com"),
        SettingField("api_key", "Freshdesk API key", secret=True, required=False,
                     help="Profile settings > View API key, of the agent the notes are written as. Needed for notes."),
    )

    # --- inbound ------------------------------------------------------------------------------------
    def authenticate(self, request: DeskRequest, *, now: float | None = None) -> None:
        secret = self.credentials.get("app_secret", "")
        if not secret:
            raise SignatureError("the connection has no installation secret")
        scheme, _, sent = (request.headers.get(SECRET_HEADER) or "").strip().partition(" ")
        if scheme.lower() != SCHEME.lower() or not sent.strip():
            raise SignatureError("no bearer secret in the Authorization header")
        if not constant_time_equal(secret, sent.strip()):
            raise SignatureError("the secret does not match")

    def extract_context(self, request: DeskRequest, *, workspace) -> DeskContext:
        return panel_context(parse_body(request.body), workspace=workspace, web_url=self.settings.get("web_url", ""))

    def ticket_url(self, ticket: str) -> str:
        return ticket_url(self.settings.get("web_url", ""), ticket)

    # --- the sidebar ---------------------------------------------------------------------------------
    def render_panel(self, panel: Panel, *, context: DeskContext, links: DeskLinks | None):
        # The app frames the generic panel; what we answer is where to find it (see the module docstring).
        return JsonResponse({
            "panel_url": links.panel() if links is not None else "",
            "expires_in": desk_link_ttl(),
            "read_only": panel.read_only,
            "found": panel.view is not None,
            "language": panel.language,
        }, headers={"Cache-Control": "no-store"})

    @classmethod
    def refusal(cls, status: int, message: str):
        # The app shows `error` in its frame instead of a panel.
        return JsonResponse({"error": f"Chargeside: {message}"}, status=status, headers={"Cache-Control": "no-store"})

    # --- outbound -----------------------------------------------------------------------------------
    def post_note(self, *, ticket: str, note: DeskNoteText) -> str:
        client = FreshdeskClient(base_url=self.settings.get("web_url", ""), api_key=self.credentials.get("api_key", ""))
        return client.create_private_note(ticket, note.html())
