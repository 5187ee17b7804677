"""Gateway connections: list, add, edit, test, and the webhook URL to paste into the gateway."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chargeside.actions.audit import audit_append
from chargeside.connections.models import Connection
from chargeside.gateways.errors import GatewayError
from chargeside.gateways.registry import adapter_class, adapter_for, adapters
from chargeside.workspaces.roles import Perm

from ..access import console_view, page
from ..forms.connection import ConnectionForm

log = logging.getLogger(__name__)


def webhook_url(connection: Connection) -> str:
    return f"{settings.CHARGESIDE_PUBLIC_URL}/hooks/{connection.webhook_token}/"


def _connection(request, pk: int) -> Connection:
    # A foreign workspace's id is simply not found.
    connection = Connection.objects.filter(workspace=request.workspace, pk=pk).first()
    if connection is None:
        raise Http404
    return connection


def _adapter_class(provider: str):
    try:
        return adapter_class(provider)
    except LookupError:
        raise Http404 from None


@console_view(Perm.MANAGE_CONNECTIONS)
def connection_list(request):
    connections = Connection.objects.filter(workspace=request.workspace).order_by("kind", "provider", "name")
    providers = sorted(((key, cls.display_name) for key, cls in adapters().items()), key=lambda pair: pair[1])
    return page(request, "console/connections/list.html", {
        "section": "connections", "connections": connections, "providers": providers,
    })


@console_view(Perm.MANAGE_CONNECTIONS)
def connection_add(request, provider: str):
    cls = _adapter_class(provider)
    form = ConnectionForm(request.POST or None, adapter_class=cls, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        connection = form.save()
        audit_append(workspace=request.workspace, event="connection_added", member=request.member,
                     target=f"{connection.provider}:{connection.name}", outcome="succeeded")
        messages.success(request, _("Connection saved. Paste the webhook URL below into %(provider)s.") % {"provider": cls.display_name})
        return redirect("console:connection_edit", pk=connection.pk)
    return page(request, "console/connections/form.html", {
        "section": "connections", "form": form, "provider_name": cls.display_name, "connection": None,
    })


@console_view(Perm.MANAGE_CONNECTIONS)
def connection_edit(request, pk: int):
    connection = _connection(request, pk)
    cls = _adapter_class(connection.provider)
    form = ConnectionForm(request.POST or None, adapter_class=cls, workspace=request.workspace, instance=connection)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit_append(workspace=request.workspace, event="connection_changed", member=request.member,
                     target=f"{connection.provider}:{connection.name}", outcome="succeeded")
        messages.success(request, _("Connection saved."))
        return redirect("console:connection_edit", pk=connection.pk)
    return page(request, "console/connections/form.html", {
        "section": "connections", "form": form, "provider_name": cls.display_name, "connection": connection,
        "webhook_url": webhook_url(connection),
    })


@require_POST
@console_view(Perm.MANAGE_CONNECTIONS)
def connection_test(request, pk: int):
    connection = _connection(request, pk)
    try:
        check = adapter_for(connection).test_connection()
        ok, message = check.ok, check.message
        if ok and check.account_name:
            message = f"{message} ({check.account_name})" if message else check.account_name
    except GatewayError as exc:
        ok, message = False, exc.message
    except Exception as exc:  # an adapter bug must not become a 500 on the settings page
        log.exception("test_connection crashed for connection %s", connection.pk)
        ok, message = False, _("Unexpected error: %(kind)s") % {"kind": type(exc).__name__}
    if ok:
        Connection.objects.filter(pk=connection.pk).exclude(status=Connection.Status.DISABLED).update(status=Connection.Status.ACTIVE)
        messages.success(request, _("Connection works: %(message)s") % {"message": message or _("OK")})
    else:
        connection.record_error(message)
        Connection.objects.filter(pk=connection.pk).exclude(status=Connection.Status.DISABLED).update(status=Connection.Status.ERROR)
        messages.error(request, _("Connection test failed: %(message)s") % {"message": connection.last_error})
    return redirect("console:connection_edit", pk=connection.pk)


@require_POST
@console_view(Perm.MANAGE_CONNECTIONS)
def connection_sync(request, pk: int):
    """Queue a reconcile (re-read the gateway's recent objects) for the worker; the page never waits on it."""
    from chargeside.ingest.tasks import reconcile_connection

    connection = _connection(request, pk)
    if connection.status == Connection.Status.DISABLED:
        messages.error(request, _("Enable the connection first."))
    else:
        reconcile_connection.enqueue(connection.pk)
        audit_append(workspace=request.workspace, event="connection_sync_requested", member=request.member,
                     target=f"{connection.provider}:{connection.name}", outcome="pending")
        messages.success(request, _("Sync requested: the worker re-reads recent objects from %(provider)s shortly.")
                         % {"provider": connection.provider})
    return redirect("console:connection_edit", pk=connection.pk)


@require_POST
@console_view(Perm.MANAGE_CONNECTIONS)
def connection_toggle(request, pk: int):
    connection = _connection(request, pk)
    disable = connection.status != Connection.Status.DISABLED
    connection.status = Connection.Status.DISABLED if disable else Connection.Status.ACTIVE
    connection.save(update_fields=["status"])
    audit_append(workspace=request.workspace, event="connection_disabled" if disable else "connection_enabled",
                 member=request.member, target=f"{connection.provider}:{connection.name}", outcome="succeeded")
    messages.success(request, _("Connection disabled.") if disable else _("Connection enabled."))
    return redirect("console:connection_edit", pk=connection.pk)
