"""run_action on a provider that takes no idempotency key: before an attempt that already called the gateway
calls it again (a retryable failure, or an attempt abandoned in flight), it asks the adapter's find_write
whether the earlier call went through, and records that instead of moving money a second time.

The provider is the fake Stripe behind an adapter that behaves like a gateway without idempotency keys: it
sends a fresh key on every call (so the fake cannot de-duplicate) and finds its earlier refunds by the
attempt key the refund action stamps in their metadata, as a real adapter of such a provider does. It is
registered the way a plug-in's entry point would be, for the duration of each test."""

import datetime as dt
from dataclasses import replace
import threading
import uuid

import pytest
from django.db import connections
from django.utils import timezone

from chargeside.actions.models import ActionAttempt, AuditEvent
from chargeside.actions.runner import ABANDONED_AFTER, run_action
from chargeside.billing.models import Charge, Refund
from chargeside.gateways import registry
from chargeside.gateways.stripe import mapping
from chargeside.gateways.stripe.adapter import StripeAdapter
from chargeside.gateways.types import Capability, ResourceKind
from chargeside.workspaces.models import Member

from actions_world import ask, customer_with_card, paid_charge, refunds_at_gateway, sync_connection

KEYLESS = "stripe_keyless"


class KeylessStripeAdapter(StripeAdapter):
    key = KEYLESS
    display_name = "Keyless Stripe"
    capabilities = frozenset(Capability) - {Capability.IDEMPOTENCY_KEYS}
    checks: list = []  # every find_write call, for the assertions (cleared per test)

    def refund(self, *, idempotency_key, **kwargs):
        # Like a provider without idempotency keys: a repeated call is a second refund.
        return super().refund(idempotency_key=f"fresh-{uuid.uuid4().hex}", **kwargs)

    def find_write(self, *, action, target_remote_id, idempotency_key):
        type(self).checks.append((action, target_remote_id, idempotency_key))
        if action != "refund":
            return None
        listed = self.client.call(self.v1.refunds.list, params={"charge": target_remote_id, "limit": 100})
        mine = [mapping.refund(r) for r in listed["data"] if (r.get("metadata") or {}).get("chargeside_attempt") == idempotency_key]
        return [*mine, self.fetch(ResourceKind.CHARGE, target_remote_id)] if mine else None


@pytest.fixture
def keyless(monkeypatch):
    monkeypatch.setitem(registry.BUILTIN, KEYLESS, f"{__name__}:KeylessStripeAdapter")
    registry.adapters.cache_clear()
    KeylessStripeAdapter.checks.clear()
    yield KeylessStripeAdapter
    registry.adapters.cache_clear()


@pytest.fixture
def connection(keyless, workspace, stripe_fake):
    from chargeside.connections.models import Connection

    row = Connection(workspace=workspace, provider=KEYLESS, name="Keyless", settings={"base_url": stripe_fake.base_url})
    row.set_credentials({"secret_key": "sk_test_chargeside", "webhook_secret": "whsec_test_chargeside"})
    row.save()
    return row


@pytest.fixture
def charge(merchant, connection):
    customer, pm = customer_with_card(merchant)
    charge_id = paid_charge(merchant, customer, pm, amount=5000, currency="eur")
    sync_connection(connection)
    return charge_id



def refund_of(charge):
    return ask("refund", charge=charge, amount="20.00")


def _events(attempt) -> list[str]:
    return list(AuditEvent.objects.filter(attempt=attempt).order_by("seq").values_list("event", flat=True))


def test_the_first_call_asks_nothing(agent, charge, merchant, keyless):
    outcome = run_action(member=agent, request=refund_of(charge))
    assert (outcome.ok, outcome.attempt.calls, keyless.checks) == (True, 1, [])
    assert refunds_at_gateway(merchant, charge) == [2000]


def test_a_retry_after_a_lost_answer_records_the_earlier_refund_instead_of_refunding_again(agent, charge, merchant, stripe_fake, keyless):
    # The refund is made, then the answer is lost (HTTP 503 after the fact): the outcome is unknown to us.
    stripe_fake.faults.add(path_prefix="/v1/refunds", status=503, method="POST", when="after")
    failed = run_action(member=agent, request=refund_of(charge)).attempt
    assert (failed.status, failed.error_retryable) == ("failed", True)
    assert refunds_at_gateway(merchant, charge) == [2000]

    retried = run_action(member=agent, request=refund_of(charge))

    attempt = retried.attempt
    assert (retried.ok, retried.replayed, attempt.pk, attempt.calls) == (True, False, failed.pk, 1)
    assert refunds_at_gateway(merchant, charge) == [2000]
    assert keyless.checks == [("refund", charge, attempt.gateway_idempotency_key)]
    assert _events(attempt) == ["requested", "failed", "succeeded"]
    assert AuditEvent.objects.get(attempt=attempt, event="succeeded").detail["found_at_gateway"] is True
    assert (attempt.error_code, attempt.error_message, len(attempt.result["remote_ids"])) == ("", "", 2)
    # Upserted from what find_write returned, as a normal success would be.
    assert list(Refund.objects.values_list("amount", flat=True)) == [2000]
    assert Charge.objects.get(remote_id=charge).amount_refunded == 2000


