"""An action from inside Intercom, end to end: the signed initialize → the Refund button's submit → the form
(amount and reason inputs) → the confirmation (stored_data) → run_action → one refund at the fake Stripe →
one private note on the simulated conversation through the REST API (POST /conversations/{id}/reply,
message_type note), even when the teammate submits the confirmation twice and the note endpoint fails first.
Nothing of Chargeside's own is mocked: the official Stripe SDK talks to the fake, the note client to the
simulator; the request bodies are the simulator's (Intercom's shapes), signed here with hmac."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chargeside.actions.models import ActionAttempt
from chargeside.billing.models import Charge
from chargeside.helpdesks.models import DeskNote
from chargeside.helpdesks.notes import note_deliver
from chargeside.sandbox.intercom.simulator import input_values

from . import test_intercom_support as ic
from .test_intercom_support import (
    ADMIN_ID,
    buttons,
    canvas_of,
    components,
    initialize_path,
    post_canvas,
    submit_path,
    texts,
)

intercom_connection, intercom_sim, mapped_agent = ic.intercom_connection, ic.intercom_sim, ic.mapped_agent  # the shared fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(intercom_sim):
    return intercom_sim.add_conversation(email="ayse.yilmaz@example.com", name="Ayşe Yılmaz", title="Charged twice?",
                                         message="I was charged twice.")


class Teammate:
    """The teammate's clicks, as Intercom posts them: every input of the canvas shown, and that canvas."""

    def __init__(self, client, sim, connection, conversation):
        self.client, self.sim, self.connection, self.conversation = client, sim, connection, conversation
        self.admin = sim.state.admins[ADMIN_ID]
        self.canvas: dict = {}

    def open(self) -> list[dict]:
        response = post_canvas(self.client, initialize_path(self.connection), self.sim.initialize_body(self.conversation, self.admin))
        assert response.status_code == 200
        self.canvas = canvas_of(response)
        return components(response)

    def body(self, component_id: str, typed: dict | None = None) -> bytes:
        return self.sim.submit_body(self.conversation, self.admin, component_id, input_values(self.canvas, typed or {}), self.canvas)

    def send(self, body: bytes) -> list[dict]:
        response = post_canvas(self.client, submit_path(self.connection), body)
        assert response.status_code == 200, response.content
        self.canvas = canvas_of(response)
        return components(response)

    def click(self, component_id: str, typed: dict | None = None) -> list[dict]:
        return self.send(self.body(component_id, typed))


