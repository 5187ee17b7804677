"""Helpdesk fixtures: Help Scout and FreeScout simulators on loopback, helpdesk connections pointed at them
(credentials encrypted like production), and a customer with a payment at the Stripe fake."""

from __future__ import annotations

import pytest
import stripe

HS_SECRET = "hs-secret"
FS_SECRET = "fs-secret"


@pytest.fixture
def helpscout_sim():
    from chargeside.sandbox.helpscout import HelpScoutSimulator

    sim = HelpScoutSimulator(secret_key=HS_SECRET)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def freescout_sim():
    from chargeside.sandbox.helpscout import HelpScoutSimulator

    sim = HelpScoutSimulator(secret_key=FS_SECRET, flavour="freescout", api_key="fs-api-key")
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def helpscout_connection(workspace, helpscout_sim):
    from chargeside.connections.models import Connection

    connection = Connection(workspace=workspace, kind=Connection.Kind.HELPDESK, provider="helpscout", name="Help Scout", settings={
        "client_id": helpscout_sim.client_id, "api_base_url": helpscout_sim.base_url, "web_url": helpscout_sim.base_url,
    })
    connection.set_credentials({"secret_key": HS_SECRET, "client_secret": helpscout_sim.client_secret})
    connection.save()
    return connection


@pytest.fixture
def freescout_connection(workspace, freescout_sim):
    from chargeside.connections.models import Connection

    connection = Connection(workspace=workspace, kind=Connection.Kind.HELPDESK, provider="freescout", name="FreeScout",
                            settings={"web_url": freescout_sim.base_url, "note_user_id": "3"})
    connection.set_credentials({"secret_key": FS_SECRET, "api_key": "fs-api-key"})
    connection.save()
    return connection


@pytest.fixture
def paid_customer(stripe_fake, stripe_connection):
    """Ayşe with one payment of 120.00 TRY at the fake Stripe, synced the way backfill does it."""
    from chargeside.billing.upsert import upsert_many
    from chargeside.gateways.registry import adapter_for

    merchant = stripe.StripeClient("sk_test_chargeside", base_addresses={"api": stripe_fake.base_url}, max_network_retries=0)
    customer = merchant.v1.customers.create({"email": "ayse.yilmaz@example.com", "name": "Ayşe Yılmaz"})
    pm = merchant.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
    intent = merchant.v1.payment_intents.create({
        "amount": 12000, "currency": "try", "customer": customer.id, "payment_method": pm.id, "confirm": True,
        "off_session": True, "payment_method_types": ["card"], "description": "Order #1001",
    })
    adapter = adapter_for(stripe_connection)
    for kind in adapter.backfill_kinds:
        cursor = None
        while True:
            page = adapter.list_page(kind, cursor, page_size=100)
            upsert_many(stripe_connection, page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    return merchant, intent.latest_charge
