"""subscription_create / subscription_change / subscription_cancel end to end against the Stripe fake."""

import datetime as dt

import pytest
from django.utils import timezone

from chargeside.actions.base import ActionError
from chargeside.actions.models import ActionAttempt
from chargeside.actions.runner import action_preview, run_action
from chargeside.billing.models import Charge, Customer, Refund, Subscription
from chargeside.workspaces.models import ActionLimit

from actions_world import ask, confirmed, customer_with_card, monthly_price, round_half_down, subscribe


@pytest.fixture
def catalogue(merchant):
    return {"pro": monthly_price(merchant, 2900, "eur", "Pro"), "business": monthly_price(merchant, 4900, "eur", "Business"),
            "dollars": monthly_price(merchant, 2900, "usd", "Pro US")}


@pytest.fixture
def customer(merchant):
    return customer_with_card(merchant, email="ayse@example.com", name="Ayşe Yılmaz")


@pytest.fixture
def ten_days_in(stripe_fake, merchant, sync, catalogue, customer):
    """Ayşe has been on Pro (€29.00 / month) for ten days; the first invoice is paid."""
    subscription = subscribe(stripe_fake, merchant, customer[0], catalogue["pro"], days_ago=10)
    sync()
    return subscription


def _row(remote_id):
    return Subscription.objects.get(remote_id=remote_id)


# --- create -----------------------------------------------------------------------------------------

def test_create_with_trial(agent, merchant, sync, catalogue, customer):
    sync()
    request = confirmed(agent, ask("subscription_create", price=catalogue["pro"], gateway_customer=customer[0], trial_days="14"))
    outcome = run_action(member=agent, request=request)
    assert outcome.ok, outcome.attempt.error_message
    remote = merchant.v1.subscriptions.retrieve(outcome.attempt.result["remote_ids"][0])
    assert (remote.status, remote.customer, remote["items"].data[0].price.id) == ("trialing", customer[0], catalogue["pro"])
    assert remote.trial_end - remote.trial_start == 14 * 86400
    row = _row(remote.id)
    assert (row.status, row.amount, row.currency, row.plan_name, row.gateway_customer.remote_id) == ("trialing", 2900, "EUR", "Pro", customer[0])
    assert run_action(member=agent, request=request).replayed  # the same confirmation again
    assert len(merchant.v1.subscriptions.list({"customer": customer[0]}).data) == 1


def test_create_preview(agent, sync, catalogue, customer):
    sync()
    preview = action_preview(member=agent, request=ask("subscription_create", price=catalogue["pro"], gateway_customer=customer[0], trial_days="14"))
    assert preview.summary == "Start Pro (€29.00 / month) for ayse@example.com through Stripe; first charge after the trial."
    assert preview.lines == (("Plan", "Pro (€29.00 / month)"), ("Trial", "14 days"))


def test_create_with_a_promotion_code_and_payment_method_for_our_customer_id(agent, merchant, sync, catalogue, customer):
    merchant.v1.coupons.create({"id": "QUARTER", "percent_off": 25, "duration": "forever", "name": "25% off"})
    merchant.v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": "QUARTER"}, "code": "SPRING25"})
    sync()
    ours = Customer.objects.get(email="ayse@example.com")
    outcome = run_action(member=agent, request=ask("subscription_create", price=catalogue["pro"], customer=str(ours.pk),
                                                   coupon="spring25", payment_method=customer[1]))
    assert outcome.ok, outcome.attempt.error_message
    remote = merchant.v1.subscriptions.retrieve(outcome.attempt.result["remote_ids"][0], {"expand": ["latest_invoice"]})
    assert (remote.status, remote.default_payment_method) == ("active", customer[1])
    assert remote.latest_invoice.total == 2175  # €29.00 less 25 %
    assert outcome.attempt.params["cleaned"]["coupon"] == "QUARTER"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"trial_days": "0"}, "Trial days must be a whole number from 1 to 730."),
        ({"trial_days": "731"}, "Trial days must be a whole number from 1 to 730."),
        ({"trial_days": "two weeks"}, "Trial days must be a whole number from 1 to 730."),
        ({"payment_method": "pm_nope"}, "Payment method was not found in this workspace."),
    ],
)
def test_create_validation(params, message, agent, stripe_fake, sync, catalogue, customer):
    sync()
    trap = stripe_fake.faults.add(path_prefix="/v1/", status=500, times=None, method="POST")
    with pytest.raises(ActionError) as refused:
        run_action(member=agent, request=ask("subscription_create", price=catalogue["pro"], gateway_customer=customer[0], **params))
    assert refused.value.message == message
    assert trap.hits == 0


