"""`chargeside demo --no-serve` end to end: five fake gateways seeded, a connection each with its webhook
registered at the provider, all five backfilled; the landing customer Ayşe Yılmaz is one customer with identities
at Stripe, PayPal and Braintree, totals per currency and every item labelled with its gateway; and an agent can
split one gateway's account off her in the console and merge it back.

The fakes run in the test process (their state is in memory, as in the demo), the fake Stripe in a child
process, as `chargeside demo` runs them; nothing of Chargeside is mocked.
"""

from __future__ import annotations

import html
import re
import socket
from io import StringIO

import pytest
from django.core.management import call_command

from chargeside.actions.models import AuditEvent
from chargeside.billing.models import Charge, Customer, GatewayCustomer
from chargeside.connections.models import Connection
from chargeside.sandbox.demo_gateways import PROVIDERS

# transactional: the backfill's on-commit work runs as in the demo (erasable_audit lets the flush after each test pass)
pytestmark = pytest.mark.usefixtures("erasable_audit")

AYSE = "ayse.yilmaz@example.com"
FIVE = {"stripe", *PROVIDERS}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def demo(settings, tmp_path):
    """Runs the demo's setup once (small seeds, free ports) and returns what it printed."""
    settings.CHARGESIDE_HOME = tmp_path
    settings.CHARGESIDE_DEMO_WORKSPACE = "demo"
    out = StringIO()
    ports = [arg for provider in PROVIDERS for arg in (f"--{provider}-port", "0")]
    call_command("demo", "--no-serve", "--port", str(free_port()), "--stripe-port", str(free_port()), "--customers", "4",
                 "--gateway-customers", "3", *ports, stdout=out)
    return out.getvalue()


def console_identities(client, customer: Customer) -> list[str]:
    """The connections of the gateway accounts listed on the console's customer page."""
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    return sorted(re.findall(r'<tr><td>([^<]+)</td><td class="mono">[^<]+</td><td>[^<]*@', page))


def panel_html(client, customer: Customer | None = None) -> str:
    """The panel as the demo ticket page frames it (a freshly signed link)."""
    page = client.get("/demo/" + (f"?customer={customer.pk}" if customer else "")).content.decode()
    src = html.unescape(re.search(r'<iframe class="panel-frame"[^>]*src="([^"]+)"', page).group(1))
    return client.get(src).content.decode()


def test_the_demo_connects_seeds_registers_webhooks_for_and_backfills_all_five_gateways(demo):
    connections = {c.provider: c for c in Connection.objects.filter(workspace__slug="demo")}

    assert set(connections) == FIVE
    for provider, connection in connections.items():
        assert connection.last_sync_at is not None, provider
        assert Charge.objects.filter(connection=connection).exists(), provider
        assert GatewayCustomer.objects.filter(connection=connection).exists(), provider
        assert re.search(rf"demo / {re.escape(connection.name)} \(connection {connection.pk}\): \d+ objects", demo), provider
    # what each provider handed back when its webhook was registered, kept for verifying deliveries
    assert connections["paypal"].settings["webhook_id"]
    for provider in ("stripe", "woocommerce", "recurly"):
        assert connections[provider].credentials["webhook_secret"], provider
    assert connections["braintree"].credentials["private_key"]  # Braintree signs with the API keys


def test_the_demo_customer_is_one_customer_on_three_gateways_with_totals_per_currency(demo, client):
    ayse = Customer.objects.get(workspace__slug="demo", email=AYSE)

    identities = set(ayse.gateway_customers.values_list("connection__provider", flat=True))
    assert identities == {"stripe", "paypal", "braintree"}
    currencies = set(Charge.objects.filter(gateway_customer__customer=ayse).values_list("currency", flat=True))
    assert {"TRY", "EUR", "USD"} <= currencies

    panel = panel_html(client)
    assert "Ayşe Yılmaz" in panel
    totals = re.search(r'<table class="totals">(.*?)</table>', panel, re.S).group(1)
    assert re.findall(r'<th scope="row">([A-Z]{3})</th>', totals) == ["TRY", "USD", "EUR"]
    assert "$238.00" in totals and "$25.00" in totals  # PayPal: 89.00 + 149.00 paid, 25.00 refunded
    assert "€134.00" in totals
    badges = re.findall(r'<span class="badge-provider">([^<]+)</span>', panel)
    assert sorted(badges) == ["Braintree", "PayPal", "Stripe"]
    charges = re.search(r'<section class="section" id="section-charges">(.*?)</section>', panel, re.S).group(1)
    labelled = set(re.findall(r'<span class="provider">([^<]+)</span>', charges))
    assert {"Stripe", "PayPal", "Braintree"} <= labelled


