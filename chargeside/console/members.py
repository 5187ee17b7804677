"""Member administration rules: inviting, changing roles, deactivating.

Owners are protected: only an owner may make someone an owner or change or deactivate an owner, and a
workspace always keeps at least one active owner. Every change is written to the audit trail.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from chargeside.actions.audit import audit_append
from chargeside.workspaces.models import Member
from chargeside.workspaces.roles import Perm, Role, can


class MemberError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _require_admin(actor: Member) -> None:
    if not actor.is_active or not can(actor.role, Perm.MANAGE_MEMBERS):
        raise MemberError(_("Your role does not allow managing members."))


def _other_active_owners(member: Member) -> int:
    return Member.objects.filter(workspace_id=member.workspace_id, role=Role.OWNER, is_active=True).exclude(pk=member.pk).count()


@transaction.atomic
def member_invite(*, actor: Member, username: str, email: str, role: str) -> tuple[Member, str]:
    """Create (or reuse) the user and make them a member. Returns the member and a one-time password
    ("" when the user already existed and keeps their own password)."""
    _require_admin(actor)
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise MemberError(_("Only an owner can make someone an owner."))
    User = get_user_model()
    user = User.objects.filter(username__iexact=username).first()
    password = ""
    if user is None:
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username=username, email=email, password=password)
    existing = Member.objects.filter(workspace_id=actor.workspace_id, user=user).first()
    if existing is not None:
        raise MemberError(_("%(username)s is already a member of this workspace.") % {"username": user.get_username()})
    member = Member.objects.create(workspace=actor.workspace, user=user, role=role)
    audit_append(workspace=actor.workspace, event="member_invited", member=actor, target=f"member:{user.get_username()}",
                 outcome="succeeded", detail={"role": role})
    return member, password


@transaction.atomic
def member_change_role(*, actor: Member, member: Member, role: str) -> None:
    _require_admin(actor)
    if role not in {r.value for r in Role}:
        raise MemberError(_("Unknown role."))
    if (member.role == Role.OWNER or role == Role.OWNER) and actor.role != Role.OWNER:
        raise MemberError(_("Only an owner can change an owner's role or make someone an owner."))
    if member.role == Role.OWNER and role != Role.OWNER and member.is_active and _other_active_owners(member) == 0:
        raise MemberError(_("A workspace needs at least one owner. Make someone else an owner first."))
    previous = member.role
    member.role = role
    member.save(update_fields=["role"])
    audit_append(workspace=actor.workspace, event="member_role_changed", member=actor, target=f"member:{member.user.get_username()}",
                 outcome="succeeded", detail={"from": previous, "to": role})


def parse_desk_identities(text: str) -> list[str]:
    """"zendesk:12345, ana@acme.example" → ["zendesk:12345", "ana@acme.example"]: how helpdesk agents map to
    this member in the panel. Each is an email or "<desk>:<id>"."""
    found = []
    for raw in text.replace(",", " ").split():
        value = raw.replace("\x00", "").strip()
        if not value:
            continue
        desk, sep, ident = value.partition(":")
        if len(value) > 200 or not ("@" in value or (sep and desk.isalnum() and ident)):
            raise MemberError(_("“%(value)s” is neither an email nor “desk:id” (e.g. zendesk:12345).") % {"value": value[:60]})
        if value.lower() not in {f.lower() for f in found}:
            found.append(value)
    return found


@transaction.atomic
def member_set_desk_identities(*, actor: Member, member: Member, text: str) -> None:
    _require_admin(actor)
    if member.role == Role.OWNER and actor.role != Role.OWNER and member.pk != actor.pk:
        raise MemberError(_("Only an owner can change an owner's helpdesk identities."))
    identities = parse_desk_identities(text)
    member.desk_identities = identities
    member.save(update_fields=["desk_identities"])
    audit_append(workspace=actor.workspace, event="member_identities_changed", member=actor,
                 target=f"member:{member.user.get_username()}", outcome="succeeded", detail={"desk_identities": identities})


@transaction.atomic
def member_set_active(*, actor: Member, member: Member, active: bool) -> None:
    _require_admin(actor)
    if member.pk == actor.pk and not active:
        raise MemberError(_("You cannot deactivate yourself."))
    if member.role == Role.OWNER and actor.role != Role.OWNER:
        raise MemberError(_("Only an owner can deactivate or reactivate an owner."))
    if not active and member.role == Role.OWNER and _other_active_owners(member) == 0:
        raise MemberError(_("A workspace needs at least one owner. Make someone else an owner first."))
    member.is_active = active
    member.save(update_fields=["is_active"])
    audit_append(workspace=actor.workspace, event="member_reactivated" if active else "member_deactivated", member=actor,
                 target=f"member:{member.user.get_username()}", outcome="succeeded")
