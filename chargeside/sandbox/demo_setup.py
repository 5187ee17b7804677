"""Creates the demo workspace: people, a Stripe connection to the local fake, its webhook endpoint.

Idempotent: running the demo again reuses what exists. Used by `chargeside demo` and by the tests that
check the demo works end to end.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from chargeside.connections.models import Connection
from chargeside.workspaces.models import Member, Workspace
from chargeside.workspaces.roles import Role

DEMO_PASSWORD = "chargeside-demo"
DEMO_STRIPE_KEY = "sk_test_chargeside_demo"
# (username, full name, role, language)
DEMO_PEOPLE = (
    ("owner", "Olivia Owner", Role.OWNER, "en"),
    ("agent", "Alex Agent", Role.AGENT, "en"),
    ("ajan", "Deniz Kaya", Role.AGENT, "tr"),
    ("finance", "Fatma Finans", Role.FINANCE, "tr"),
    ("viewer", "Victor Viewer", Role.VIEWER, "en"),
)


@dataclass(frozen=True)
class DemoWorkspace:
    workspace: Workspace
    connection: Connection


def demo_workspace_slug() -> str:
    return getattr(settings, "CHARGESIDE_DEMO_WORKSPACE", "demo")


@transaction.atomic
def ensure_demo_workspace(*, stripe_base_url: str) -> DemoWorkspace:
    workspace, _ = Workspace.objects.get_or_create(
        slug=demo_workspace_slug(),
        defaults={"name": "Demo Store", "panel_frame_origins": "'self'"},
    )
    User = get_user_model()
    for username, full_name, role, language in DEMO_PEOPLE:
        first, _, last = full_name.partition(" ")
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.chargeside.test"})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Member.objects.get_or_create(workspace=workspace, user=user, defaults={"role": role, "language": language})
    connection, created = Connection.objects.get_or_create(
        workspace=workspace, provider="stripe", name="Stripe (sandbox)", defaults={"settings": {"base_url": stripe_base_url}}
    )
    if created or connection.settings.get("base_url") != stripe_base_url:
        connection.settings = {**connection.settings, "base_url": stripe_base_url}
        credentials = connection.credentials if connection.credentials_encrypted else {}
        connection.set_credentials({**credentials, "secret_key": DEMO_STRIPE_KEY})
        connection.save()
    return DemoWorkspace(workspace, connection)


def register_stripe_webhook(connection: Connection, public_url: str) -> str:
    """Register our webhook URL at the (fake) Stripe, exactly as an operator would at Stripe, and keep the
    signing secret it returns in the connection's encrypted credentials."""
    import stripe

    url = f"{public_url.rstrip('/')}/hooks/{connection.webhook_token}/"
    client = stripe.StripeClient(connection.credentials["secret_key"], base_addresses={"api": connection.settings["base_url"]})
    for endpoint in client.v1.webhook_endpoints.list({"limit": 100}).auto_paging_iter():
        if endpoint.url == url:
            client.v1.webhook_endpoints.delete(endpoint.id)
    endpoint = client.v1.webhook_endpoints.create({"url": url, "enabled_events": ["*"]})
    connection.set_credentials({**connection.credentials, "webhook_secret": endpoint.secret})
    connection.save(update_fields=["credentials_encrypted"])
    return url
