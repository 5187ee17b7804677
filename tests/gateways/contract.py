"""The gateway contract: the same scenarios over every registered adapter, through its sandbox harness.

Each scenario runs Chargeside's real paths (ingest backfill, the webhook endpoint and the drain, run_action)
against a provider's fake, limited to what the adapter declares (`capabilities`):

- backfill finds the seeded customers (in the local database, matched by email);
- a partial refund through run_action moves the remaining amount (locally and at the provider);
- a duplicate webhook changes nothing;
- a webhook with a bad signature is refused (400) and kept as a rejected delivery;
- an action the adapter does not declare is refused (ActionError not_supported).

Targets are every provider of `registry.adapters()` (built-in harnesses are found by convention at
`chargeside.sandbox.<key>.harness`), plus a third party's: CHARGESIDE_CONTRACT_PROVIDER=<registry key> and
CHARGESIDE_CONTRACT_HARNESS=<package.module:Class>. A registered provider without a harness fails the suite.

This module holds no fixtures and is imported by name (`from contract import ...`) by the test modules.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.test import Client

from chargeside.actions.base import ActionError
from chargeside.actions.inputs import INPUTS
from chargeside.actions.registry import ACTIONS, get_action
from chargeside.actions.runner import ActionRequest, run_action
from chargeside.gateways.base import GatewayAdapter
from chargeside.gateways.registry import adapter_class, adapters
from chargeside.gateways.types import Capability, ResourceKind
from chargeside.sandbox.harness import Harness, SeededCustomer, harness_class

HARNESS_ENV = "CHARGESIDE_CONTRACT_HARNESS"
PROVIDER_ENV = "CHARGESIDE_CONTRACT_PROVIDER"
TICKET = "https://desk.example.com/tickets/contract"


class HarnessMissing(Exception):
    """A registered provider has no sandbox harness: the contract cannot be checked for it."""


@dataclass(frozen=True)
class ContractTarget:
    provider: str  # registry key
    harness_path: str = ""  # "package.module:Class" for a third-party harness; "" for the built-in convention

    @property
    def id(self) -> str:
        return self.provider


def targets(environ=os.environ) -> list[ContractTarget]:
    """Every registered provider, and the third-party one named by the environment (it replaces a same-key entry)."""
    found = {key: ContractTarget(key) for key in adapters()}
    path, provider = environ.get(HARNESS_ENV, "").strip(), environ.get(PROVIDER_ENV, "").strip()
    if path or provider:
        if not (path and provider):
            raise HarnessMissing(f"Set both {HARNESS_ENV}=package.module:Class and {PROVIDER_ENV}=<registry key>.")
        found[provider] = ContractTarget(provider, path)
    return list(found.values())


def load_harness(target: ContractTarget) -> type[Harness]:
    """The target's harness class, or HarnessMissing saying what to add."""
    where = target.harness_path or f"chargeside.sandbox.{target.provider}.harness (HARNESS = <Harness subclass>)"
    try:
        cls = harness_class(target.provider, target.harness_path)
    except (ImportError, AttributeError, ValueError) as exc:
        raise HarnessMissing(
            f"The gateway '{target.provider}' is registered but has no contract harness at {where}: {exc}. "
            f"Every registered adapter needs one (see chargeside/sandbox/harness.py)."
        ) from None
    if not (isinstance(cls, type) and issubclass(cls, Harness)):
        raise HarnessMissing(f"{where} is not a chargeside.sandbox.harness.Harness subclass (got {cls!r}).")
    if cls.provider != target.provider:
        raise HarnessMissing(f"{where} serves '{cls.provider}', not '{target.provider}'.")
    return cls


@dataclass
class World:
    """One running fake, a connection of the workspace pointed at it, and the member who acts."""

    target: ContractTarget
    harness: Harness
    connection: object  # connections.Connection
    member: object  # workspaces.Member (an owner: no limits in the way)
    adapter_cls: type[GatewayAdapter]
    seeded: list[SeededCustomer] = field(default_factory=list)

    @property
    def adapter(self) -> GatewayAdapter:
        from chargeside.gateways.registry import adapter_for

        return adapter_for(self.connection)

    def declares(self, *capabilities: Capability) -> bool:
        # What this connection can do: some depend on its settings (WooCommerce's Subscriptions extension).
        declared = self.adapter_cls.capabilities_for(self.connection.settings)
        return all(c in declared for c in capabilities)


@contextmanager
def world(target: ContractTarget, *, workspace, member, state_dir: str) -> Iterator[World]:
    from chargeside.connections.models import Connection

    harness = load_harness(target)()
    harness.start(state_dir)
    try:
        connection = Connection(workspace=workspace, provider=target.provider, name=f"{target.provider} contract",
                                settings=harness.connection_settings())
        connection.set_credentials(harness.connection_credentials())
        connection.save()
        yield World(target, harness, connection, member, adapter_class(target.provider))
    finally:
        harness.stop()


