"""Zendesk Support: a ZAF v2 server-side iframe app in the ticket sidebar.

How the sidebar reaches us (two POSTs to the connection's one URL, /desk/zendesk/<connection token>/)
----------------------------------------------------------------------------------------------------
1. **Zendesk's signed first load.** With `"signedUrls": true` in the manifest, Zendesk loads the location URL
   as a form POST (`application/x-www-form-urlencoded`) whose field `token` is a JWT signed RS256 with the app's
   private key. We verify it with the installation's public key (zafjwt.py: algorithm pinned to RS256, `iss` =
   "{subdomain}.zendesk.com", `aud` = "https://{subdomain}.zendesk.com/api/v2/apps/installations/{id}.json",
   `exp`/`iat`/`nbf` with a minute of leeway). The JWT names the account, the installation and (in `sub`) the
   Zendesk user, but **not** the ticket: ZAF gives the ticket only to JavaScript in the frame. So the answer is a
   small boot page that loads the ZAF SDK and our boot.js, and carries a *boot token*: our own signature
   (Django signing, SECRET_KEY, salted with this installation's `aud`) over the installation and the agent,
   valid BOOT_TTL seconds.
2. **The frame's second POST.** boot.js asks the SDK for `ticket.id`, `currentUser.locale` and
   `currentUser.email` and posts them back to the same URL with the boot token (a plain form submit: the
   answer replaces the frame's document). We verify the boot token, then ask Zendesk's REST API who the
   ticket's requester is (`GET /api/v2/tickets/{id}.json?include=users`, client.py) — the frame says *which*
   ticket, Zendesk's API says *whose*, so a crafted POST cannot make the panel show an arbitrary email.
   The answer is the generic panel page (helpdesks/jinja2/chargeside/panel/page.html) with a panel session
   bound to the desk (`signing.session_issue(desk=(connection id, ticket id, "zendesk"))`): the generic
   action views run the actions (run_action, permissions, limits) and queue the private note (notes.py).

Who the agent is: "zendesk:<sub>" when the JWT carries `sub` (a Zendesk user id, signed by Zendesk; store it on
the member in the console). Without `sub`, the agent's email from the SDK is used — weaker (it is what the
frame says), so we document it and recommend desk identities. An unmapped agent gets the read-only panel.

What we trust and why (checked 2026-11-27 with the search tool; no vendor spec is vendored, see
../shared/specs/zendesk/README.md):
- The signed-URL POST with a `token` form field, RS256 and the iss/aud shapes: Zendesk's developer tutorial
  "Building a server-side app - Part 5: Securing the app" (developer.zendesk.com) says the first page request
  carries a ZAF JWT signed RS256, to be decoded with PyJWT + cryptography against the app's public key and the
  installation's audience; a Zendesk community thread (support.zendesk.com/hc/.../5510233816602) describes the
  same POST-then-our-own-token flow we use.
- The claim list exp, nbf, iss, aud, iat, sub, cnf.jku, qsh, context{product, location}: a third-party TypeScript
  type of the ZAF JWT payload citing Zendesk's "JWT claims" reference (not read here). We *require* only
  iss/aud/exp/iat (the documented ones) and use `sub` when present; `qsh` and `cnf` are ignored.
- Not confirmed: the public-key endpoint (we take the PEM pasted from Zendesk's app settings page), whether
  `client.metadata()` exposes the installation id (we store it in the connection instead), and that `sub` is
  always the user id. The REST shapes (include=users side-loading, PUT comment public:false, the audit in the
  answer) are Zendesk's documented Tickets API as the protocols file has them [DOC].
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from django.conf import settings as django_settings
from django.core import signing as django_signing
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.html import escape

from chargeside.core.signing import SignatureError
from chargeside.gateways.types import SettingField

from ..base import (
    DeskError,
    DeskLinks,
    DeskNoteText,
    DeskPayloadError,
    DeskRequest,
    HelpdeskAdapter,
    Interaction,
)
from ..http import frame_origins
from ..panel import DeskContext, Panel
from ..signing import session_issue
from . import zafjwt
from .client import SupportClient
from .context import parse_form, requester

ZAF_SDK_URL = "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js"
BOOT_TTL = 300  # seconds between Zendesk's signed load and the frame's second POST
_BOOT_SALT = "chargeside.helpdesks.zendesk.boot:"
_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
           "form-action 'self'; base-uri 'none'; object-src 'none'")


def _origin(url: str) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


class ZendeskAdapter(HelpdeskAdapter):
    key = "zendesk"
    display_name = "Zendesk"
    interaction = Interaction.INTERACTIVE
    settings_spec = (
        SettingField("subdomain", "Zendesk subdomain", help="acme for acme.zendesk.com."),
        SettingField("installation_id", "App installation id",
                     help="Admin Center > Apps > Zendesk Support apps > Chargeside: the number in the installation's URL."),
        SettingField("app_public_key", "App public key (PEM)",
                     help="The app's RSA public key Zendesk shows for signed URLs (-----BEGIN PUBLIC KEY----- ...)."),
        SettingField("agent_email", "Agent email for notes", required=False,
                     help="An agent who may comment on tickets; notes and requester lookups are made as this agent."),
        SettingField("api_token", "API token", secret=True, required=False,
                     help="Admin Center > Apps and integrations > Zendesk API > an API token, for that agent."),
        SettingField("api_base_url", "Support API base URL", required=False, kind="url",
                     help="Leave empty for https://<subdomain>.zendesk.com; change only to point at a test server."),
        SettingField("web_url", "Zendesk web address", required=False, kind="url",
                     help="Leave empty for https://<subdomain>.zendesk.com (the page that frames the app)."),
        SettingField("zaf_sdk_url", "ZAF SDK URL", required=False, kind="url", default=ZAF_SDK_URL,
                     help="Leave as is; the simulator serves its own."),
    )

    def __init__(self, *, settings, credentials):
        super().__init__(settings=settings, credentials=credentials)
        # One adapter per request (registry.adapter_for): what authenticate() learnt is kept for the next steps.
        self._claims: dict | None = None  # step 1: the verified ZAF JWT
        self._boot: dict | None = None  # step 2: the verified boot token
        self._form: dict[str, str] = {}
        self._lookup_error = ""

    # --- addresses -------------------------------------------------------------------------------------
    @property
    def subdomain(self) -> str:
        return (self.settings.get("subdomain") or "").strip().lower()

    @property
    def issuer(self) -> str:
        return f"{self.subdomain}.zendesk.com"

    @property
    def audience(self) -> str:
        installation = (self.settings.get("installation_id") or "").strip()
        return f"https://{self.subdomain}.zendesk.com/api/v2/apps/installations/{installation}.json"

    @property
    def web_url(self) -> str:
        return (self.settings.get("web_url") or f"https://{self.subdomain}.zendesk.com").rstrip("/")

    @property
    def api_base(self) -> str:
        return (self.settings.get("api_base_url") or f"https://{self.subdomain}.zendesk.com").rstrip("/")

    def ticket_url(self, ticket: str) -> str:
        return f"{self.web_url}/agent/tickets/{ticket}" if str(ticket).isdigit() else ""

    def client(self) -> SupportClient:
        return SupportClient(base_url=self.api_base, email=self.settings.get("agent_email", ""),
                             api_token=self.credentials.get("api_token", ""))

    # --- inbound ---------------------------------------------------------------------------------------
    def authenticate(self, request: DeskRequest, *, now: float | None = None) -> None:
        # The credential travels inside the form body, so the form (ASCII, at most 20 fields) is split first;
        # nothing else of it is read before the token verified.
        try:
            form = parse_form(request.body)
        except DeskPayloadError as exc:
            raise SignatureError(f"not a ZAF form: {exc}") from None
        if "token" in form:
            if not self.subdomain or not self.settings.get("installation_id"):
                raise SignatureError("the connection has no subdomain or installation id")
            try:
                key = zafjwt.load_public_key(self.settings.get("app_public_key", ""))
            except ValueError:
                raise SignatureError("the connection's app public key is not an RSA public key") from None
            self._claims = zafjwt.verify(form["token"], public_key=key, issuer=self.issuer, audience=self.audience, now=now)
        elif "boot" in form:
            try:
                self._boot = django_signing.loads(form["boot"], salt=_BOOT_SALT + self.audience, max_age=BOOT_TTL)
            except django_signing.SignatureExpired:
                raise SignatureError("boot token expired") from None
            except django_signing.BadSignature:
                raise SignatureError("boot token does not verify") from None
            self._form = form
        else:
            raise SignatureError("no ZAF token")

    def _boot_token(self) -> str:
        sub = str((self._claims or {}).get("sub") or "").strip()
        return django_signing.dumps({"sub": sub[:64]}, salt=_BOOT_SALT + self.audience)

    def extract_context(self, request: DeskRequest, *, workspace) -> DeskContext:
        if self._claims is not None:  # step 1: no ticket yet, only the agent
            sub = str(self._claims.get("sub") or "").strip()
            return DeskContext(workspace=workspace, emails=(), agent=f"zendesk:{sub}" if sub else "")
        if self._boot is None:
            raise DeskPayloadError("not authenticated")
        ticket = self._form.get("ticket", "").strip()
        if not ticket.isdigit() or len(ticket) > 20:
            raise DeskPayloadError("the frame sent no ticket id")
        sub = str(self._boot.get("sub") or "")
        agent_email = self._form.get("agent_email", "").strip()
        agent = f"zendesk:{sub}" if sub else (agent_email if "@" in agent_email else "")
        lang = self._form.get("locale", "").strip()[:16]
        try:
            email, name, requester_id = requester(self.client().ticket_with_users(ticket))
        except (DeskError, DeskPayloadError) as exc:
            self._lookup_error = getattr(exc, "message", str(exc))
            email, name, requester_id = "", "", ""
        return DeskContext(
            workspace=workspace, emails=(email,) if email else (), name=name, ticket=ticket,
            ticket_url=self.ticket_url(ticket), agent=agent, lang=lang, requester_id=requester_id,
        )

    # --- the sidebar -------------------------------------------------------------------------------------
    def _policy(self, workspace, *, scripts: str) -> str:
        ancestors = " ".join(dict.fromkeys(["'self'", *filter(None, [_origin(self.web_url)]), *frame_origins(workspace)]))
        return f"{_POLICY}; script-src {scripts}; frame-ancestors {ancestors}"

    def _page(self, html: str, workspace, *, scripts: str = "'self'", status: int = 200) -> HttpResponse:
        response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = self._policy(workspace, scripts=scripts)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        return response

    def render_panel(self, panel: Panel, *, context: DeskContext, links: DeskLinks | None) -> HttpResponse:
        workspace = context.workspace
        if self._claims is not None:
            sdk = self.settings.get("zaf_sdk_url") or ZAF_SDK_URL
            html = render_to_string("chargeside/zendesk/boot.html", {
                "boot": self._boot_token(), "sdk_url": sdk, "lang": panel.language,
            }, using="jinja2")
            return self._page(html, workspace, scripts=" ".join(dict.fromkeys(["'self'", _origin(sdk) or "'self'"])))
        if self._lookup_error:
            html = render_to_string("chargeside/zendesk/message.html", {
                "lang": panel.language, "ticket": context.ticket,
            }, using="jinja2")
            return self._page(html, workspace, status=502)
        connection = getattr(links, "connection", None)
        token = session_issue(
            workspace=workspace, link_sig=hashlib.sha256(self._form.get("boot", "").encode()).hexdigest(),
            customer_ids=panel.customer_ids, member_id=panel.member.pk if panel.member else None, emails=panel.emails,
            ticket_url=context.ticket_url, language=panel.language,
            desk=(connection.pk, context.ticket, self.key) if connection is not None else None,
        )
        html = render_to_string("chargeside/panel/page.html", {
            "panel": panel, "view": panel.view, "accounts": panel.accounts, "token": token, "member": panel.member,
            "requester_name": context.name, "lang": panel.language,
        }, using="jinja2")
        return self._page(html, workspace)

    @classmethod
    def refusal(cls, status: int, message: str) -> HttpResponse:
        # Shown inside Zendesk's frame: a line of text in a page any desk may frame (nothing to click).
        response = HttpResponse(
            f'<!doctype html><meta charset="utf-8"><p style="font:13px sans-serif;color:#b42318">Chargeside: {escape(message)}</p>',
            status=status, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *"
        response["Cache-Control"] = "no-store"
        return response

    # --- outbound --------------------------------------------------------------------------------------
    def post_note(self, *, ticket: str, note: DeskNoteText) -> str:
        return self.client().add_private_note(ticket, note.html())


# Used by the apps build and the console's setup steps: where Zendesk must POST.
def callback_url(connection) -> str:
    from django.urls import reverse

    return f"{django_settings.CHARGESIDE_PUBLIC_URL}{reverse('desk:callback', args=[connection.provider, connection.webhook_token])}"
