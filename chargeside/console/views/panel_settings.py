"""Panel settings: allowed frame origins, how to make a panel link, rotating the panel secret."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chargeside.actions.audit import audit_append
from chargeside.core.crypto import encrypt_json
from chargeside.workspaces.models import Workspace
from chargeside.workspaces.roles import Perm

from ..access import console_view, page
from ..forms.panel import FrameOriginsForm


@console_view(Perm.MANAGE_MEMBERS)
def panel_settings(request):
    workspace = request.workspace
    form = FrameOriginsForm(request.POST or None, initial={"origins": "\n".join(workspace.frame_origins())})
    if request.method == "POST" and form.is_valid():
        workspace.panel_frame_origins = form.cleaned_data["origins"]
        workspace.save(update_fields=["panel_frame_origins"])
        audit_append(workspace=workspace, event="panel_origins_changed", member=request.member, target="panel",
                     outcome="succeeded", detail={"origins": workspace.frame_origins()})
        messages.success(request, _("Allowed frame origins saved."))
        return redirect("console:panel_settings")
    return page(request, "console/panel_settings.html", {
        "section": "panel", "form": form, "public_url": settings.CHARGESIDE_PUBLIC_URL,
    })


@require_POST
@console_view(Perm.MANAGE_MEMBERS)
def panel_secret_rotate(request):
    workspace = request.workspace
    Workspace.objects.filter(pk=workspace.pk).update(panel_secret_encrypted=encrypt_json({"secret": secrets.token_urlsafe(32)}))
    audit_append(workspace=workspace, event="panel_secret_rotated", member=request.member, target="panel", outcome="succeeded")
    messages.success(request, _("The panel secret was rotated. Links signed with the old secret stop working now."))
    return redirect("console:panel_settings")
