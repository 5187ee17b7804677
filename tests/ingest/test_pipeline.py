"""process_pending against the fake Stripe: dedupe, re-fetch, order independence, deletions, retries."""

import datetime as dt

from django.utils import timezone

from chargeside.billing import models as billing
from chargeside.ingest.models import ProcessedEvent, WebhookDelivery
from chargeside.ingest.pipeline import MAX_ATTEMPTS, drain, process_pending


def _customer(sdk, as_json, email="ayse@example.com", name="Ayşe Yılmaz"):
    return as_json(sdk.v1.customers.create(params={"email": email, "name": name}))


def test_signed_customer_event_is_applied_from_a_fresh_fetch(stripe_connection, sdk, as_json, send_webhook, make_event):
    # given a customer whose event payload is older than the gateway's state
    customer = _customer(sdk, as_json)
    sdk.v1.customers.update(customer["id"], params={"name": "Ayşe Demir"})
    assert send_webhook(stripe_connection, make_event("customer.created", customer, event_id="evt_c1")).status_code == 200
    # when the pending deliveries are processed
    result = process_pending()
    # then the row holds the gateway's current state, not the stale payload
    row = billing.GatewayCustomer.objects.get(connection=stripe_connection, remote_id=customer["id"])
    assert (row.email, row.name, row.workspace_id) == ("ayse@example.com", "Ayşe Demir", stripe_connection.workspace_id)
    assert (result.claimed, result.processed, result.events_applied, result.duplicates) == (1, 1, 1, 0)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.events_applied, delivery.attempts, delivery.error) == ("processed", 1, 1, "")
    assert list(ProcessedEvent.objects.values_list("event_id", "type", "kind", "remote_id")) == [
        ("evt_c1", "customer.created", "customer", customer["id"])]


def test_duplicate_delivery_is_processed_once(stripe_connection, sdk, as_json, send_webhook, make_event):
    customer = _customer(sdk, as_json)
    event = make_event("customer.created", customer, event_id="evt_dup")
    send_webhook(stripe_connection, event)
    process_pending()
    # the provider retries the same event (e.g. our 200 was lost), and in the meantime the name changed
    sdk.v1.customers.update(customer["id"], params={"name": "Changed Later"})
    send_webhook(stripe_connection, event)
    result = process_pending()
    assert (result.processed, result.events_applied, result.duplicates) == (1, 0, 1)
    assert ProcessedEvent.objects.count() == 1
    assert list(WebhookDelivery.objects.order_by("id").values_list("status", "events_applied")) == [("processed", 1), ("processed", 0)]
    # the duplicate changed nothing: no re-fetch happened for it
    assert billing.GatewayCustomer.objects.get().name == "Ayşe Yılmaz"


def test_same_event_twice_in_one_batch_counts_once(stripe_connection, sdk, as_json, send_webhook, make_event):
    customer = _customer(sdk, as_json)
    event = make_event("customer.created", customer, event_id="evt_twice")
    send_webhook(stripe_connection, event)
    send_webhook(stripe_connection, event)
    result = process_pending()
    assert (result.claimed, result.processed, result.events_applied, result.duplicates) == (2, 2, 1, 1)
    assert ProcessedEvent.objects.count() == 1


def test_refund_before_success_ends_refunded(stripe_connection, sdk, as_json, pay, send_webhook, make_event):
    # given a charge that was paid and then fully refunded at the gateway
    customer = _customer(sdk, as_json)
    succeeded = pay(customer["id"], amount=5000)
    sdk.v1.refunds.create(params={"charge": succeeded["id"]})
    refunded = as_json(sdk.v1.charges.retrieve(succeeded["id"]))
    # when charge.refunded arrives (and is processed) before charge.succeeded
    send_webhook(stripe_connection, make_event("charge.refunded", refunded, created=refunded["created"] + 5))
    process_pending()
    send_webhook(stripe_connection, make_event("charge.succeeded", succeeded, created=succeeded["created"]))
    process_pending()
    # then the late, older event did not undo the refund
    charge = billing.Charge.objects.get(connection=stripe_connection, remote_id=succeeded["id"])
    assert (charge.status, charge.amount, charge.amount_refunded, charge.currency) == ("refunded", 5000, 5000, "EUR")


def test_refund_and_success_in_one_batch_end_refunded(stripe_connection, sdk, as_json, pay, send_webhook, make_event):
    customer = _customer(sdk, as_json)
    succeeded = pay(customer["id"], amount=3000)
    sdk.v1.refunds.create(params={"charge": succeeded["id"], "amount": 1000})
    refunded = as_json(sdk.v1.charges.retrieve(succeeded["id"]))
    send_webhook(stripe_connection, make_event("charge.refunded", refunded))
    send_webhook(stripe_connection, make_event("charge.succeeded", succeeded))
    result = process_pending()
    assert (result.processed, result.events_applied) == (2, 2)
    charge = billing.Charge.objects.get(remote_id=succeeded["id"])
    assert (charge.status, charge.amount_refunded) == ("partially_refunded", 1000)


