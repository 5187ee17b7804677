"""One panel for every helpdesk: from a verified desk context to the member, the customer and the view model.

Desk integrations (the generic signed link here; Zendesk, Help Scout, ... as they land) verify their own
request and hand over a `DeskContext`; `build_panel()` does the rest the same way for all of them: map the
desk agent to a Member of the workspace (by email, then by a stored desk identity), choose the language,
find the customers by every email the desk knows, and build `billing.selectors.customer_view`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from chargeside.billing.matching import normalise_email
from chargeside.billing.sections import customer_accounts
from chargeside.billing.selectors import CustomerView, panel_view
from chargeside.core.formatting import SUPPORTED
from chargeside.workspaces.cache import remembered_member
from chargeside.workspaces.models import Member


@dataclass(frozen=True)
class DeskContext:
    workspace: object
    emails: tuple[str, ...]
    name: str = ""
    ticket: str = ""
    ticket_url: str = ""
    agent: str = ""
    lang: str = ""
    requester_id: str = ""  # the desk's own id of the requester (Help Scout customer id, Zendesk user id...)


@dataclass(frozen=True)
class Panel:
    workspace: object
    member: Member | None  # None: the agent is not a member of this workspace (read-only panel)
    agent: str
    language: str
    emails: tuple[str, ...]
    name: str
    ticket_url: str
    customer_ids: tuple[int, ...]
    view: CustomerView | None  # None: no billing record matches the requester
    accounts: tuple = ()  # the customer's gateway accounts that offer this member customer-level actions

    @property
    def read_only(self) -> bool:
        return self.member is None


def member_for_agent(workspace, agent: str) -> Member | None:
    """The active member an agent identity names: the user's email, or an entry of `desk_identities`."""
    agent = (agent or "").strip()
    if not agent:
        return None
    members = Member.objects.filter(workspace=workspace, is_active=True).select_related("user", "workspace")
    if "@" in agent:
        found = members.filter(user__email__iexact=agent).order_by("id").first()
        if found:
            return found
    # desk_identities is a JSON list; a text match narrows it down and the exact check happens here,
    # because JSON containment is not available on SQLite.
    for member in members.filter(desk_identities__icontains=agent).order_by("id"):
        if any(str(identity).strip().lower() == agent.lower() for identity in member.desk_identities or ()):
            return member
    return None


def choose_language(requested: str, member: Member | None, workspace) -> str:
    for candidate in (requested, member.language if member else "", workspace.default_language, "en"):
        candidate = (candidate or "").split("-")[0].lower()
        if candidate in SUPPORTED:
            return candidate
    return "en"


def build_panel(context: DeskContext, *, limit: int = 5) -> Panel:
    workspace = context.workspace
    member = remembered_member(workspace, context.agent, member_for_agent)  # a few seconds per process
    language = choose_language(context.lang, member, workspace)
    emails = tuple(dict.fromkeys(e for e in map(normalise_email, context.emails) if e))
    # Finding the customers by email, their identities and gateway accounts is one statement inside the view.
    view, accounts = (
        panel_view(workspace=workspace, emails=emails, member=member, language=language, limit=limit)
        if emails else (None, ())
    )
    customer_ids = view.customer_ids if view else ()
    return Panel(
        workspace=workspace, member=member, agent=context.agent, language=language, emails=emails, name=context.name,
        ticket_url=context.ticket_url, customer_ids=customer_ids, view=view,
        accounts=tuple(account for account in accounts if account.actions),  # as account_menu() lists them
    )


def account_menu(workspace, customer_ids, member, language: str) -> tuple:
    """The accounts to list in the "Actions" menu: those with at least one action for this member."""
    accounts = customer_accounts(workspace=workspace, customer_ids=list(customer_ids), member=member, language=language)
    return tuple(account for account in accounts if account.actions)


def session_member(workspace, member_id: int | None) -> Member | None:
    if member_id is None:
        return None
    return (
        Member.objects.filter(Q(pk=member_id), workspace=workspace, is_active=True)
        .select_related("user", "workspace").first()
    )
