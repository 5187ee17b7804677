"""The capability matrix is what the adapters declare, and every surface decides by it: `chargeside gateways`
(table and JSON), the panel and console's action lists, and the API, which refuses an undeclared action with
"… is not supported by <provider>"."""

from __future__ import annotations

import io
import json

import pytest
from contract_limited_gateway import KEY, installed_plugin
from django.core.management import CommandError, call_command
from django.utils.functional import Promise

from chargeside.gateways.capabilities import DESCRIPTIONS, LABELS, declared, label, matrix
from chargeside.gateways.registry import adapter_class, adapters
from chargeside.gateways.types import Capability


@pytest.fixture
def plugin(tmp_path):
    with installed_plugin(tmp_path / "site"):
        yield


def run(*args) -> str:
    out = io.StringIO()
    call_command("gateways", *args, stdout=out)
    return out.getvalue()


# --- the data ------------------------------------------------------------------------------------------

def test_the_matrix_is_what_each_registered_adapter_declares():
    data = matrix()
    assert [row.key for row in data.providers] == list(adapters())
    assert data.capabilities == tuple(Capability)
    for row in data.providers:
        cls = adapter_class(row.key)
        assert (row.display_name, row.capabilities) == (cls.display_name, frozenset(cls.capabilities)) == (cls.display_name, declared(row.key))
    assert matrix().providers[0].capabilities == frozenset(Capability)  # Stripe, the reference, offers everything


def test_every_capability_has_a_translatable_label_and_meaning():
    assert set(LABELS) == set(DESCRIPTIONS) == set(Capability)
    assert all(isinstance(text, Promise) for text in (*LABELS.values(), *DESCRIPTIONS.values()))
    assert len({str(text) for text in LABELS.values()}) == len(Capability)  # no two columns read the same
    assert label("partial_refund") == "Partial refund"


def test_an_undeclared_provider_is_a_lookup_error():
    with pytest.raises(LookupError, match="No gateway adapter is registered as 'nope'"):
        declared("nope")


def test_a_plugin_joins_the_matrix_with_only_what_it_declares(plugin):
    row = next(row for row in matrix().providers if row.key == KEY)
    assert row.display_name == "Limited Stripe"
    assert row.supports(Capability.PARTIAL_REFUND) and not row.supports(Capability.CAPTURE)


# --- the command ---------------------------------------------------------------------------------------

def _columns(header: str, names: list[str]) -> list[range]:
    spans, position = [], len("capability")
    for name in names:
        start = header.index(name, position)
        spans.append(range(start, start + len(name)))
        position = start + len(name)
    return spans


def test_the_table_marks_each_supported_capability_under_its_provider(plugin):
    lines = run().splitlines()
    header, rule, body = lines[0], lines[1], lines[2:]
    providers = matrix().providers
    assert header.split()[0] == "capability" and set(rule) == {"─"}
    spans = _columns(header, [row.display_name for row in providers])
    assert [line.split("  ")[0] for line in body] == [str(LABELS[c]) for c in Capability]
    for capability, line in zip(Capability, body, strict=True):
        marked = [any(line[i:i + 1] == "✓" for i in span) for span in spans]
        assert marked == [row.supports(capability) for row in providers], capability
        assert line == line.rstrip() and set(line[len(str(LABELS[capability])):]) <= {" ", "✓"}


def test_json_is_the_matrix_for_machines(plugin):
    data = json.loads(run("--json"))
    assert data == json.loads(json.dumps(matrix().as_json()))
    assert [c["key"] for c in data["capabilities"]] == [str(c) for c in Capability]
    limited = next(p for p in data["providers"] if p["key"] == KEY)
    assert limited == {"key": KEY, "display_name": "Limited Stripe",
                       "capabilities": ["refund", "partial_refund", "customer_search_email", "webhooks", "idempotency_keys"]}


