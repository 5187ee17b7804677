"""Refunds end to end against the Stripe fake: amounts, currencies, states, tenancy and roles."""

import pytest

from chargeside.actions.base import ActionError, Forbidden, NotFoundError
from chargeside.actions.models import ActionAttempt, AuditEvent
from chargeside.actions.runner import action_preview, run_action
from chargeside.billing.models import Charge, Refund
from chargeside.connections.models import Connection

from actions_world import ask, customer_with_card, paid_charge, refunds_at_gateway, sync_connection


@pytest.fixture
def charge(merchant, sync):
    customer, pm = customer_with_card(merchant)
    charge_id = paid_charge(merchant, customer, pm, amount=5000, currency="eur")
    sync()
    return charge_id


def _charge(remote_id):
    return Charge.objects.get(remote_id=remote_id)


def test_full_refund(agent, merchant, charge):
    outcome = run_action(member=agent, request=ask("refund", charge=charge))
    assert (outcome.ok, outcome.replayed) == (True, False)
    assert refunds_at_gateway(merchant, charge) == [5000]
    row = _charge(charge)
    assert (row.amount_refunded, row.status, row.refundable) == (5000, "refunded", 0)
    assert list(Refund.objects.filter(charge=row).values_list("amount", "currency", "status")) == [(5000, "EUR", "succeeded")]
    attempt = outcome.attempt
    assert (attempt.amount, attempt.currency, attempt.reason, attempt.calls) == (5000, "EUR", "customer asked", 1)
    assert list(AuditEvent.objects.filter(attempt=attempt).order_by("seq").values_list("event", "outcome")) == [
        ("requested", "pending"), ("succeeded", "succeeded")]


def test_partial_refunds_up_to_what_remains_then_over_refund_is_refused(agent, merchant, charge):
    for amount in ("12.00", "18.00", "20.00"):
        assert run_action(member=agent, request=ask("refund", charge=charge, amount=amount)).ok
    assert sorted(refunds_at_gateway(merchant, charge)) == [1200, 1800, 2000]
    assert (_charge(charge).amount_refunded, _charge(charge).status) == (5000, "refunded")
    with pytest.raises(ActionError, match=r"^This charge cannot be refunded \(it is refunded\)\.$"):
        run_action(member=agent, request=ask("refund", charge=charge, amount="0.01"))


def test_refund_over_the_remaining_amount_is_refused_locally(agent, merchant, charge):
    run_action(member=agent, request=ask("refund", charge=charge, amount="12.00"))
    with pytest.raises(ActionError) as refused:
        run_action(member=agent, request=ask("refund", charge=charge, amount="38.01"))
    assert (refused.value.message, refused.value.code, refused.value.field) == (
        "Only €38.00 of this charge can still be refunded.", "over_refund", "amount")
    assert refunds_at_gateway(merchant, charge) == [1200]
    assert ActionAttempt.objects.count() == 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"amount": "0"}, "The amount must be greater than zero."),
        ({"amount": "-5"}, "The amount must be greater than zero."),
        ({"amount_minor": -500}, "The amount must be greater than zero."),
        ({"amount": "abc"}, "'abc' is not a number."),
        ({"amount_minor": "12.5"}, "amount_minor must be a whole number of minor units."),
        ({"amount": "10.005"}, "EUR amounts have at most 2 decimal places."),
        ({"amount": "10", "currency": "USD"}, "This is a EUR payment; the amount must be in EUR."),
        ({"amount": "10", "currency": "EURO"}, "'EURO' is not an ISO 4217 currency code."),
    ],
)
def test_bad_amounts_are_refused_before_the_gateway(params, message, agent, merchant, stripe_fake, charge):
    trap = stripe_fake.faults.add(path_prefix="/v1/", status=500, times=None, method="POST")
    with pytest.raises(ActionError) as refused:
        run_action(member=agent, request=ask("refund", charge=charge, **params))
    assert refused.value.message == message
    assert trap.hits == 0
    assert ActionAttempt.objects.count() == 0


def test_three_decimal_currency(agent, merchant, sync):
    customer, pm = customer_with_card(merchant)
    charge = paid_charge(merchant, customer, pm, amount=12345, currency="kwd")  # 12.345 KWD
    sync()
    with pytest.raises(ActionError, match="KWD amounts have at most 3 decimal places."):
        run_action(member=agent, request=ask("refund", charge=charge, amount="1.2345"))
    assert run_action(member=agent, request=ask("refund", charge=charge, amount="1.234")).ok
    assert refunds_at_gateway(merchant, charge) == [1234]
    preview = action_preview(member=agent, request=ask("refund", charge=charge, amount="11.111"))
    label, remaining = preview.lines[-1]
    assert (label, remaining) == ("Remaining after", "KWD\u00a00.000")  # three decimals


def test_zero_decimal_currency(agent, merchant, sync):
    customer, pm = customer_with_card(merchant)
    charge = paid_charge(merchant, customer, pm, amount=5000, currency="jpy")  # ¥5,000
    sync()
    with pytest.raises(ActionError, match="JPY amounts have at most 0 decimal places."):
        run_action(member=agent, request=ask("refund", charge=charge, amount="500.5"))
    assert run_action(member=agent, request=ask("refund", charge=charge, amount="500")).ok
    assert refunds_at_gateway(merchant, charge) == [500]
    assert _charge(charge).amount_refunded == 500


