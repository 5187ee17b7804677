"""`chargeside helpdesk-connect helpscout --workspace W --set secret_key=… --set client_id=… [...]`: add (or update)
a helpdesk connection and print the URL to paste into the desk.

Each --set is one field of the desk adapter's settings spec; secret fields are stored encrypted with the
connection's credentials, the others as its plain settings. Fields left out keep their stored value (or
their default). The printed callback URL contains the connection's unguessable token.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from chargeside.connections.models import Connection
from chargeside.helpdesks.registry import adapter_class, adapters
from chargeside.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Add or update a helpdesk connection and print its callback URL."

    def add_arguments(self, parser):
        parser.add_argument("desk", help=f"one of: {', '.join(sorted(adapters()))}")
        parser.add_argument("--workspace", required=True, help="workspace slug")
        parser.add_argument("--name", default="", help="connection name (default: the desk's name)")
        parser.add_argument("--set", dest="values", action="append", default=[], metavar="FIELD=VALUE", help="a setting (repeat)")

    def handle(self, *args, desk, workspace, name, values, **options):
        try:
            adapter = adapter_class(desk)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        found = Workspace.objects.filter(slug=workspace).first()
        if found is None:
            raise CommandError(f"No workspace with the slug '{workspace}'.")
        specs = {spec.name: spec for spec in adapter.settings_spec}
        given = {}
        for item in values:
            key, sep, value = item.partition("=")
            if not sep or key not in specs:
                raise CommandError(f"--set takes FIELD=VALUE with FIELD one of: {', '.join(specs)}")
            given[key] = value
        connection = Connection.objects.filter(workspace=found, kind=Connection.Kind.HELPDESK, provider=desk,
                                               name=name or adapter.display_name).first()
        connection = connection or Connection(workspace=found, kind=Connection.Kind.HELPDESK, provider=desk,
                                              name=name or adapter.display_name)
        plain = {**{k: s.default for k, s in specs.items() if not s.secret and s.default}, **connection.settings}
        secrets = connection.credentials if connection.credentials_encrypted else {}
        for key, value in given.items():
            (secrets if specs[key].secret else plain)[key] = value
        missing = [k for k, s in specs.items() if s.required and not (secrets if s.secret else plain).get(k)]
        if missing:
            raise CommandError(f"Missing required settings: {', '.join(missing)}")
        connection.settings = plain
        connection.set_credentials(secrets)
        connection.save()
        url = f"{settings.CHARGESIDE_PUBLIC_URL}{reverse('desk:callback', args=[desk, connection.webhook_token])}"
        self.stdout.write(f"{adapter.display_name} connection '{connection.name}' saved. Callback URL: {url}")