def later(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_two_submits_of_the_same_refund_make_one_refund_and_one_note(
        client, intercom_sim, intercom_connection, conversation, mapped_agent, paid_customer, django_capture_on_commit_callbacks):
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    teammate = Teammate(client, intercom_sim, intercom_connection, conversation)

    panel = teammate.open()
    assert f"open:refund:{charge.pk}" in buttons(panel)
    form = teammate.click(f"open:refund:{charge.pk}")
    inputs = {c["id"]: c for c in form if c["type"] in ("input", "textarea")}
    assert inputs["amount"]["value"] == "120.00" and "reason" in inputs  # the amount starts at what is left to refund
    confirm = teammate.click(f"review:refund:{charge.pk}", {"amount": "45.50", "reason": "Charged twice"})
    assert buttons(confirm)[0] == f"run:refund:{charge.pk}"
    assert teammate.canvas["stored_data"]["params"]["amount_minor"] == "4550"

    # when the teammate clicks "Confirm refund" twice (Intercom posts the same submit twice)
    run = teammate.body(f"run:refund:{charge.pk}")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = teammate.send(run)
        second = teammate.send(run)

    # then one refund, one attempt attributed to Intercom, one note queued
    assert "Refund made: TRY\u00a045\\.50\\." in texts(first)
    assert "changed since you reviewed it" in texts(second)
    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [4550]
    attempt = ActionAttempt.objects.get(action="refund")
    assert attempt.source == "desk:intercom" and attempt.reason == "Charged twice"
    assert attempt.ticket_url.endswith(f"/a/inbox/abc123/inbox/conversation/{conversation.id}")
    note = DeskNote.objects.get()
    assert (note.status, note.ticket) == ("pending", conversation.id) and len(callbacks) == 1

    # and the note reaches the conversation once, although Intercom answers 500 to the first try
    intercom_sim.fail_next_notes(500)
    tries = [note_deliver(note.pk, now=later(minutes)) for minutes in (0, 1)]
    assert [(n.status, n.tries) for n in tries] == [("pending", 1), ("sent", 2)]
    assert "Intercom answered 500" in tries[0].last_error
    notes = intercom_sim.notes(conversation.id)
    assert len(notes) == 1 and intercom_sim.state.note_posts == 2 and intercom_sim.state.note_versions == ["2.11", "2.11"]
    assert tries[1].remote_id == notes[0].id and notes[0].author["id"] == ADMIN_ID
    assert "Refund made: TRY\u00a045.50" in notes[0].body and "Charged twice" in notes[0].body
    assert mapped_agent.display_name in notes[0].body and "/audit/?action=refund&amp;customer=" in notes[0].body

    # the panel shown after the refund already lists it
    assert "Refunded TRY\u00a045\\.50" in texts(first)


def test_a_bad_amount_shows_the_form_again_with_the_reason_and_moves_nothing(
        client, intercom_sim, intercom_connection, conversation, mapped_agent, paid_customer):
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    teammate = Teammate(client, intercom_sim, intercom_connection, conversation)
    teammate.open()
    teammate.click(f"open:refund:{charge.pk}")

    again = teammate.click(f"review:refund:{charge.pk}", {"amount": "999.00", "reason": "Charged twice"})

    assert any(c["type"] == "text" and c["style"] == "error" for c in again)
    assert {c["id"] for c in again if c["type"] in ("input", "textarea")} == {"amount", "reason"}
    assert not ActionAttempt.objects.exists() and merchant.v1.refunds.list({"charge": charge_id}).data == []


def test_an_unmapped_teammate_is_read_only_even_when_forging_a_submit(
        client, intercom_sim, intercom_connection, conversation, agent, paid_customer):
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    teammate = Teammate(client, intercom_sim, intercom_connection, conversation)
    panel = teammate.open()
    assert buttons(panel) == [] and "Read\\-only" in texts(panel)

    refused = teammate.click(f"open:refund:{charge.pk}")
    assert "read\\-only" in texts(refused)
    forged = teammate.click(f"run:refund:{charge.pk}")
    assert "read\\-only" in texts(forged)
    assert not ActionAttempt.objects.exists() and merchant.v1.refunds.list({"charge": charge_id}).data == []
    assert not DeskNote.objects.exists()


def test_a_confirmation_for_another_item_is_refused(client, intercom_sim, intercom_connection, conversation, mapped_agent, paid_customer):
    merchant, charge_id = paid_customer
    charge = Charge.objects.get(remote_id=charge_id)
    teammate = Teammate(client, intercom_sim, intercom_connection, conversation)
    teammate.open()
    teammate.click(f"open:refund:{charge.pk}")
    teammate.click(f"review:refund:{charge.pk}", {"amount": "10.00", "reason": "x"})
    teammate.canvas["stored_data"]["item"] = charge.pk + 1  # stored_data altered (it could only be by someone with the secret)

    shown = teammate.click(f"run:refund:{charge.pk}")
    assert "not for this item" in texts(shown)
    assert merchant.v1.refunds.list({"charge": charge_id}).data == []


@pytest.fixture
def subscriber(stripe_fake, stripe_connection):
    """Ayşe with a monthly Pro subscription at the fake Stripe, synced the way backfill does it."""
    import stripe

    from chargeside.billing.upsert import upsert_many
    from chargeside.gateways.registry import adapter_for

    merchant = stripe.StripeClient("sk_test_chargeside", base_addresses={"api": stripe_fake.base_url}, max_network_retries=0)
    customer = merchant.v1.customers.create({"email": "ayse.yilmaz@example.com", "name": "Ayşe Yılmaz", "payment_method": "pm_card_visa",
                                             "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    price = merchant.v1.prices.create({"product_data": {"name": "Pro"}, "currency": "try", "unit_amount": 29900,
                                       "recurring": {"interval": "month"}})
    subscription = merchant.v1.subscriptions.create({"customer": customer.id, "items": [{"price": price.id}]})
    adapter = adapter_for(stripe_connection)
    for kind in adapter.backfill_kinds:
        cursor = None
        while True:
            page = adapter.list_page(kind, cursor, page_size=100)
            upsert_many(stripe_connection, page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    return merchant, subscription.id


def test_cancel_a_subscription_at_period_end_from_the_canvas_with_its_dropdown_and_checkbox(
        client, intercom_sim, intercom_connection, conversation, mapped_agent, subscriber):
    from chargeside.billing.models import Subscription

    merchant, subscription_id = subscriber
    row = Subscription.objects.get(remote_id=subscription_id)
    teammate = Teammate(client, intercom_sim, intercom_connection, conversation)
    teammate.open()

    form = teammate.click(f"open:subscription_cancel:{row.pk}")
    kinds = {c["id"]: c["type"] for c in form if c["type"] in ("dropdown", "checkbox", "textarea")}
    assert kinds == {"when": "dropdown", "refund_unused": "checkbox", "reason": "textarea"}
    teammate.click(f"review:subscription_cancel:{row.pk}", {"when": "period_end", "refund_unused": [], "reason": "Moving away"})
    done = teammate.click(f"run:subscription_cancel:{row.pk}")

    assert "Subscription canceled" in texts(done)
    assert merchant.v1.subscriptions.retrieve(subscription_id).cancel_at_period_end is True
    note = DeskNote.objects.get()
    assert note.ticket == conversation.id and "Moving away" in note.body
