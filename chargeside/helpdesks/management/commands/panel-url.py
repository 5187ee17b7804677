"""`chargeside panel-url --workspace W --email E [...]`: print a signed link to the generic panel.

For wiring a helpdesk by hand, for support, and for trying the panel. The link is signed with the
workspace's panel secret (see `chargeside.helpdesks.signing` for the canonical form) and expires after
--ttl seconds.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from chargeside.helpdesks.signing import max_link_ttl, panel_query
from chargeside.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Print a signed link to the billing panel for a customer email."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="workspace slug")
        parser.add_argument("--email", required=True, action="append", help="customer email (repeat for several)")
        parser.add_argument("--name", default="", help="customer name as the desk shows it")
        parser.add_argument("--ticket", default="", help="ticket id")
        parser.add_argument("--ticket-url", default="", help="link back to the ticket")
        parser.add_argument("--agent", default="", help="agent email or desk identity (unmapped: read-only panel)")
        parser.add_argument("--lang", default="", choices=["", "en", "tr"], help="panel language")
        parser.add_argument("--ttl", type=int, default=3600, help="seconds the link stays valid (default 3600)")
        parser.add_argument("--base-url", default="", help="our public address (default CHARGESIDE_PUBLIC_URL)")

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the slug '{options['workspace']}'.")
        if not 0 < options["ttl"] <= max_link_ttl():
            raise CommandError(f"--ttl must be between 1 and {max_link_ttl()} seconds.")
        query = panel_query(
            workspace, emails=options["email"], name=options["name"], ticket=options["ticket"],
            ticket_url=options["ticket_url"], agent=options["agent"], lang=options["lang"], ttl=options["ttl"],
        )
        base = (options["base_url"] or settings.CHARGESIDE_PUBLIC_URL).rstrip("/")
        self.stdout.write(f"{base}{reverse('panel:panel')}?{query}")
