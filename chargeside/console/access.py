"""Who is asking: the Member for (user, current workspace), and the decorator every console view uses.

A user may belong to several workspaces; the current one is kept in the session. Every console view
resolves the Member for (user, current workspace) and refuses (403) when there is none or when the
member's role lacks the permission the view needs. Templates get a `can` mapping built from the same
`roles.can()`, so what is hidden and what is refused never disagree.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils import translation

from chargeside.workspaces.models import Member
from chargeside.workspaces.roles import Perm, can

SESSION_WORKSPACE = "workspace_id"
SESSION_LANGUAGE = "member_language"


def memberships(user):
    return Member.objects.filter(user=user, is_active=True).select_related("workspace", "user").order_by("workspace__name")


def activate_member(request, member: Member) -> None:
    """Make `member`'s workspace the current one and apply the member's language preference."""
    request.session[SESSION_WORKSPACE] = member.workspace_id
    if member.language:
        request.session[SESSION_LANGUAGE] = member.language
    else:
        request.session.pop(SESSION_LANGUAGE, None)


def resolve_member(request) -> Member | None:
    if not request.user.is_authenticated:
        return None
    qs = memberships(request.user)
    workspace_id = request.session.get(SESSION_WORKSPACE)
    member = qs.filter(workspace_id=workspace_id).first() if workspace_id else None
    if member is None:
        member = qs.first()
        if member is not None:
            activate_member(request, member)
    return member


def _apply_language(request, member: Member) -> None:
    """The member's saved preference wins for this request too (the middleware only sees the session)."""
    if member.language and member.language in {code for code, _name in settings.LANGUAGES}:
        translation.activate(member.language)
        request.LANGUAGE_CODE = member.language
        if request.session.get(SESSION_LANGUAGE) != member.language:
            request.session[SESSION_LANGUAGE] = member.language


def permissions_map(member: Member | None) -> dict[str, bool]:
    return {perm.value: bool(member) and can(member.role, perm) for perm in Perm}


def page(request, template: str, context: dict | None = None, *, status: int = 200):
    """Render a console page with what the layout needs (member, workspaces, the `can` map)."""
    member = getattr(request, "member", None)
    base = {
        "member": member,
        "workspace": member.workspace if member else None,
        "workspaces": [m.workspace for m in memberships(request.user)] if request.user.is_authenticated else [],
        "can": permissions_map(member),
    }
    base.update(context or {})
    return render(request, template, base, status=status)


def refuse(request, message: str, *, status: int = 403):
    return page(request, "console/error.html", {"status": status, "message": message}, status=status)


def console_view(permission: Perm | None = None):
    """Login required, a member of the current workspace required, and `permission` if given."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            member = resolve_member(request)
            request.member = member
            if member is None:
                from django.utils.translation import gettext as _

                return refuse(request, _("You are not a member of any workspace. Ask an owner to invite you."))
            request.workspace = member.workspace
            _apply_language(request, member)
            if permission is not None and not can(member.role, permission):
                from django.utils.translation import gettext as _

                return refuse(request, _("Your role does not allow this page."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
