"""Log in (with throttling), log out, switch workspace, home."""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chargeside.workspaces.roles import Perm, can

from .. import throttle
from ..access import activate_member, console_view, memberships


def _safe_next(request, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure()):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def login(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST":
        username = request.POST.get("username", "")
        address = throttle.client_address(request)
        if throttle.is_throttled(username, address):
            minutes = max(1, settings.CHARGESIDE_LOGIN_WINDOW_SECONDS // 60)
            message = _("Too many failed attempts. Wait %(minutes)d minutes and try again.") % {"minutes": minutes}
            return render(request, "console/login.html", {"form": form, "next": next_url, "throttled": message}, status=429)
        if form.is_valid():
            throttle.clear_failures(username, address)
            auth.login(request, form.get_user())
            member = memberships(form.get_user()).first()
            if member is not None:
                activate_member(request, member)
            return redirect(_safe_next(request, next_url))
        throttle.record_failure(username, address)
    return render(request, "console/login.html", {"form": form, "next": next_url})


@require_POST
def logout(request):
    auth.logout(request)
    return redirect("console:login")


@require_POST
@console_view()
def switch_workspace(request):
    wanted = request.POST.get("workspace", "")
    chosen = memberships(request.user).filter(workspace_id=int(wanted)).first() if wanted.isdigit() else None
    if chosen is None:
        messages.error(request, _("You are not a member of that workspace."))
    else:
        activate_member(request, chosen)
    return redirect("console:home")


@console_view()
def home(request):
    """Send each role to the first page it can use."""
    member = request.member
    for permission, target in ((Perm.VIEW_BILLING, "console:customers"), (Perm.VIEW_AUDIT, "console:audit"),
                               (Perm.MANAGE_CONNECTIONS, "console:connections")):
        if can(member.role, permission):
            return redirect(target)
    return redirect("console:account")
