"""Console and API test fixtures: logged-in clients, billing rows synced from DTOs, a charge at the fake.

Imported by tests/console/conftest.py and tests/api/conftest.py (both directories are packages under tests/)."""

from __future__ import annotations

import datetime as dt

import pytest

from chargeside.gateways import types as t


@pytest.fixture
def login(client):
    """Log `member`'s user in with `member`'s workspace as the current one; returns the client."""

    def do(member):
        client.force_login(member.user)
        session = client.session
        session["workspace_id"] = member.workspace_id
        session.save()
        return client

    return do


def make_offline_connection(workspace, name="Stripe offline"):
    from chargeside.connections.models import Connection

    connection = Connection(workspace=workspace, provider="stripe", name=name, settings={"base_url": "http://127.0.0.1:9"})
    connection.set_credentials({"secret_key": "sk_test_offline", "webhook_secret": "whsec_offline"})
    connection.save()
    return connection


def seed_customer(connection, *, email="ada@example.com", name="Ada Lovelace", charge_amount=5000, currency="EUR", suffix="1"):
    """A gateway customer with a card and a succeeded charge, written through the one write path (upsert)."""
    from chargeside.billing.models import Charge, Customer, GatewayCustomer
    from chargeside.billing.upsert import upsert_many

    when = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
    upsert_many(connection, [
        t.CustomerDTO(remote_id=f"cus_test{suffix}", email=email, name=name, created_at=when),
        t.PaymentMethodDTO(remote_id=f"pm_test{suffix}", customer_remote_id=f"cus_test{suffix}", brand="visa", last4="4242",
                           exp_month=12, exp_year=2030, created_at=when),
        t.ChargeDTO(remote_id=f"ch_test{suffix}", customer_remote_id=f"cus_test{suffix}", amount=charge_amount, currency=currency,
                    status=t.ChargeStatus.SUCCEEDED, amount_captured=charge_amount, created_at=when),
    ])
    gateway_customer = GatewayCustomer.objects.get(connection=connection, remote_id=f"cus_test{suffix}")
    return Customer.objects.get(pk=gateway_customer.customer_id), Charge.objects.get(connection=connection, remote_id=f"ch_test{suffix}")


@pytest.fixture
def offline_connection(workspace):
    return make_offline_connection(workspace)


@pytest.fixture
def ada(offline_connection):
    """(customer, charge) of the workspace, from a connection whose API is never called."""
    return seed_customer(offline_connection)


@pytest.fixture
def sdk(stripe_fake):
    import stripe

    return stripe.StripeClient("sk_test_chargeside", base_addresses={"api": stripe_fake.base_url}, max_network_retries=0)


@pytest.fixture
def fake_charge(stripe_connection, sdk):
    """A succeeded €50.00 card payment at the fake, synced into the local database. Returns (customer, charge)."""
    from chargeside.billing.models import Charge, Customer, GatewayCustomer
    from chargeside.billing.upsert import upsert_many
    from chargeside.gateways.registry import adapter_for

    remote_customer = sdk.v1.customers.create({"email": "grace@example.com", "name": "Grace Hopper"})
    intent = sdk.v1.payment_intents.create({
        "amount": 5000, "currency": "eur", "customer": remote_customer.id, "payment_method": "pm_card_visa", "confirm": True,
    })
    adapter = adapter_for(stripe_connection)
    charge_id = intent.latest_charge if isinstance(intent.latest_charge, str) else intent.latest_charge.id
    upsert_many(stripe_connection, [adapter.fetch(t.ResourceKind.CUSTOMER, remote_customer.id), adapter.fetch(t.ResourceKind.CHARGE, charge_id)])
    gateway_customer = GatewayCustomer.objects.get(connection=stripe_connection, remote_id=remote_customer.id)
    return Customer.objects.get(pk=gateway_customer.customer_id), Charge.objects.get(connection=stripe_connection, remote_id=charge_id)
