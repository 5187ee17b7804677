"""Which gateway connections a command works on (`--connection ID`, `--workspace SLUG`, else all active)."""

from __future__ import annotations

from django.core.management.base import CommandError

from chargeside.connections.models import Connection


def add_selection_arguments(parser) -> None:
    parser.add_argument("--connection", type=int, help="one connection id")
    parser.add_argument("--workspace", help="every gateway connection of this workspace (slug)")


def selected_connections(*, connection: int | None, workspace: str | None) -> list[Connection]:
    rows = Connection.objects.filter(kind=Connection.Kind.GATEWAY).select_related("workspace").order_by("id")
    if connection is not None:
        rows = rows.filter(pk=connection)
    if workspace:
        rows = rows.filter(workspace__slug=workspace)
    if connection is None:
        rows = rows.exclude(status=Connection.Status.DISABLED)
    found = list(rows)
    if not found:
        what = f"connection {connection}" if connection is not None else f"workspace '{workspace}'" if workspace else "any workspace"
        raise CommandError(f"No gateway connection found for {what}.")
    return found