def seed_and_backfill(w: World, emails: list[str]) -> list[SeededCustomer]:
    from chargeside.ingest.backfill import backfill

    w.seeded = w.harness.seed_customers(emails)
    backfill(w.connection)
    w.connection.refresh_from_db()
    return w.seeded


# Actions name their rows by our ids, as the console and the panel send them: a provider's own id can be all
# digits (WooCommerce orders), which get_row reads as one of ours.
def _local_charge(w: World, seeded: SeededCustomer):
    from chargeside.billing.models import Charge

    return Charge.objects.get(connection=w.connection, remote_id=seeded.charge_remote_id)


def _local_identity(w: World, seeded: SeededCustomer):
    from chargeside.billing.models import GatewayCustomer

    return GatewayCustomer.objects.get(connection=w.connection, remote_id=seeded.customer_remote_id)


def emails_for(w: World, count: int) -> list[str]:
    return [f"contract-{w.target.provider}-{n}@example.com" for n in range(1, count + 1)]


# --- scenarios ---------------------------------------------------------------------------------------

def backfill_finds_the_seeded_customers(w: World) -> None:
    from chargeside.billing.matching import find_customers
    from chargeside.billing.models import Charge, GatewayCustomer

    seeded = seed_and_backfill(w, emails_for(w, 2))
    for customer in seeded:
        found = find_customers(w.connection.workspace, emails=[customer.email])
        assert len(found) == 1, f"backfill: {customer.email} matched {len(found)} customers"
        identity = GatewayCustomer.objects.get(connection=w.connection, remote_id=customer.customer_remote_id)
        assert identity.customer_id == found[0].pk
        assert identity.email.lower() == customer.email.lower()
        charge = Charge.objects.get(connection=w.connection, remote_id=customer.charge_remote_id)
        assert (charge.amount, charge.currency, charge.gateway_customer_id) == (customer.amount, customer.currency, identity.pk)
        assert charge.refundable == customer.amount


def partial_refund_moves_the_remaining_amount(w: World) -> None:
    from chargeside.billing.models import Charge

    (customer,) = seed_and_backfill(w, emails_for(w, 1))
    part = customer.amount // 5
    outcome = run_action(member=w.member, request=ActionRequest(
        action="refund", params={"charge": _local_charge(w, customer).pk, "amount_minor": part},
        reason="contract: partial refund", ticket_url=TICKET, source="contract"))
    assert outcome.ok, f"refund failed: {outcome.attempt.error_code} {outcome.attempt.error_message}"
    local = Charge.objects.get(connection=w.connection, remote_id=customer.charge_remote_id)
    assert (local.amount_refunded, local.refundable) == (part, customer.amount - part)
    remote = w.adapter.fetch(ResourceKind.CHARGE, customer.charge_remote_id)
    assert (remote.amount_refunded, remote.amount_captured - remote.amount_refunded) == (part, customer.amount - part)


def _post(client: Client, w: World, headers: dict[str, str], body: bytes):
    headers = dict(headers)
    content_type = next((headers.pop(name) for name in list(headers) if name.lower() == "content-type"), "application/json")
    return client.post(f"/hooks/{w.connection.webhook_token}/", data=body, content_type=content_type, headers=headers)


def _state(w: World) -> dict:
    """Everything a delivery could change: every synced row of the connection, the audit trail, applied events."""
    from django.apps import apps

    from chargeside.actions.models import AuditEvent
    from chargeside.billing.models import Customer, GatewayObject
    from chargeside.ingest.models import ProcessedEvent

    state = {
        model.__name__: list(model.objects.filter(connection=w.connection).order_by("pk").values())
        for model in apps.get_app_config("billing").get_models() if issubclass(model, GatewayObject)
    }
    state["Customer"] = list(Customer.objects.filter(workspace=w.connection.workspace).order_by("pk").values())
    state["AuditEvent"] = list(AuditEvent.objects.filter(workspace=w.connection.workspace).order_by("seq").values_list("seq", "hash"))
    state["ProcessedEvent"] = list(ProcessedEvent.objects.filter(connection=w.connection).order_by("pk").values_list("event_id", "type"))
    return state