def test_charge_before_its_customer_is_linked_when_the_customer_arrives(stripe_connection, sdk, as_json, pay, send_webhook, make_event):
    customer = _customer(sdk, as_json, email="late@example.com")
    charge = pay(customer["id"], amount=1200)
    send_webhook(stripe_connection, make_event("charge.succeeded", charge))
    process_pending()
    assert billing.Charge.objects.get(remote_id=charge["id"]).gateway_customer_id is None
    send_webhook(stripe_connection, make_event("customer.created", customer))
    process_pending()
    row = billing.Charge.objects.get(remote_id=charge["id"])
    assert row.gateway_customer == billing.GatewayCustomer.objects.get(remote_id=customer["id"])
    assert row.gateway_customer.customer.email == "late@example.com"


def test_deleted_customer_is_marked_deleted(stripe_connection, sdk, as_json, send_webhook, make_event):
    customer = _customer(sdk, as_json)
    send_webhook(stripe_connection, make_event("customer.created", customer))
    process_pending()
    sdk.v1.customers.delete(customer["id"])
    send_webhook(stripe_connection, make_event("customer.deleted", customer))
    process_pending()
    row = billing.GatewayCustomer.objects.get(remote_id=customer["id"])
    assert (row.deleted, row.email) == (True, "ayse@example.com")


def test_unknown_event_next_to_known_ones_is_ignored(stripe_connection, sdk, as_json, send_webhook, make_event):
    customer = _customer(sdk, as_json)
    assert send_webhook(stripe_connection, make_event("customer.created", customer)).json() == {"status": "accepted"}
    assert send_webhook(stripe_connection, make_event("balance.available", {"object": "balance"})).json() == {"status": "ignored"}
    result = process_pending()
    assert (result.claimed, result.processed) == (1, 1)
    assert sorted(WebhookDelivery.objects.values_list("status", flat=True)) == ["ignored", "processed"]


def test_gateway_error_during_refetch_keeps_the_delivery_for_later(stripe_connection, stripe_fake, sdk, as_json, send_webhook, make_event):
    # given the gateway answers 500 to every read of the customer
    customer = _customer(sdk, as_json)
    fault = stripe_fake.faults.add(path_prefix=f"/v1/customers/{customer['id']}", status=500, times=None, method="GET")
    send_webhook(stripe_connection, make_event("customer.created", customer, event_id="evt_retry"))
    now = timezone.now()
    # when processed: nothing applied, the delivery waits with a backoff, the connection shows the error
    result = process_pending(now=now)
    assert (result.claimed, result.processed, result.retrying) == (1, 0, 1)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at == now + dt.timedelta(seconds=30)
    assert delivery.error.startswith("Unavailable (HTTP 500): Stripe had an internal error")
    stripe_connection.refresh_from_db()
    assert stripe_connection.last_error.startswith("Webhook processing: Unavailable (HTTP 500)")
    assert not billing.GatewayCustomer.objects.exists() and not ProcessedEvent.objects.exists()
    # not retried before its time
    assert process_pending(now=now + dt.timedelta(seconds=29)).claimed == 0
    # then, once the gateway is back and the backoff has passed, it is applied
    stripe_fake.faults.remove(fault)
    result = process_pending(now=now + dt.timedelta(seconds=31))
    assert (result.claimed, result.processed, result.events_applied) == (1, 1, 1)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == ("processed", 2, "")
    assert billing.GatewayCustomer.objects.get().remote_id == customer["id"]


def test_delivery_fails_after_the_last_attempt(stripe_connection, stripe_fake, sdk, as_json, send_webhook, make_event):
    customer = _customer(sdk, as_json)
    stripe_fake.faults.add(path_prefix="/v1/customers/", status=503, times=None, method="GET")
    send_webhook(stripe_connection, make_event("customer.created", customer))
    when = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        process_pending(now=when)
        when += dt.timedelta(hours=2)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", MAX_ATTEMPTS)
    assert process_pending(now=when).claimed == 0


def test_gateway_down_for_one_object_does_not_block_others(stripe_connection, stripe_fake, sdk, as_json, send_webhook, make_event):
    broken, fine = _customer(sdk, as_json, email="broken@example.com"), _customer(sdk, as_json, email="fine@example.com")
    stripe_fake.faults.add(path_prefix=f"/v1/customers/{broken['id']}", status=404, times=None, method="GET")
    stripe_fake.faults.add(path_prefix=f"/v1/customers/{fine['id']}", status=400, times=1, method="GET")
    send_webhook(stripe_connection, make_event("customer.updated", broken))
    send_webhook(stripe_connection, make_event("customer.updated", fine))
    result = process_pending()
    # a 404 on re-fetch falls back to the event's own copy; a 400 is retried later
    assert (result.processed, result.retrying) == (1, 1)
    assert list(billing.GatewayCustomer.objects.values_list("email", flat=True)) == ["broken@example.com"]