def test_create_refuses_one_time_and_archived_prices(agent, merchant, sync, customer):
    product = merchant.v1.products.create({"name": "Setup"})
    once = merchant.v1.prices.create({"product": product.id, "unit_amount": 5000, "currency": "eur"}).id
    archived = merchant.v1.prices.create({"product": product.id, "unit_amount": 900, "currency": "eur", "recurring": {"interval": "month"}}).id
    merchant.v1.prices.update(archived, {"active": False})
    sync()
    with pytest.raises(ActionError, match=f"^Price {once} is a one-time price, not a recurring one.$"):
        run_action(member=agent, request=ask("subscription_create", price=once, gateway_customer=customer[0]))
    with pytest.raises(ActionError, match=f"^Price {archived} is archived and cannot be used for new subscriptions.$"):
        run_action(member=agent, request=ask("subscription_create", price=archived, gateway_customer=customer[0]))


def test_a_payment_method_of_someone_else_is_refused(agent, merchant, sync, catalogue, customer):
    _, other_card = customer_with_card(merchant, email="mehmet@example.com")
    sync()
    with pytest.raises(ActionError, match="^That payment method belongs to someone else.$"):
        run_action(member=agent, request=ask("subscription_create", price=catalogue["pro"], gateway_customer=customer[0], payment_method=other_card))


def test_finance_cannot_create_subscriptions(finance, sync, catalogue, customer):
    from chargeside.actions.base import Forbidden

    sync()
    with pytest.raises(Forbidden):
        run_action(member=finance, request=ask("subscription_create", price=catalogue["pro"], gateway_customer=customer[0]))


# --- change plan ------------------------------------------------------------------------------------

def test_change_preview_shows_the_gateways_proration_and_the_same_happens(agent, merchant, stripe_fake, catalogue, customer, ten_days_in):
    row = _row(ten_days_in)
    start, end = int(row.current_period_start.timestamp()), int(row.current_period_end.timestamp())
    preview = action_preview(member=agent, request=ask("subscription_change", subscription=ten_days_in, price=catalogue["business"]))
    proration_date = preview.confirm_params["proration_date"]
    fraction = (end - proration_date) / (end - start)  # the fake prorates as Stripe does: by the second
    credit, debit = -round(2900 * fraction), round(4900 * fraction)
    assert preview.amount.amount == 4900 + credit + debit
    assert dict(preview.lines)["Proration"] == _eur(credit + debit)
    assert dict(preview.lines)["Next invoice"].startswith(_eur(4900 + credit + debit))

    outcome = run_action(member=agent, request=confirmed(agent, ask("subscription_change", subscription=ten_days_in,
                                                                    price=catalogue["business"], proration_date=proration_date)))

    assert outcome.ok, outcome.attempt.error_message
    remote = merchant.v1.subscriptions.retrieve(ten_days_in)
    assert remote["items"].data[0].price.id == catalogue["business"]
    pending = merchant.v1.invoice_items.list({"customer": customer[0], "pending": True}).data
    assert sorted(item.amount for item in pending) == sorted([credit, debit])
    assert _row(ten_days_in).price_remote_id == catalogue["business"]
    upcoming = merchant.v1.invoices.create_preview({"subscription": ten_days_in})
    assert upcoming.amount_due == preview.amount.amount


def _eur(minor: int) -> str:
    from chargeside.core.formatting import money

    return money(minor, "EUR")


def test_change_confirmed_from_two_previews_is_one_attempt_priced_as_first_previewed(agent, merchant, stripe_fake, catalogue, customer, ten_days_in):
    # Two tabs previewed the change a few seconds apart. The first confirmation hits a Stripe outage; the
    # second is the same attempt (the proration date is not part of the key) and runs it as first previewed.
    now = int(timezone.now().timestamp())
    first = confirmed(agent, ask("subscription_change", subscription=ten_days_in, price=catalogue["business"], proration_date=str(now - 5)))
    second = confirmed(agent, ask("subscription_change", subscription=ten_days_in, price=catalogue["business"], proration_date=str(now)))
    stripe_fake.faults.add(path_prefix=f"/v1/subscriptions/{ten_days_in}", status=503, times=1, method="POST")

    failed = run_action(member=agent, request=first).attempt
    done = run_action(member=agent, request=second).attempt

    assert (failed.status, done.pk, done.status, done.calls) == ("failed", failed.pk, "succeeded", 2)
    assert done.params["cleaned"]["proration_date"] == now - 5
    row = _row(ten_days_in)
    start, end = int(row.current_period_start.timestamp()), int(row.current_period_end.timestamp())
    fraction = (end - (now - 5)) / (end - start)
    pending = merchant.v1.invoice_items.list({"customer": customer[0], "pending": True}).data
    assert sorted(item.amount for item in pending) == sorted([-round(2900 * fraction), round(4900 * fraction)])