def test_an_agent_splits_a_gateway_account_off_the_demo_customer_and_merges_it_back(demo, client):
    from chargeside.workspaces.models import Member

    agent = Member.objects.get(workspace__slug="demo", user__username="agent")
    client.force_login(agent.user)
    session = client.session
    session["workspace_id"] = agent.workspace_id
    session.save()
    ayse = Customer.objects.get(workspace__slug="demo", email=AYSE)
    braintree = GatewayCustomer.objects.get(customer=ayse, connection__provider="braintree")

    response = client.post(f"/customers/{ayse.pk}/split/", {"account": braintree.pk})

    braintree.refresh_from_db()
    assert braintree.customer_id != ayse.pk and braintree.link == "manual"
    assert response["Location"] == f"/customers/{braintree.customer_id}/"
    assert console_identities(client, ayse) == ["PayPal (sandbox)", "Stripe (sandbox)"]
    assert console_identities(client, braintree.customer) == ["Braintree (sandbox)"]

    page = client.post(f"/customers/{ayse.pk}/merge/", {"source": str(braintree.customer_id)}, follow=True).content.decode()

    assert "was merged into this one." in page
    assert console_identities(client, ayse) == ["Braintree (sandbox)", "PayPal (sandbox)", "Stripe (sandbox)"]
    assert sorted(re.findall(r'<span class="badge-provider">([^<]+)</span>', panel_html(client, ayse))) == ["Braintree", "PayPal", "Stripe"]
    assert list(AuditEvent.objects.filter(workspace=agent.workspace, event__in=["split", "merged"]).order_by("seq")
                .values_list("event", flat=True)) == ["split", "merged"]


def test_each_fakes_webhooks_reach_its_connection_verified(erasable_audit, settings, live_server, stripe_fake):
    """What `register_webhooks` subscribed at each fake is delivered to /hooks/<token>/ and passes verification."""
    import time

    from chargeside.ingest.models import WebhookDelivery
    from chargeside.sandbox.demo_gateways import start_demo_gateways
    from chargeside.sandbox.demo_setup import ensure_demo_workspace, register_webhooks

    gateways = start_demo_gateways({provider: 0 for provider in PROVIDERS}, customers=1)
    try:
        demo = ensure_demo_workspace(stripe_base_url=stripe_fake.base_url, gateways=gateways)
        register_webhooks(demo, live_server.url, gateways)
        # one change at each provider, made as its own dashboard or checkout would make it
        paypal, braintree, woo, recurly = (gateways.fakes[p] for p in ("paypal", "braintree", "woocommerce", "recurly"))
        paypal.control.payment(paypal.control.payer(AYSE, "Ayşe Yılmaz", "TR", payer_id="AYSE2YLMZ3TR4"), 1500, "USD")
        token = next(t for t, card in braintree.store.state.cards.items() if card["customer_id"] == "ayse_yilmaz")
        sale = braintree.store.sale({"amount": "99.00", "payment_method_token": token, "merchant_account_id": "chargeside_try",
                                     "options": {"submit_for_settlement": True}})
        braintree.settle(sale["id"])
        woo.create_order(email="guest@example.org", first_name="Guest", last_name="Buyer", total="12.00", currency="EUR")
        account = recurly.store.all("account")[0]
        recurly.control.purchase(account["id"], "10.00", "EUR")

        deadline = time.monotonic() + 30  # deliveries are asynchronous; wait for them, assert nothing about time
        while time.monotonic() < deadline:
            arrived = {d.connection.provider for d in WebhookDelivery.objects.select_related("connection")}
            if arrived >= set(PROVIDERS):
                break
            time.sleep(0.2)
    finally:
        gateways.stop()
    deliveries = WebhookDelivery.objects.filter(workspace=demo.workspace).select_related("connection")
    assert {d.connection.provider for d in deliveries} == set(PROVIDERS)
    rejected = [(d.connection.provider, d.reject_reason) for d in deliveries if d.status == WebhookDelivery.Status.REJECTED]
    assert rejected == []
