"""Re-encrypt every stored secret with the newest key in CHARGESIDE_ENCRYPTION_KEY."""

from django.core.management.base import BaseCommand
from django.db import transaction

from chargeside.connections.models import Connection
from chargeside.core.crypto import rotate
from chargeside.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Re-encrypt connection credentials and panel secrets with the first (newest) encryption key."

    @transaction.atomic
    def handle(self, *args, **options):
        connections = 0
        for connection in Connection.objects.select_for_update().exclude(credentials_encrypted=""):
            connection.rotate_credentials()
            connection.save(update_fields=["credentials_encrypted"])
            connections += 1
        workspaces = 0
        for workspace in Workspace.objects.select_for_update().exclude(panel_secret_encrypted=""):
            workspace.panel_secret_encrypted = rotate(workspace.panel_secret_encrypted)
            workspace.save(update_fields=["panel_secret_encrypted"])
            workspaces += 1
        self.stdout.write(f"Re-encrypted {connections} connection(s) and {workspaces} panel secret(s) with the newest key.")