def test_a_retry_after_a_failure_before_the_gateway_acted_calls_it_once_more(agent, charge, merchant, stripe_fake, keyless):
    stripe_fake.faults.add(path_prefix="/v1/refunds", status=503, method="POST", when="before")
    failed = run_action(member=agent, request=refund_of(charge)).attempt
    assert refunds_at_gateway(merchant, charge) == []

    retried = run_action(member=agent, request=refund_of(charge))

    assert (retried.ok, retried.attempt.pk, retried.attempt.calls) == (True, failed.pk, 2)
    assert len(keyless.checks) == 1
    assert refunds_at_gateway(merchant, charge) == [2000]
    assert "found_at_gateway" not in AuditEvent.objects.get(attempt=failed, event="succeeded").detail


def test_an_attempt_abandoned_in_flight_is_resumed_from_what_the_gateway_did(agent, charge, merchant, stripe_fake, keyless):
    # The refund went through and the process died before recording it: the row is left in flight.
    stripe_fake.faults.add(path_prefix="/v1/refunds", method="POST", when="after", drop=True)
    attempt = run_action(member=agent, request=refund_of(charge)).attempt
    ActionAttempt.objects.filter(pk=attempt.pk).update(
        status=ActionAttempt.Status.IN_FLIGHT, error_code="", error_message="", error_retryable=False, completed_at=None,
        last_call_at=timezone.now() - ABANDONED_AFTER - dt.timedelta(minutes=1))
    assert refunds_at_gateway(merchant, charge) == [2000]

    resumed = run_action(member=agent, request=refund_of(charge))

    assert (resumed.ok, resumed.attempt.pk, resumed.attempt.calls) == (True, attempt.pk, 1)
    assert refunds_at_gateway(merchant, charge) == [2000]
    assert len(keyless.checks) == 1


def test_an_attempt_still_in_flight_is_not_checked_or_repeated(agent, charge, merchant, keyless):
    # Another process is making the call right now (its last call started moments ago): answer "in flight".
    request = replace(refund_of(charge), idempotency_key="client-key-busy")
    attempt = run_action(member=agent, request=request).attempt
    ActionAttempt.objects.filter(pk=attempt.pk).update(status=ActionAttempt.Status.IN_FLIGHT, last_call_at=timezone.now())
    again = run_action(member=agent, request=request)
    assert (again.replayed, again.status, keyless.checks) == (True, "in_flight", [])
    assert refunds_at_gateway(merchant, charge) == [2000]


def test_when_the_check_fails_nothing_is_written_and_the_attempt_stays_retryable(agent, charge, merchant, stripe_fake, keyless):
    stripe_fake.faults.add(path_prefix="/v1/refunds", status=503, method="POST", when="after")
    attempt = run_action(member=agent, request=refund_of(charge)).attempt
    stripe_fake.faults.add(path_prefix="/v1/refunds", status=503, method="GET")  # the gateway is down for the check too

    unchecked = run_action(member=agent, request=refund_of(charge)).attempt

    assert (unchecked.pk, unchecked.status, unchecked.error_retryable, unchecked.calls) == (attempt.pk, "failed", True, 1)
    assert refunds_at_gateway(merchant, charge) == [2000]
    assert _events(unchecked) == ["requested", "failed", "failed"]

    settled = run_action(member=agent, request=refund_of(charge))
    assert (settled.ok, settled.attempt.calls) == (True, 1)
    assert refunds_at_gateway(merchant, charge) == [2000]


def _at_once(member_pk: int, request, workers: int = 20) -> list:
    """`workers` threads, each with its own database connection, send `request` at the same instant."""
    barrier = threading.Barrier(workers)
    outcomes, errors = [], []

    def click():
        try:
            member = Member.objects.select_related("workspace", "user").get(pk=member_pk)
            barrier.wait()
            outcomes.append(run_action(member=member, request=request))
        except Exception as exc:  # noqa: BLE001 — collected and asserted: a thread must not fail silently
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(outcomes) == workers
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_requests_are_one_attempt_and_one_refund(audit_flushable, agent, charge, merchant):
    outcomes = _at_once(agent.pk, refund_of(charge))
    attempt = ActionAttempt.objects.get()
    assert {outcome.attempt.pk for outcome in outcomes} == {attempt.pk}
    assert (attempt.status, attempt.calls) == ("succeeded", 1)
    assert refunds_at_gateway(merchant, charge) == [2000]


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_after_a_lost_answer_check_once_and_refund_once(audit_flushable, agent, charge, merchant, stripe_fake, keyless):
    stripe_fake.faults.add(path_prefix="/v1/refunds", status=503, method="POST", when="after")
    failed = run_action(member=agent, request=refund_of(charge)).attempt
    assert failed.status == "failed"

    outcomes = _at_once(agent.pk, refund_of(charge))

    attempt = ActionAttempt.objects.get()
    assert {outcome.attempt.pk for outcome in outcomes} == {attempt.pk}
    assert [outcome.replayed for outcome in outcomes].count(False) == 1  # one thread won the retry
    assert (attempt.status, attempt.calls) == ("succeeded", 1)
    assert len(keyless.checks) == 1
    assert refunds_at_gateway(merchant, charge) == [2000]
