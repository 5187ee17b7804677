"""Idempotency: a repeated or concurrent identical request is one attempt and one gateway refund."""

import threading

import pytest
from django.db import connections

from chargeside.actions.models import ActionAttempt
from chargeside.actions.runner import run_action
from chargeside.workspaces.models import Member

from actions_world import ask, confirmed, customer_with_card, paid_charge, refunds_at_gateway


@pytest.fixture
def charge(merchant, sync):
    customer, pm = customer_with_card(merchant)
    charge_id = paid_charge(merchant, customer, pm, amount=5000, currency="eur")
    sync()
    return charge_id


def test_two_identical_requests_make_one_refund(agent, merchant, charge):
    # Both clicks come from the same confirmation: the first already changed the charge when the second lands.
    request = confirmed(agent, ask("refund", charge=charge, amount="20.00"))
    first = run_action(member=agent, request=request)
    second = run_action(member=agent, request=request)
    assert (first.replayed, second.replayed) == (False, True)
    assert second.attempt.pk == first.attempt.pk
    assert second.ok
    assert refunds_at_gateway(merchant, charge) == [2000]
    assert ActionAttempt.objects.count() == 1


def test_a_deliberate_second_partial_refund_is_a_new_refund(agent, merchant, charge):
    # A new preview shows "already refunded €20.00": confirming it again is a new intention.
    request = confirmed(agent, ask("refund", charge=charge, amount="20.00"))
    first = run_action(member=agent, request=request)
    second = run_action(member=agent, request=request)  # double click on the first confirmation
    third = run_action(member=agent, request=confirmed(agent, ask("refund", charge=charge, amount="20.00")))
    assert (first.replayed, second.replayed, third.replayed) == (False, True, False)
    assert third.attempt.pk != first.attempt.pk
    assert sorted(refunds_at_gateway(merchant, charge)) == [2000, 2000]
    assert third.attempt.gateway_idempotency_key != first.attempt.gateway_idempotency_key


def test_without_a_preview_the_current_state_decides(agent, merchant, charge):
    # An API client that skips the preview: a repeat after the first refund changed the charge is a new refund
    # (clients that retry blindly send their own idempotency key, below).
    first = run_action(member=agent, request=ask("refund", charge=charge, amount="20.00"))
    second = run_action(member=agent, request=ask("refund", charge=charge, amount="20.00"))
    assert (first.replayed, second.replayed) == (False, False)
    assert sorted(refunds_at_gateway(merchant, charge)) == [2000, 2000]


def test_api_client_key_makes_a_blind_retry_one_refund(agent, merchant, charge):
    from dataclasses import replace

    request = replace(ask("refund", charge=charge, amount="20.00"), idempotency_key="client-key-7")
    first = run_action(member=agent, request=request)
    second = run_action(member=agent, request=request)
    assert (first.replayed, second.replayed, second.attempt.pk == first.attempt.pk) == (False, True, True)
    assert refunds_at_gateway(merchant, charge) == [2000]


def test_api_client_key_reused_for_another_request_is_a_conflict(agent, merchant, charge):
    from dataclasses import replace

    from chargeside.actions.base import Conflict

    request = replace(ask("refund", charge=charge, amount="10.00"), idempotency_key="client-key-1")
    run_action(member=agent, request=request)
    with pytest.raises(Conflict) as refused:
        run_action(member=agent, request=replace(request, params={"charge": charge, "amount": "11.00"}))
    assert refused.value.status == 409
    assert refunds_at_gateway(merchant, charge) == [1000]


def _fifty_at_once(member_pk, request):
    """50 threads (each with its own database connection) send `request` at the same instant."""
    workers, barrier = 50, threading.Barrier(50)
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


def _exactly_one(outcomes, merchant, charge):
    assert refunds_at_gateway(merchant, charge) == [2000]
    assert ActionAttempt.objects.count() == 1
    attempt = ActionAttempt.objects.get()
    assert {outcome.attempt.pk for outcome in outcomes} == {attempt.pk}
    assert [outcome.replayed for outcome in outcomes].count(False) == 1
    assert (attempt.status, attempt.calls) == ("succeeded", 1)


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_identical_confirmations_make_one_refund(audit_flushable, agent, merchant, charge):
    # What the console and the panel send when one confirmation is clicked 50 times (or from 50 tabs): some
    # clicks land after the first has already refunded and re-synced the charge, and still find its attempt.
    outcomes = _fifty_at_once(agent.pk, confirmed(agent, ask("refund", charge=charge, amount="20.00")))
    _exactly_one(outcomes, merchant, charge)


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_api_requests_with_one_key_make_one_refund(audit_flushable, agent, merchant, charge):
    from dataclasses import replace

    outcomes = _fifty_at_once(agent.pk, replace(ask("refund", charge=charge, amount="20.00"), idempotency_key="client-key-50"))
    _exactly_one(outcomes, merchant, charge)


def test_the_same_confirmation_after_a_full_refund_is_a_replay_not_an_error(agent, merchant, charge):
    # Validation would now say "cannot be refunded (it is refunded)"; the repeat is answered with the first run.
    request = confirmed(agent, ask("refund", charge=charge))
    first = run_action(member=agent, request=request)
    second = run_action(member=agent, request=request)
    assert (second.replayed, second.ok, second.attempt.pk) == (True, True, first.attempt.pk)
    assert refunds_at_gateway(merchant, charge) == [5000]


def test_an_api_retry_after_a_full_refund_is_a_replay(agent, merchant, charge):
    from dataclasses import replace

    request = replace(ask("refund", charge=charge), idempotency_key="client-key-full")
    first = run_action(member=agent, request=request)
    second = run_action(member=agent, request=request)
    assert (second.replayed, second.attempt.pk) == (True, first.attempt.pk)


def test_a_new_request_after_a_full_refund_is_still_refused(agent, merchant, charge):
    from chargeside.actions.base import ActionError

    run_action(member=agent, request=confirmed(agent, ask("refund", charge=charge)))
    with pytest.raises(ActionError, match="cannot be refunded"):
        run_action(member=agent, request=ask("refund", charge=charge))
