"""The HelpdeskAdapter interface: what every helpdesk (Zendesk, Help Scout, Intercom, ...) offers Chargeside.

One adapter instance per helpdesk connection (`Connection(kind=HELPDESK, provider=<key>)`), built from its
plain settings and decrypted credentials, like a GatewayAdapter. Adapters are translators between the desk's
wire format and ours; they never touch the database. The endpoint that serves every desk
(`desk_views.desk_callback`) runs the same steps for all of them:

    authenticate(request)        the raw bytes, before anything is parsed: SignatureError → 401, logged
    extract_context(request)     → DeskContext (requester emails and name, the desk's requester id, ticket id
                                   and URL, agent identity, agent language); malformed → DeskPayloadError → 400
    build_panel(context)         shared (panel.py): member, language, customers, the one view model
    render_panel(panel, links)   the desk's format (HTML, iframe page, Canvas Kit JSON, cards)

and after an action run from the desk, `notes.py` asks `post_note()` for a private note on the ticket.

What a desk allows is declared as data: `interaction` says whether the desk lets the agent act inside the
desk (INTERACTIVE: an iframe or component protocol posts back to us) or only shows what we return
(STATIC: every action is a signed, short-lived deep link, `DeskLinks`, that opens the generic panel's action
form bound to the ticket, so the note is still posted).

How each kind of desk reaches the one write path (`actions.runner.run_action`) and gets its note:
- static desks: deep links → `desk_views.desk_open` → the generic panel with a desk-bound session;
- iframe desks (Zendesk, Freshdesk, Front): their page mints the panel session with
  `signing.session_issue(..., desk=(connection id, ticket id, desk key))`, and the generic action views
  attribute the run to `desk:<key>` and call `notes.note_after_action()`;
- component desks (Intercom Canvas Kit submit, HubSpot card actions): their submit handler builds the
  `ActionRequest(source="desk:<key>", ticket_url=...)`, calls run_action for the mapped member, then
  `notes.note_after_action()` the same way.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from chargeside.gateways.types import SettingField

if TYPE_CHECKING:
    from django.http import HttpResponse

    from .panel import DeskContext, Panel


class Interaction(enum.StrEnum):
    INTERACTIVE = "interactive"  # buttons and forms work inside the desk
    STATIC = "static"  # the desk shows our content only; actions are signed deep links


@dataclass(frozen=True)
class DeskRequest:
    """What a desk sent, as raw as Django gives it: adapters verify `body` bytes, never re-serialised JSON."""

    method: str
    url: str  # absolute, as received (for desks that sign the URL)
    headers: Mapping[str, str]  # case-insensitive (Django's HttpHeaders)
    query: Mapping[str, list[str]]
    body: bytes

    @classmethod
    def from_django(cls, request) -> DeskRequest:
        return cls(
            method=request.method, url=request.build_absolute_uri(), headers=request.headers,
            query={key: request.GET.getlist(key) for key in request.GET}, body=request.body,
        )


class DeskPayloadError(ValueError):
    """A verified request whose content is not what the desk sends (not JSON, no customer object...)."""


class DeskError(Exception):
    """A desk's REST API refused or failed a call. `retryable`: worth trying again later (5xx, 429, network)."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None):
        super().__init__(message)
        self.message, self.retryable, self.status = message, retryable, status


@dataclass(frozen=True)
class DeskNoteText:
    """A private note, as the desk-neutral parts each adapter formats its own way (HTML, markdown, text)."""

    title: str  # "Refund made: TRY 45.50"
    lines: tuple[tuple[str, str], ...] = field(default=())  # (label, value): "By", "Sam Agent"
    link_label: str = ""
    link_url: str = ""  # the audit entry in the console

    def plain(self) -> str:
        out = [self.title, *(f"{label}: {value}" for label, value in self.lines)]
        if self.link_url:
            out.append(f"{self.link_label}: {self.link_url}")
        return "\n".join(out)

    def html(self) -> str:
        from django.utils.html import format_html

        out = [format_html("<b>{}</b>", self.title)]
        out += [format_html("{}: {}", label, value) for label, value in self.lines]
        if self.link_url:
            out.append(format_html('<a href="{}">{}</a>', self.link_url, self.link_label or self.link_url))
        return "<br>".join(str(part) for part in out)


class HelpdeskAdapter(ABC):
    key: ClassVar[str]  # registry key, e.g. "helpscout"
    display_name: ClassVar[str]
    interaction: ClassVar[Interaction]
    settings_spec: ClassVar[tuple[SettingField, ...]]
    # Origins allowed to frame our pages (iframe desks: the CSP frame-ancestors of their page); empty for desks
    # that render our content themselves.
    frame_origins: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *, settings: Mapping[str, str], credentials: Mapping[str, str]):
        self.settings = dict(settings)
        self.credentials = dict(credentials)

    # --- inbound (one panel request) -------------------------------------------------------------------
    @abstractmethod
    def authenticate(self, request: DeskRequest, *, now: float | None = None) -> None:
        """Raise core.signing.SignatureError unless the raw request is signed by this installation (and fresh,
        where the desk sends a timestamp). Runs before the body is parsed."""

    @abstractmethod
    def extract_context(self, request: DeskRequest, *, workspace) -> DeskContext:
        """The ticket and people the verified request is about. Raises DeskPayloadError on a malformed body."""

    @abstractmethod
    def render_panel(self, panel: Panel, *, context: DeskContext, links: DeskLinks | None) -> HttpResponse:
        """The panel in the desk's format. `links` mints deep links for STATIC desks (None: no actions, e.g. the
        agent is not mapped to a member)."""

    def submit(self, request: DeskRequest, *, context: DeskContext, connection) -> HttpResponse:
        """Component desks: an interaction posted from the desk's own UI (desk_views.desk_submit, after
        authenticate and extract_context). The adapter hands it to its submit handler, which runs actions
        through run_action and answers in the desk's format. Desks without one: 404."""
        return self.refusal(404, "This desk posts no interactions.")

    @classmethod
    def refusal(cls, status: int, message: str) -> HttpResponse:
        """What the desk shows when we refuse (401/403/400): by default plain text; adapters answer in the
        desk's format where the desk would otherwise show a broken sidebar."""
        from django.http import HttpResponse

        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")

    # --- outbound -----------------------------------------------------------------------------------
    @abstractmethod
    def post_note(self, *, ticket: str, note: DeskNoteText) -> str:
        """Add a private (internal) note to the ticket through the desk's REST API; returns the desk's id of
        the note ("" if the desk does not say). Raises DeskError."""

    def ticket_url(self, ticket: str) -> str:
        """The agent-facing address of a ticket, for the audit trail ("" when the desk has none)."""
        return ""


class DeskLinks(ABC):
    """Signed, short-lived links a STATIC desk's content carries (see deeplinks.py)."""

    @abstractmethod
    def action(self, name: str, item_id: int) -> str:
        """Opens the action `name` on the panel item `item_id` (or customer account), bound to the ticket."""

    @abstractmethod
    def panel(self) -> str:
        """Opens the whole panel, bound to the ticket (actions there leave notes too)."""
