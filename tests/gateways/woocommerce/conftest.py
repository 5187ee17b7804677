"""WooCommerce adapter tests: captured-shape payloads in fixtures/ (from the REST API docs' examples and the
Subscriptions v3 shape), strict status mapping, and the fake store with the real SDK."""

from __future__ import annotations

import json
import pathlib

import pytest

from chargeside.gateways.woocommerce import statuses

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def strict_woo_mapping(monkeypatch):
    monkeypatch.setattr(statuses, "STRICT", True)


@pytest.fixture
def woo_payload():
    return lambda name: json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture
def woo_fake(tmp_path):
    from chargeside.sandbox.woocommerce import WooFake

    fake = WooFake(state_path=str(tmp_path / "woo.sqlite3")).start()
    yield fake
    fake.stop()


@pytest.fixture
def woo_adapter(woo_fake):
    from chargeside.gateways.woocommerce.adapter import WooCommerceAdapter

    return WooCommerceAdapter(settings={"base_url": woo_fake.base_url, "consumer_key": "ck_test", "subscriptions_extension": "yes"},
                              credentials={"consumer_secret": "cs_test", "webhook_secret": "woo_secret"})


@pytest.fixture
def woo_connection(workspace, woo_fake):
    from chargeside.connections.models import Connection

    connection = Connection(workspace=workspace, provider="woocommerce", name="Shop",
                            settings={"base_url": woo_fake.base_url, "consumer_key": "ck_test", "subscriptions_extension": "yes"})
    connection.set_credentials({"consumer_secret": "cs_test", "webhook_secret": "woo_secret"})
    connection.save()
    return connection