def test_a_later_confirmation_after_the_change_is_refused_not_repeated(agent, merchant, catalogue, customer, ten_days_in):
    now = int(timezone.now().timestamp())
    first = confirmed(agent, ask("subscription_change", subscription=ten_days_in, price=catalogue["business"], proration_date=str(now - 5)))
    second = confirmed(agent, ask("subscription_change", subscription=ten_days_in, price=catalogue["business"], proration_date=str(now)))
    assert run_action(member=agent, request=first).ok
    assert run_action(member=agent, request=first).replayed  # a double click on the same confirmation
    with pytest.raises(ActionError, match="^The subscription is already on this price.$"):
        run_action(member=agent, request=second)
    assert len(merchant.v1.invoice_items.list({"customer": customer[0], "pending": True}).data) == 2


@pytest.mark.parametrize(
    ("price_key", "extra", "message"),
    [
        ("pro", {}, "The subscription is already on this price."),
        ("dollars", {}, "This subscription is billed in EUR; choose a EUR price."),
        ("business", {"proration_date": "stale"}, "This preview is out of date; preview the action again."),
        ("business", {"proration_date": "future"}, "proration_date is in the future."),
        ("business", {"proration_date": "soon"}, "proration_date must be a Unix timestamp in seconds."),
    ],
)
def test_change_validation(price_key, extra, message, agent, stripe_fake, catalogue, ten_days_in):
    now = int(timezone.now().timestamp())
    instants = {"stale": str(now - 31 * 60), "future": str(now + 3600), "soon": "soon"}
    params = {key: instants[value] for key, value in extra.items()}
    trap = stripe_fake.faults.add(path_prefix="/v1/", status=500, times=None, method="POST")
    with pytest.raises(ActionError) as refused:
        run_action(member=agent, request=ask("subscription_change", subscription=ten_days_in, price=catalogue[price_key], **params))
    assert refused.value.message == message
    assert trap.hits == 0


# --- cancel -----------------------------------------------------------------------------------------

def test_cancel_at_period_end(agent, merchant, ten_days_in):
    preview = action_preview(member=agent, request=ask("subscription_cancel", subscription=ten_days_in, when="period_end"))
    assert preview.summary.startswith("Cancel Pro at the end of the current period (")
    outcome = run_action(member=agent, request=ask("subscription_cancel", subscription=ten_days_in, when="period_end", reason="moving abroad"))
    assert outcome.ok
    remote = merchant.v1.subscriptions.retrieve(ten_days_in)
    assert (remote.status, remote.cancel_at_period_end) == ("active", True)
    assert (_row(ten_days_in).cancel_at_period_end, outcome.attempt.amount) == (True, None)
    with pytest.raises(ActionError, match="already set to cancel at the end of its period"):
        run_action(member=agent, request=ask("subscription_cancel", subscription=ten_days_in, when="period_end"))


def test_cancel_now_without_refund(agent, merchant, ten_days_in):
    assert run_action(member=agent, request=ask("subscription_cancel", subscription=ten_days_in, when="now")).ok
    assert merchant.v1.subscriptions.retrieve(ten_days_in).status == "canceled"
    assert _row(ten_days_in).status == "canceled"
    assert Refund.objects.count() == 0
    with pytest.raises(ActionError, match="^This subscription is already canceled.$"):
        run_action(member=agent, request=ask("subscription_cancel", subscription=ten_days_in, when="now"))


