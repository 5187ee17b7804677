"""Gateway failures (the fake's fault injection): audited, retryable, nothing half-applied, no double refund."""

import socket

import pytest

from chargeside.actions.models import ActionAttempt, AuditEvent
from chargeside.actions.runner import run_action
from chargeside.billing.models import Charge, Refund

from actions_world import ask, customer_with_card, paid_charge, refunds_at_gateway


@pytest.fixture
def charge(merchant, sync):
    customer, pm = customer_with_card(merchant)
    charge_id = paid_charge(merchant, customer, pm, amount=5000, currency="eur")
    sync()
    return charge_id


def _nothing_applied_locally(charge):
    row = Charge.objects.get(remote_id=charge)
    assert (row.amount_refunded, row.status) == (0, "succeeded")
    assert Refund.objects.count() == 0


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    ("status", "kind", "message"),
    [
        (500, "Unavailable", "Stripe had an internal error (HTTP 500); try again shortly."),
        (503, "Unavailable", "Stripe had an internal error (HTTP 503); try again shortly."),
        (429, "RateLimited", "Stripe is rate-limiting requests right now; try again in a moment."),
    ],
)
def test_server_errors_fail_retryably_and_a_retry_refunds_once(status, kind, message, agent, merchant, stripe_fake, charge):
    stripe_fake.faults.add(path_prefix="/v1/refunds", status=status, times=1, method="POST")
    request = ask("refund", charge=charge, amount="20.00")

    failed = run_action(member=agent, request=request).attempt

    assert (failed.status, failed.error_retryable, failed.error_message) == ("failed", True, message)
    assert failed.gateway_request_id.startswith("req_")
    entry = AuditEvent.objects.get(attempt=failed, event="failed")
    assert (entry.outcome, entry.detail["kind"], entry.detail["retryable"], entry.detail["request_id"]) == (
        "failed", kind, True, failed.gateway_request_id)
    assert refunds_at_gateway(merchant, charge) == []
    _nothing_applied_locally(charge)

    retried = run_action(member=agent, request=request)

    assert (retried.ok, retried.replayed, retried.attempt.pk, retried.attempt.calls) == (True, False, failed.pk, 2)
    refunds = merchant.v1.refunds.list({"charge": charge}).data
    assert [(r.amount, r.metadata["chargeside_attempt"]) for r in refunds] == [(2000, failed.gateway_idempotency_key)]
    assert ActionAttempt.objects.count() == 1
    assert list(AuditEvent.objects.filter(attempt=failed).order_by("seq").values_list("event", flat=True)) == [
        "requested", "failed", "succeeded"]


def test_connection_refused_fails_retryably_and_the_retry_uses_the_same_key(agent, merchant, stripe_fake, stripe_connection, charge):
    stripe_connection.settings = {"base_url": f"http://127.0.0.1:{_closed_port()}"}
    stripe_connection.save()
    request = ask("refund", charge=charge)

    failed = run_action(member=agent, request=request).attempt

    assert (failed.status, failed.error_retryable, failed.error_code) == ("failed", True, "connection_error")
    assert failed.error_message == "Could not reach Stripe (network error or timeout); nothing is known to have happened."
    assert AuditEvent.objects.get(attempt=failed, event="failed").detail["kind"] == "Unavailable"
    _nothing_applied_locally(charge)

    stripe_connection.settings = {"base_url": stripe_fake.base_url}
    stripe_connection.save()
    retried = run_action(member=agent, request=request).attempt

    assert (retried.pk, retried.status, retried.calls) == (failed.pk, "succeeded", 2)
    assert [r.metadata["chargeside_attempt"] for r in merchant.v1.refunds.list({"charge": charge}).data] == [failed.gateway_idempotency_key]


def test_dropped_connection_is_retryable(agent, merchant, stripe_fake, charge):
    stripe_fake.faults.add(path_prefix="/v1/refunds", times=1, method="POST", drop=True)
    failed = run_action(member=agent, request=ask("refund", charge=charge)).attempt
    assert (failed.status, failed.error_retryable, failed.gateway_request_id) == ("failed", True, "")
    _nothing_applied_locally(charge)


