"""Members and roles (admins), the permission matrix, and each member's own account page."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chargeside.workspaces.models import ApiToken, Member
from chargeside.workspaces.roles import ROLE_PERMISSIONS, Perm, Role

from ..access import SESSION_LANGUAGE, console_view, page
from ..forms.members import InviteForm, LanguageForm, RoleForm, TokenForm
from ..members import MemberError, member_change_role, member_invite, member_set_active, member_set_desk_identities
from ._helpers import get_in_workspace


PERM_LABELS = {
    Perm.VIEW_BILLING: gettext_lazy("See billing (customers, payments, subscriptions, invoices)"),
    Perm.VIEW_PAYMENT_METHODS: gettext_lazy("See payment methods (brand, last four digits, expiry)"),
    Perm.VIEW_AUDIT: gettext_lazy("See the audit trail"),
    Perm.EXPORT_AUDIT: gettext_lazy("Export the audit trail"),
    Perm.REFUND: gettext_lazy("Refund"),
    Perm.CAPTURE: gettext_lazy("Authorise, capture and release payments"),
    Perm.SUBSCRIPTION_CANCEL: gettext_lazy("Cancel subscriptions"),
    Perm.SUBSCRIPTION_CREATE: gettext_lazy("Create subscriptions and change plans"),
    Perm.INVOICE_SEND: gettext_lazy("Send invoices"),
    Perm.COUPON_APPLY: gettext_lazy("Apply coupons"),
    Perm.TAX_ID_ADD: gettext_lazy("Add tax ids"),
    Perm.CUSTOMER_MERGE: gettext_lazy("Merge and split customers"),
    Perm.APPROVE: gettext_lazy("Approve requests over a limit"),
    Perm.MANAGE_CONNECTIONS: gettext_lazy("Manage connections"),
    Perm.MANAGE_MEMBERS: gettext_lazy("Manage members, limits and panel settings"),
}


def _matrix():
    roles = list(Role)
    return roles, [(perm, PERM_LABELS.get(perm, perm.value), [perm in ROLE_PERMISSIONS[role] for role in roles]) for perm in Perm]


@console_view(Perm.MANAGE_MEMBERS)
def member_list(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member, password = member_invite(actor=request.member, **form.cleaned_data)
        except MemberError as exc:
            form.add_error(None, exc.message)
        else:
            if password:
                # Kept server-side (session), not in a message cookie, and shown once.
                request.session["new_member_password"] = {"username": member.user.get_username(), "password": password}
            else:
                messages.success(request, _("%(username)s was added with their existing account.") % {"username": member.user.get_username()})
            return redirect("console:members")
    members = Member.objects.filter(workspace=request.workspace).select_related("user").order_by("-is_active", "user__username")
    roles, matrix = _matrix()
    return page(request, "console/members/list.html", {
        "section": "members", "members": members, "form": form, "new_password": request.session.pop("new_member_password", None), "role_choices": RoleForm.base_fields["role"].choices,
        "roles": roles, "matrix": matrix,
    })


@require_POST
@console_view(Perm.MANAGE_MEMBERS)
def member_role(request, pk: int):
    target = get_in_workspace(Member, request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return redirect("console:members")
    try:
        member_change_role(actor=request.member, member=target, role=form.cleaned_data["role"])
        messages.success(request, _("%(name)s is now %(role)s.") % {"name": target.display_name, "role": form.cleaned_data["role"]})
    except MemberError as exc:
        messages.error(request, exc.message)
    return redirect("console:members")


@require_POST
@console_view(Perm.MANAGE_MEMBERS)
def member_identities(request, pk: int):
    target = get_in_workspace(Member, request, pk)
    try:
        member_set_desk_identities(actor=request.member, member=target, text=request.POST.get("identities", "")[:2000])
        messages.success(request, _("Helpdesk identities of %(name)s saved.") % {"name": target.display_name})
    except MemberError as exc:
        messages.error(request, exc.message)
    return redirect("console:members")


@require_POST
@console_view(Perm.MANAGE_MEMBERS)
def member_active(request, pk: int):
    target = get_in_workspace(Member, request, pk)
    active = request.POST.get("active") == "1"
    try:
        member_set_active(actor=request.member, member=target, active=active)
        messages.success(request, (_("%(name)s was reactivated.") if active else _("%(name)s was deactivated.")) % {"name": target.display_name})
    except MemberError as exc:
        messages.error(request, exc.message)
    return redirect("console:members")


@console_view()
def account(request):
    member = request.member
    language_form = LanguageForm(initial={"language": member.language})
    token_form = TokenForm()
    tokens = ApiToken.objects.filter(member=member).order_by("-created_at")
    new_token = request.session.pop("new_api_token", None)  # shown once, right after creation
    return page(request, "console/members/account.html", {
        "section": "account", "language_form": language_form, "token_form": token_form, "tokens": tokens, "new_token": new_token,
    })


@require_POST
@console_view()
def account_language(request):
    form = LanguageForm(request.POST)
    if form.is_valid():
        member = request.member
        member.language = form.cleaned_data["language"]
        member.save(update_fields=["language"])
        if member.language:
            request.session[SESSION_LANGUAGE] = member.language
        else:
            request.session.pop(SESSION_LANGUAGE, None)
    return redirect("console:account")


@require_POST
@console_view()
def token_create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a name."))
        return redirect("console:account")
    row, token = ApiToken.issue(member=request.member, name=form.cleaned_data["name"])
    request.session["new_api_token"] = {"name": row.name, "token": token}
    return redirect("console:account")


@require_POST
@console_view()
def token_revoke(request, pk: int):
    updated = ApiToken.objects.filter(member=request.member, pk=pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if updated:
        messages.success(request, _("The token was revoked."))
    return redirect("console:account")