def test_check_custom_prints_what_passes(tmp_path):
    from chargeside.sandbox.custom_http import reference_server

    secret = "check-custom-secret-0123456789abcdef"
    server = reference_server().ReferenceServer(secrets=[secret]).start()
    try:
        table = run("check-custom", server.base_url, "--secret", secret)
        as_json = json.loads(run("check-custom", server.base_url, "--secret", secret, "--json"))
        read_only = json.loads(run("check-custom", server.base_url, "--secret", secret, "--json", "--read-only"))
    finally:
        server.stop()
    skipped = {check["name"] for check in read_only["checks"] if check["skipped"]}
    assert read_only["passed"] is True and "refund.partial" in skipped and "connection" not in skipped
    assert "✓   connection" in table and "refund.partial" in table
    assert table.rstrip().splitlines()[-1].endswith("checks passed.")
    assert as_json["passed"] is True and as_json["url"] == server.base_url
    names = [check["name"] for check in as_json["checks"]]
    assert {"connection", "refund.partial", "webhook.signed"} <= set(names)
    assert all(check["passed"] or check["skipped"] for check in as_json["checks"])


def test_check_custom_fails_with_the_failing_checks_named():
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"checks failed for http://127\.0\.0\.1:9") as failed:
        call_command("gateways", "check-custom", "http://127.0.0.1:9", "--secret", "wrong-secret-0123456789abcdef", stdout=out)
    assert failed.value.returncode == 1
    assert "✗   connection" in out.getvalue()


# --- the panel, the console and the API decide by the same declaration ------------------------------------

@pytest.fixture
def limited_connection(plugin, workspace, stripe_fake):
    from chargeside.connections.models import Connection

    connection = Connection(workspace=workspace, provider=KEY, name="Limited", settings={"base_url": stripe_fake.base_url})
    connection.set_credentials({"secret_key": "sk_test_chargeside", "webhook_secret": "whsec_test_chargeside"})
    connection.save()
    return connection


def _seed(connection, email):
    import stripe

    from chargeside.ingest.backfill import backfill

    sdk = stripe.StripeClient("sk_test_chargeside", base_addresses={"api": connection.settings["base_url"]}, max_network_retries=0)
    customer = sdk.v1.customers.create({"email": email, "name": "Lin Ited"})
    intent = sdk.v1.payment_intents.create({"amount": 4000, "currency": "eur", "customer": customer.id, "payment_method": "pm_card_visa",
                                            "confirm": True, "off_session": True, "payment_method_types": ["card"]})
    backfill(connection)
    return customer.id, intent.latest_charge


def test_the_panel_offers_only_declared_actions(limited_connection, stripe_connection, owner):
    from chargeside.billing.matching import find_customers
    from chargeside.billing.sections import customer_accounts
    from chargeside.billing.selectors import customer_view

    _seed(limited_connection, "lin@example.com")
    customers = find_customers(owner.workspace, emails=["lin@example.com"])
    view = customer_view(workspace=owner.workspace, customer_ids=[c.pk for c in customers], member=owner)
    (charge,) = view.charges.items
    assert charge.actions == ("refund",)
    offered = {name for item in customer_accounts(workspace=owner.workspace, customer_ids=[c.pk for c in customers], member=owner)
               for name in item.actions}
    # Stripe itself would offer the card update link, the coupon and the tax id here; the plug-in declares none.
    assert offered == set()

    from chargeside.actions.registry import get_action

    _seed(stripe_connection, "full@example.com")
    full = find_customers(owner.workspace, emails=["full@example.com"])
    stripe_offers = {name for item in customer_accounts(workspace=owner.workspace, customer_ids=[c.pk for c in full], member=owner)
                     for name in item.actions}
    assert {"card_update_link", "tax_id_add"} <= stripe_offers
    assert all(get_action(name).capability in declared("stripe") for name in stripe_offers)


def test_the_api_refuses_an_undeclared_action_with_a_clear_message(limited_connection, owner, client):
    from chargeside.workspaces.models import ApiToken

    _customer, charge = _seed(limited_connection, "lin@example.com")
    _row, token = ApiToken.issue(member=owner, name="contract")
    response = client.post("/api/v1/actions/capture", data={"params": {"charge": charge}, "reason": "x"},
                           content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "not_supported", "message": "Capture a payment is not supported by Limited Stripe.", "field": ""}}
    preview = client.post("/api/v1/actions/capture/preview", data={"params": {"charge": charge}, "reason": "x"},
                          content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert (preview.status_code, preview.json()["error"]["code"]) == (400, "not_supported")