def test_answer_lost_after_the_refund_was_made_is_recovered_without_a_second_refund(agent, merchant, stripe_fake, charge):
    # Stripe made the refund but the answer never arrived: the retry's key makes Stripe replay, not repeat.
    stripe_fake.faults.add(path_prefix="/v1/refunds", status=500, times=1, method="POST", when="after")
    request = ask("refund", charge=charge, amount="20.00")

    failed = run_action(member=agent, request=request).attempt
    assert (failed.status, failed.error_retryable) == ("failed", True)
    assert refunds_at_gateway(merchant, charge) == [2000]  # it did happen at the gateway
    _nothing_applied_locally(charge)  # and we claim nothing until we know

    retried = run_action(member=agent, request=request).attempt

    assert (retried.pk, retried.status, retried.calls) == (failed.pk, "succeeded", 2)
    assert refunds_at_gateway(merchant, charge) == [2000]
    row = Charge.objects.get(remote_id=charge)
    assert (row.amount_refunded, row.status) == (2000, "partially_refunded")


def test_a_refusal_is_final_and_repeating_the_request_does_not_call_again(agent, merchant, stripe_fake, charge):
    fault = stripe_fake.faults.add(path_prefix="/v1/refunds", status=400, times=None, method="POST")
    request = ask("refund", charge=charge)

    first = run_action(member=agent, request=request)
    second = run_action(member=agent, request=request)

    assert (first.attempt.status, first.attempt.error_retryable, first.attempt.error_message) == ("failed", False, "Injected fault")
    assert (second.replayed, second.attempt.pk, second.attempt.calls) == (True, first.attempt.pk, 1)
    assert fault.hits == 1
    _nothing_applied_locally(charge)


def test_a_retry_after_success_is_a_replay_without_a_call(agent, merchant, stripe_fake, charge):
    request = ask("refund", charge=charge, amount="20.00", state_seen="from-one-confirmation")
    first = run_action(member=agent, request=request)
    trap = stripe_fake.faults.add(path_prefix="/v1/", status=500, times=None, method="POST")
    second = run_action(member=agent, request=request)
    assert (second.replayed, second.ok, second.attempt.pk, second.attempt.calls) == (True, True, first.attempt.pk, 1)
    assert trap.hits == 0


def test_an_attempt_abandoned_in_flight_is_resumed_with_the_same_key(agent, merchant, stripe_fake, charge):
    import datetime as dt

    from django.utils import timezone

    # The refund was made, then the process died before recording anything: what it leaves behind is an
    # attempt in flight whose call started minutes ago.
    stripe_fake.faults.add(path_prefix="/v1/refunds", times=1, method="POST", when="after", drop=True)
    request = ask("refund", charge=charge, amount="20.00")
    attempt = run_action(member=agent, request=request).attempt
    ActionAttempt.objects.filter(pk=attempt.pk).update(status="in_flight", last_call_at=timezone.now() - dt.timedelta(minutes=3))

    resumed = run_action(member=agent, request=request)

    assert (resumed.replayed, resumed.attempt.pk, resumed.attempt.status, resumed.attempt.calls) == (False, attempt.pk, "succeeded", 2)
    assert refunds_at_gateway(merchant, charge) == [2000]


def test_an_attempt_in_flight_right_now_is_not_called_twice(agent, merchant, stripe_fake, charge):
    from django.utils import timezone

    request = ask("refund", charge=charge, amount="20.00", state_seen="one-confirmation")
    attempt = run_action(member=agent, request=request).attempt
    ActionAttempt.objects.filter(pk=attempt.pk).update(status="in_flight", last_call_at=timezone.now())
    trap = stripe_fake.faults.add(path_prefix="/v1/", status=500, times=None, method="POST")

    again = run_action(member=agent, request=request)

    assert (again.replayed, again.status, trap.hits) == (True, "in_flight", 0)
