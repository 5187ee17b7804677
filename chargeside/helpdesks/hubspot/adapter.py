"""HubSpot: a CRM card (legacy public-app card) on contact and ticket records, with actions and notes.

How HubSpot reaches us
- Data fetch: when an agent opens a record, HubSpot's servers call the card's target URL
  (`/desk/hubspot/<connection token>/`) with GET and the record's ids and properties in the query string
  (context.py), signed with `X-HubSpot-Signature-v3` (signature.py). We answer with the card JSON (card.py).
- Action hooks: a CONFIRMATION_ACTION_HOOK on the card makes HubSpot call the URI we put in the card
  (`/desk/hubspot/<token>/action/?<signed deep link>`), signed the same way; views.action_hook runs it.
- IFRAME actions: HubSpot opens our URI in its modal; the URI is a signed deep link to the generic panel's
  action form, bound to the record (deeplinks.py → desk_views.desk_open), so the modal's run leaves a note.

Installations: the signature is keyed with the *app's* client secret, shared by every HubSpot account that
installs the app, so the signature alone does not say which Chargeside workspace a request is for. The
connection stores the HubSpot account id (`portal_id`) and a verified request from any other portal is
refused like a wrong signature. The URL token names the connection.

What was looked up, and how far it is trusted (search tool over HubSpot's developer docs, 2026-11-27):
- Signature v3 formula, decoded escapes and the 5-minute limit: HubSpot's "Validating requests" docs and the
  official SDK's `hubspot.utils.signature` (read by the protocols file; the SDK is not installed here, so the
  tests check the protocols file's SDK-computed vector with plain hmac). Trusted: docs and SDK agree.
- Data-fetch query parameters (`userId`, `userEmail`, `associatedObjectId`, `associatedObjectType`,
  `portalId`, then each `propertiesToSend`): the legacy "CRM cards" guide's parameter table. Trusted: doc.
- Response shape `results[]` with `objectId`, `title`, `link` (null when none), custom `properties`
  (`label`/`dataType`/`value`) and `actions`, at most five results; action types IFRAME (`uri`, `width`,
  `height`), ACTION_HOOK and CONFIRMATION_ACTION_HOOK (`httpMethod`, `uri`, `confirmationMessage`,
  `confirmButtonText`, `cancelButtonText`), `associatedObjectProperties`; top-level `primaryAction` and
  `secondaryActions`: the legacy guide and HubSpot's sample (a HubSpot developer advocate's gist of the
  guide's example matches). The newer `responseVersion: "v3"` sections/tokens format is the same data with
  other names; we answer in the legacy shape the card definition (apps/hubspot/) declares.
- What HubSpot shows for an action hook's answer: not found in the docs reached. We answer 200 with
  `{"message": …}` on success and 4xx with `{"message": …}` when refused; HubSpot shows an error for
  non-2xx either way. The hook does not rely on HubSpot appending anything: everything it needs is in our
  own signed URI; when HubSpot does append `userId`/`userEmail`, they must name the same agent.
- Note → ticket association type id 228: memory, not in the docs reached (contact 202 is documented).
"""

from __future__ import annotations

from django.conf import settings as django_settings
from django.http import JsonResponse

from chargeside.core.signing import SignatureError
from chargeside.gateways.types import SettingField

from ..base import DeskLinks, DeskNoteText, DeskRequest, HelpdeskAdapter, Interaction
from ..panel import DeskContext, Panel
from .card import card
from .client import DEFAULT_API_BASE, NotesClient, parse_record
from .context import card_context, record_url
from .signature import verify_v3

DEFAULT_WEB_URL = "https://app.hubspot.com"