def duplicate_webhook_changes_nothing(w: World, client: Client) -> None:
    from chargeside.billing.models import Charge
    from chargeside.ingest.models import WebhookDelivery
    from chargeside.ingest.pipeline import drain

    (customer,) = seed_and_backfill(w, emails_for(w, 1))
    headers, body = w.harness.signed_webhook(customer)
    first = _post(client, w, headers, body)
    assert first.status_code == 200, f"a genuine delivery was refused: {first.status_code} {first.content[:300]!r}"
    drain()
    applied = WebhookDelivery.objects.get(connection=w.connection)
    assert applied.status in ("processed", "ignored"), f"first delivery {applied.status}: {applied.error or applied.reject_reason}"
    assert applied.events_applied >= 1, "the genuine delivery applied no event"
    # The change the harness made at the fake (a refund) has arrived through the webhook.
    remote = w.adapter.fetch(ResourceKind.CHARGE, customer.charge_remote_id)
    local = Charge.objects.get(connection=w.connection, remote_id=customer.charge_remote_id)
    assert local.amount_refunded == remote.amount_refunded, (
        f"after the webhook: {local.amount_refunded} refunded locally, {remote.amount_refunded} at the provider")
    before = _state(w)

    second = _post(client, w, headers, body)
    assert second.status_code == 200, f"a repeated delivery must be acknowledged (the provider would retry it): {second.status_code}"
    drain()
    assert _state(w) == before
    repeat = WebhookDelivery.objects.filter(connection=w.connection).order_by("pk").last()
    assert repeat.pk != applied.pk and repeat.events_applied == 0 and repeat.status in ("processed", "ignored")


def _tampered(body: bytes) -> bytes:
    # Change one digit: the body stays well formed (JSON numbers and ids, form fields, base64 all keep their
    # shape), so the only thing wrong with it is that the signature no longer matches.
    for index, byte in enumerate(body):
        if 0x30 <= byte <= 0x39:
            return body[:index] + bytes([0x30 + (byte - 0x30 + 1) % 10]) + body[index + 1:]
    return body + b" "


def bad_signature_is_rejected(w: World, client: Client) -> None:
    from chargeside.ingest.models import WebhookDelivery
    from chargeside.ingest.pipeline import drain

    (customer,) = seed_and_backfill(w, emails_for(w, 1))
    headers, body = w.harness.signed_webhook(customer)
    before = _state(w)
    forged = _tampered(body)
    response = _post(client, w, headers, forged)
    assert response.status_code == 400, f"a body that does not match its signature got {response.status_code}"
    drain()
    delivery = WebhookDelivery.objects.get(connection=w.connection)
    assert delivery.status == "rejected" and delivery.reject_reason
    assert bytes(delivery.body) == forged  # kept byte for byte, for whoever investigates
    assert _state(w) == before


def unsupported_candidates(adapter_cls: type[GatewayAdapter]) -> list[str]:
    """Actions the adapter does not declare whose target is a charge or a customer (what every harness seeds)."""
    return [name for name in ACTIONS
            if get_action(name).capability not in adapter_cls.capabilities and name in INPUTS and INPUTS[name].on in ("charge", "account")
            and name not in NEEDS_MORE_THAN_ITS_ROW]


# Actions whose target is found through another row than the charge or customer (a harness seeds neither).
NEEDS_MORE_THAN_ITS_ROW = frozenset({"authorize", "subscription_create"})  # a payment method; a price


def unsupported_action_is_refused(w: World) -> None:
    from chargeside.actions.models import ActionAttempt

    name = unsupported_candidates(w.adapter_cls)[0]
    (customer,) = seed_and_backfill(w, emails_for(w, 1))
    subject = {"charge": ("charge", _local_charge(w, customer).pk), "account": ("gateway_customer", _local_identity(w, customer).pk)}
    param, value = subject[INPUTS[name].on]
    try:
        run_action(member=w.member, request=ActionRequest(action=name, params={param: value}, reason="contract: unsupported",
                                                          ticket_url=TICKET, source="contract"))
    except ActionError as exc:
        assert exc.code == "not_supported", f"{name}: refused with {exc.code} ({exc.message}), not not_supported"
        assert w.adapter_cls.display_name in exc.message
    else:
        raise AssertionError(f"{name} is not declared by {w.target.provider} but run_action accepted it")
    assert not ActionAttempt.objects.filter(connection=w.connection).exists()


SCENARIOS = {
    "backfill": (backfill_finds_the_seeded_customers, ()),
    "partial_refund": (partial_refund_moves_the_remaining_amount, (Capability.REFUND, Capability.PARTIAL_REFUND)),
    "duplicate_webhook": (duplicate_webhook_changes_nothing, (Capability.WEBHOOKS,)),
    "bad_signature": (bad_signature_is_rejected, (Capability.WEBHOOKS,)),
    "unsupported_action": (unsupported_action_is_refused, ()),
}
WEBHOOK_SCENARIOS = frozenset({"duplicate_webhook", "bad_signature"})  # these post through Django's test client


def run_scenario(name: str, w: World, client: Client) -> None:
    run, _needs = SCENARIOS[name]
    if name in WEBHOOK_SCENARIOS:
        run(w, client)
    else:
        run(w)