def test_refund_of_a_failed_charge_is_refused(agent, stripe_fake, merchant, sync):
    customer, _ = customer_with_card(merchant)
    failed = stripe_fake.control.charge(customer, 5000, "eur", decline="insufficient_funds")
    sync()
    assert _charge(failed["id"]).status == "failed"
    with pytest.raises(ActionError, match=r"^This charge cannot be refunded \(it is failed\)\.$"):
        run_action(member=agent, request=ask("refund", charge=failed["id"]))
    assert refunds_at_gateway(merchant, failed["id"]) == []


def test_foreign_workspace_charge_is_not_found_and_nothing_moves(agent, merchant, stripe_fake, other_workspace, charge):
    # The other workspace's own connection (to the same fake account) holds a charge we must not touch.
    foreign_connection = Connection(workspace=other_workspace, provider="stripe", name="Stripe", settings={"base_url": stripe_fake.base_url})
    foreign_connection.set_credentials({"secret_key": "sk_test_other"})
    foreign_connection.save()
    customer, pm = customer_with_card(merchant, email="globex@example.com")
    foreign = paid_charge(merchant, customer, pm, amount=7000)
    sync_connection(foreign_connection)
    Charge.objects.filter(connection__workspace=agent.workspace, remote_id=foreign).delete()  # only theirs has it
    foreign_row = Charge.objects.get(connection=foreign_connection, remote_id=foreign)
    for ref in (foreign, str(foreign_row.pk)):
        with pytest.raises(NotFoundError) as refused:
            run_action(member=agent, request=ask("refund", charge=ref))
        assert (refused.value.status, refused.value.message) == (404, "Charge was not found in this workspace.")
    assert refunds_at_gateway(merchant, foreign) == []
    assert ActionAttempt.objects.count() == 0


@pytest.mark.parametrize(("role", "allowed"), [("owner", True), ("admin", True), ("finance", True), ("agent", True), ("viewer", False)])
def test_roles(role, allowed, workspace, make_member, merchant, charge):
    member = make_member(workspace, role)
    if allowed:
        assert run_action(member=member, request=ask("refund", charge=charge, amount="1.00")).ok
        assert refunds_at_gateway(merchant, charge) == [100]
    else:
        with pytest.raises(Forbidden):
            run_action(member=member, request=ask("refund", charge=charge, amount="1.00"))
        with pytest.raises(Forbidden):
            action_preview(member=member, request=ask("refund", charge=charge, amount="1.00"))
        assert refunds_at_gateway(merchant, charge) == []


def test_inactive_member_is_refused(agent, merchant, charge):
    agent.is_active = False
    agent.save()
    with pytest.raises(Forbidden):
        run_action(member=agent, request=ask("refund", charge=charge))


@pytest.mark.parametrize("reason", ["", "   "])
def test_reason_is_required(reason, agent, merchant, charge):
    with pytest.raises(ActionError) as refused:
        run_action(member=agent, request=ask("refund", reason=reason, charge=charge))
    assert (refused.value.field, refused.value.message) == ("reason", "Give a reason: it is recorded in the audit trail.")
    assert refunds_at_gateway(merchant, charge) == []


def test_preview_shows_the_refund_without_moving_money(agent, merchant, charge):
    preview = action_preview(member=agent, request=ask("refund", charge=charge, amount="12.50"))
    assert preview.summary == f"Refund €12.50 (partial) of charge {charge} through Stripe."
    assert preview.lines == (("Charged", "€50.00"), ("Already refunded", "€0.00"), ("This refund", "€12.50"), ("Remaining after", "€37.50"))
    assert refunds_at_gateway(merchant, charge) == []


def test_preview_in_turkish_formats_money_the_turkish_way(agent, merchant, charge):
    preview = action_preview(member=agent, request=ask("refund", charge=charge, amount="12.50"), language="tr")
    assert preview.lines[2] == ("This refund", "€12,50")


@pytest.mark.parametrize("ref", ["99999999999999999999999", "0", "ch_" + "x" * 300, "' OR 1=1 --"])
def test_odd_charge_references_are_simply_not_found(ref, agent, charge):
    with pytest.raises(NotFoundError):
        run_action(member=agent, request=ask("refund", charge=ref))


def test_unknown_action_is_a_clear_error(agent):
    with pytest.raises(ActionError) as refused:
        run_action(member=agent, request=ask("refund_everything"))
    assert (refused.value.code, refused.value.message) == ("unknown_action", "Unknown action 'refund_everything'.")


def test_a_charge_is_named_by_our_id_its_remote_id_or_provider_and_remote_id(agent, merchant, charge):
    # "<provider>:<remote id>" is how an all-digit remote id (a WooCommerce order) is told from our own id
    for ref in (str(_charge(charge).pk), charge, f"stripe:{charge}"):
        preview = action_preview(member=agent, request=ask("refund", charge=ref, amount="1.00"))
        assert preview.amount.amount == 100, ref
    with pytest.raises(NotFoundError):
        action_preview(member=agent, request=ask("refund", charge=f"paypal:{charge}", amount="1.00"))