class HubSpotAdapter(HelpdeskAdapter):
    key = "hubspot"
    display_name = "HubSpot"
    interaction = Interaction.INTERACTIVE
    load_methods = ("GET",)  # HubSpot fetches the card's data with a GET (desk_views.desk_callback)
    # HubSpot opens IFRAME actions in a modal on its own pages.
    frame_origins = ("https://app.hubspot.com", "https://app-eu1.hubspot.com")
    settings_spec = (
        SettingField("client_secret", "App client secret", secret=True,
                     help="The HubSpot app's Client secret (Auth tab): HubSpot signs every card request with it."),
        SettingField("portal_id", "HubSpot account id",
                     help="The Hub ID of the HubSpot account this workspace uses; requests from other accounts are refused."),
        SettingField("access_token", "Access token for notes", secret=True, required=False,
                     help="A private app or OAuth token with the crm.objects.contacts.write and tickets scopes."),
        SettingField("email_properties", "Email properties", required=False, default="email,hs_additional_emails",
                     help="Record properties that carry the customer's email (comma-separated); add them to the card's "
                          "propertiesToSend."),
        SettingField("api_base_url", "API base URL", required=False, default=DEFAULT_API_BASE, kind="url",
                     help="Leave as is; change only to point at a test server."),
        SettingField("web_url", "HubSpot web address", required=False, default=DEFAULT_WEB_URL, kind="url",
                     help="Where agents open records (links in the audit trail)."),
    )

    # --- inbound ------------------------------------------------------------------------------------
    def signed_urls(self, request: DeskRequest) -> list[str]:
        """The URL as received and as the public URL names it (a TLS proxy in front changes the scheme)."""
        urls = [request.url]
        public = getattr(django_settings, "CHARGESIDE_PUBLIC_URL", "").rstrip("/")
        if public and "://" in request.url:
            path = "/" + request.url.split("://", 1)[1].partition("/")[2]
            if f"{public}{path}" != request.url:
                urls.append(f"{public}{path}")
        return urls

    def authenticate(self, request: DeskRequest, *, now: float | None = None, portal_required: bool = True) -> None:
        """`portal_required=False` for action hooks: their URI is ours and signed for this connection, and HubSpot
        is not documented to append portalId to it; when it does, it must still be this account."""
        verify_v3(
            self.credentials.get("client_secret", ""), method=request.method, urls=self.signed_urls(request),
            body=request.body, signature=request.headers.get("X-HubSpot-Signature-v3", ""),
            timestamp=request.headers.get("X-HubSpot-Request-Timestamp", ""), now=now,
        )
        portal = (request.query.get("portalId") or [""])[0]
        expected = str(self.settings.get("portal_id", "")).strip()
        if (portal or portal_required) and (not expected or portal != expected):
            raise SignatureError(f"portal {portal or '(none)'} is not this connection's HubSpot account")

    def email_properties(self) -> tuple[str, ...]:
        raw = self.settings.get("email_properties") or "email,hs_additional_emails"
        return tuple(name.strip() for name in raw.split(",") if name.strip())

    def extract_context(self, request: DeskRequest, *, workspace) -> DeskContext:
        return card_context(request.query, workspace=workspace, web_url=self.settings.get("web_url") or DEFAULT_WEB_URL,
                            email_properties=self.email_properties())

    def ticket_url(self, ticket: str) -> str:
        kind, _, record = str(ticket).partition(":")
        return record_url(self.settings.get("web_url") or DEFAULT_WEB_URL, str(self.settings.get("portal_id", "")), kind, record)

    # --- the card ------------------------------------------------------------------------------------
    def render_card(self, panel: Panel, *, links: DeskLinks | None) -> dict:
        return card(panel, links)

    def render_panel(self, panel: Panel, *, context: DeskContext, links: DeskLinks | None):
        from .views import card_links

        return JsonResponse(self.render_card(panel, links=card_links(links)), json_dumps_params={"ensure_ascii": False})

    @classmethod
    def refusal(cls, status: int, message: str):
        # HubSpot shows its own "could not load" state for a non-2xx answer; the message is for its logs.
        return JsonResponse({"status": "error", "message": f"Chargeside: {message}"}, status=status)

    # --- outbound -----------------------------------------------------------------------------------
    def post_note(self, *, ticket: str, note: DeskNoteText) -> str:
        parse_record(ticket)  # a malformed reference is refused before any call
        client = NotesClient(base_url=self.settings.get("api_base_url") or DEFAULT_API_BASE,
                             access_token=self.credentials.get("access_token", ""))
        return client.create_note(ticket, note.html())
