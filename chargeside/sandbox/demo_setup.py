"""Creates the demo workspace: people, a connection per gateway (Stripe and the four fakes of demo_gateways.py),
each with its webhook endpoint registered at the provider.

Idempotent: running the demo again reuses what exists. Used by `chargeside demo` and by the tests that
check the demo works end to end.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from chargeside.billing.models import GatewayObject
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
    connection: Connection  # the Stripe one
    others: dict[str, Connection]  # provider key → connection, for the gateways started by demo_gateways.py

    @property
    def connections(self) -> list[Connection]:
        return [self.connection, *self.others.values()]


def demo_workspace_slug() -> str:
    return getattr(settings, "CHARGESIDE_DEMO_WORKSPACE", "demo")


@transaction.atomic
def ensure_demo_workspace(*, stripe_base_url: str, gateways=None) -> DemoWorkspace:
    """The demo workspace with its people and connections; `gateways` (a running demo_gateways.DemoGateways)
    adds one connection per fake, its settings and credentials refreshed to what that run of the fake serves."""
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
    others = {}
    for provider in (gateways.fakes if gateways is not None else ()):
        from .demo_gateways import NAMES

        other, _ = Connection.objects.get_or_create(workspace=workspace, provider=provider, name=NAMES[provider])
        other.settings = gateways.settings(provider)
        other.set_credentials(gateways.credentials(provider))
        other.save()
        others[provider] = other
    return DemoWorkspace(workspace, connection, others)


def register_webhooks(demo: DemoWorkspace, public_url: str, gateways) -> None:
    """Register each fake gateway's webhook to its connection's /hooks/<token>/ URL, as an operator would, and
    keep what the provider hands back for verifying them (a webhook id, a signing secret) on the connection."""
    for connection in demo.others.values():
        gateways.register_webhook(connection, f"{public_url.rstrip('/')}/hooks/{connection.webhook_token}/")


def forget_synced(connection: Connection) -> int:
    """Delete what was synced from `connection` (not its audit trail, nor the customers it matched).

    The in-memory fakes start afresh on each demo run, and PayPal and Braintree give the same payments new ids:
    without this, the panel would show last run's copies beside this run's. The customers stay, and the
    backfill links the new gateway accounts to them again by email."""
    deleted = 0
    models = [m for m in apps.get_models() if issubclass(m, GatewayObject) and m._meta.model_name != "gatewaycustomer"]
    with transaction.atomic():
        for model in models:  # the customer-owned rows first: they point at the gateway customers
            deleted += model.objects.filter(connection=connection).delete()[0]
        from chargeside.billing.models import GatewayCustomer

        deleted += GatewayCustomer.objects.filter(connection=connection).delete()[0]
    return deleted


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