def test_drain_empties_the_queue_in_batches(stripe_connection, sdk, as_json, send_webhook, make_event):
    customers = [_customer(sdk, as_json, email=f"c{i}@example.com") for i in range(5)]
    for customer in customers:
        send_webhook(stripe_connection, make_event("customer.created", customer))
    result = drain(batch_size=2)
    assert (result.claimed, result.processed, result.events_applied) == (5, 5, 5)
    assert billing.GatewayCustomer.objects.count() == 5
    assert not WebhookDelivery.objects.filter(status="pending").exists()


def test_delivery_whose_attempts_all_died_with_the_worker_is_given_up(stripe_connection, sdk, as_json, send_webhook, make_event):
    # given a delivery still pending after its last attempt (each attempt's worker stopped mid-batch)
    customer = _customer(sdk, as_json)
    send_webhook(stripe_connection, make_event("customer.created", customer))
    WebhookDelivery.objects.update(attempts=MAX_ATTEMPTS)
    # when the queue is processed, it is not handed to a worker again
    result = process_pending()
    assert (result.claimed, result.failed) == (0, 1)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.error) == ("failed", "gave up: no attempt finished (the worker stopped while processing it)")
    assert not billing.GatewayCustomer.objects.exists()


def test_a_worker_that_stopped_mid_batch_leaves_its_deliveries_to_the_next_after_the_lease(stripe_connection, sdk, as_json, send_webhook, make_event):
    from chargeside.ingest.pipeline import LEASE, _claim

    customer = _customer(sdk, as_json)
    send_webhook(stripe_connection, make_event("customer.created", customer))
    now = timezone.now()
    claimed, _ = _claim(10, now)  # a worker claims the delivery and dies before processing it
    assert len(claimed) == 1
    assert process_pending(now=now + LEASE - dt.timedelta(seconds=1)).claimed == 0  # still leased
    result = process_pending(now=now + LEASE)
    assert (result.claimed, result.processed) == (1, 1)
    assert WebhookDelivery.objects.get().attempts == 2


def test_a_batch_of_many_objects_is_fetched_a_few_at_a_time_and_all_applied(stripe_connection, sdk, as_json, send_webhook, make_event):
    # given twelve customers whose events carry names the gateway has since changed
    customers = [_customer(sdk, as_json, email=f"many{i}@example.com", name=f"Old {i}") for i in range(12)]
    for i, customer in enumerate(customers):
        sdk.v1.customers.update(customer["id"], params={"name": f"New {i}"})
        send_webhook(stripe_connection, make_event("customer.updated", customer, event_id=f"evt_many{i}"))
    # when one batch is processed
    result = process_pending()
    # then every object was re-fetched and written, each delivery marked once
    assert (result.claimed, result.processed, result.events_applied, result.retrying) == (12, 12, 12, 0)
    names = dict(billing.GatewayCustomer.objects.values_list("email", "name"))
    assert names == {f"many{i}@example.com": f"New {i}" for i in range(12)}
    assert set(WebhookDelivery.objects.values_list("status", "events_applied", "attempts", "error")) == {("processed", 1, 1, "")}


def test_once_the_gateway_is_down_the_rest_of_the_batch_is_not_asked(stripe_connection, stripe_fake, sdk, as_json, send_webhook, make_event):
    from chargeside.gateways.stripe.adapter import StripeAdapter

    customers = [_customer(sdk, as_json, email=f"down{i}@example.com") for i in range(12)]
    fault = stripe_fake.faults.add(path_prefix="/v1/customers/", status=503, times=None, method="GET")
    for customer in customers:
        send_webhook(stripe_connection, make_event("customer.updated", customer))
    result = process_pending()
    assert (result.claimed, result.processed, result.retrying) == (12, 0, 12)
    assert 1 <= fault.hits <= StripeAdapter.fetch_concurrency  # only the fetches already under way
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {("pending", 1)}
    assert {e[:33] for e in WebhookDelivery.objects.values_list("error", flat=True)} == {"Unavailable (HTTP 503): Stripe ha"}


def test_outcomes_all_different_are_still_saved_each_to_its_row(offline_connection, send_webhook, make_event):
    # 25 deliveries that end 25 different ways (more than the grouped UPDATEs handle): one bulk update instead
    from chargeside.ingest.pipeline import _save_outcomes

    for i in range(25):
        send_webhook(offline_connection, make_event("customer.updated", {"id": f"cus_{i}", "object": "customer"}))
    deliveries = list(WebhookDelivery.objects.order_by("id"))
    for i, delivery in enumerate(deliveries):
        delivery.status, delivery.error, delivery.events_applied = ("failed", f"error {i}", i) if i % 2 else ("processed", "", i)
    _save_outcomes(deliveries)
    assert list(WebhookDelivery.objects.order_by("id").values_list("status", "error", "events_applied")) == [
        ("failed", f"error {i}", i) if i % 2 else ("processed", "", i) for i in range(25)]