def test_cancel_now_refunds_the_unused_time_that_was_previewed(agent, merchant, ten_days_in):
    row = _row(ten_days_in)
    request = ask("subscription_cancel", subscription=ten_days_in, when="now", refund_unused="on")
    preview = action_preview(member=agent, request=request)
    as_of = preview.confirm_params["as_of"]
    start, end = int(row.current_period_start.timestamp()), int(row.current_period_end.timestamp())
    expected = round_half_down(2900 * (end - as_of), end - start)
    assert preview.amount.amount == expected
    assert preview.summary.startswith(f"Cancel Pro now and refund {_eur(expected)} of unused time to charge ch_")

    outcome = run_action(member=agent, request=confirmed(agent, request))

    assert outcome.ok, outcome.attempt.error_message
    assert (outcome.attempt.amount, outcome.attempt.currency) == (expected, "EUR")
    refunded = outcome.attempt.params["cleaned"]["refund"]["charge"]
    assert [r.amount for r in merchant.v1.refunds.list({"charge": refunded}).data] == [expected]
    assert merchant.v1.subscriptions.retrieve(ten_days_in).status == "canceled"
    assert _row(ten_days_in).status == "canceled"
    assert Charge.objects.get(remote_id=refunded).amount_refunded == expected


def test_cancel_with_refund_counts_against_limits(workspace, agent, merchant, ten_days_in):
    ActionLimit.objects.create(workspace=workspace, role="agent", currency="EUR", per_action=500)
    attempt = run_action(member=agent, request=ask("subscription_cancel", subscription=ten_days_in, when="now", refund_unused="1")).attempt
    assert attempt.status == "awaiting_approval"
    assert merchant.v1.subscriptions.retrieve(ten_days_in).status == "active"


def test_refused_refund_leaves_the_subscription_running(agent, merchant, stripe_fake, ten_days_in):
    stripe_fake.faults.add(path_prefix="/v1/refunds", status=400, times=1, method="POST")
    attempt = run_action(member=agent, request=ask("subscription_cancel", subscription=ten_days_in, when="now", refund_unused="1")).attempt
    assert (attempt.status, attempt.error_retryable) == ("failed", False)
    assert merchant.v1.subscriptions.retrieve(ten_days_in).status == "active"


def test_cancel_failing_after_the_refund_is_retried_without_a_second_refund(agent, merchant, stripe_fake, ten_days_in):
    stripe_fake.faults.add(path_prefix=f"/v1/subscriptions/{ten_days_in}", status=503, times=1, method="DELETE")
    request = confirmed(agent, ask("subscription_cancel", subscription=ten_days_in, when="now", refund_unused="1"))

    failed = run_action(member=agent, request=request).attempt
    assert (failed.status, failed.error_retryable) == ("failed", True)
    assert failed.error_message == "The refund went through but cancelling failed: Stripe had an internal error (HTTP 503); try again shortly."

    retried = run_action(member=agent, request=request).attempt
    assert (retried.pk, retried.status, retried.calls) == (failed.pk, "succeeded", 2)
    charge = failed.params["cleaned"]["refund"]["charge"]
    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge}).data] == [failed.amount]
    assert merchant.v1.subscriptions.retrieve(ten_days_in).status == "canceled"


def test_refund_of_unused_time_needs_a_paid_invoice(agent, stripe_fake, merchant, sync, catalogue, customer):
    trialing = subscribe(stripe_fake, merchant, customer[0], catalogue["pro"], trial_period_days=30)
    sync()
    with pytest.raises(ActionError, match="^No paid invoice was found for the current period, so there is no unused time to refund.$"):
        run_action(member=agent, request=ask("subscription_cancel", subscription=trialing, when="now", refund_unused="1"))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "Choose when to cancel: now or at the end of the period."),
        ({"when": "tomorrow"}, "Choose when to cancel: now or at the end of the period."),
        ({"when": "period_end", "refund_unused": "1"}, "Unused time can only be refunded when cancelling now."),
    ],
)
def test_cancel_validation(params, message, agent, ten_days_in):
    with pytest.raises(ActionError) as refused:
        run_action(member=agent, request=ask("subscription_cancel", subscription=ten_days_in, **params))
    assert refused.value.message == message


def test_cancel_needs_a_reason(agent, merchant, ten_days_in):
    with pytest.raises(ActionError) as refused:
        run_action(member=agent, request=ask("subscription_cancel", subscription=ten_days_in, when="period_end", reason=""))
    assert refused.value.field == "reason"
    assert ActionAttempt.objects.count() == 0
    assert merchant.v1.subscriptions.retrieve(ten_days_in).cancel_at_period_end is False


def test_viewer_cannot_cancel(viewer, ten_days_in):
    from chargeside.actions.base import Forbidden

    with pytest.raises(Forbidden):
        run_action(member=viewer, request=ask("subscription_cancel", subscription=ten_days_in, when="now"))


def test_period_bounds_are_what_the_fake_set(ten_days_in):
    row = _row(ten_days_in)
    assert timezone.now() - row.current_period_start >= dt.timedelta(days=10)
