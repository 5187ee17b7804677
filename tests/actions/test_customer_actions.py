"""invoice_send, coupon_apply, tax_id_add and card_update_link end to end against the Stripe fake."""

import pytest

from chargeside.actions.base import ActionError, Forbidden
from chargeside.actions.models import ActionAttempt, AuditEvent
from chargeside.actions.runner import action_preview, run_action
from chargeside.billing.models import Invoice, PaymentMethod, Subscription, TaxId
from chargeside.gateways.registry import adapter_for
from chargeside.gateways.types import ResourceKind

from actions_world import ask, confirmed, customer_with_card, monthly_price, sync_connection


@pytest.fixture
def ayse(merchant):
    return customer_with_card(merchant, email="ayse@example.com", name="Ayşe Yılmaz")[0]


def _draft_invoice(merchant, customer, amount=12000):
    merchant.v1.invoice_items.create({"customer": customer, "amount": amount, "currency": "eur", "description": "Consulting"})
    return merchant.v1.invoices.create({"customer": customer, "collection_method": "send_invoice", "days_until_due": 30,
                                        "pending_invoice_items_behavior": "include"}).id


def _sent(stripe_fake, invoice):
    return [event for event in stripe_fake.control.events("invoice.sent") if event["data"]["object"]["id"] == invoice]


# --- invoice_send -----------------------------------------------------------------------------------

def test_send_a_draft_finalizes_and_emails_it(agent, merchant, stripe_fake, sync, ayse):
    invoice = _draft_invoice(merchant, ayse)
    sync()
    preview = action_preview(member=agent, request=ask("invoice_send", invoice=invoice))
    assert preview.summary == f"Finalize and email invoice {invoice} (€120.00) to ayse@example.com."

    outcome = run_action(member=agent, request=confirmed(agent, ask("invoice_send", invoice=invoice)))

    assert outcome.ok, outcome.attempt.error_message
    assert merchant.v1.invoices.retrieve(invoice).status == "open"
    assert len(_sent(stripe_fake, invoice)) == 1
    row = Invoice.objects.get(remote_id=invoice)
    assert (row.status, row.amount_due) == ("open", 12000)
    assert row.number != ""


def test_sending_again_later_is_a_new_send_but_a_double_click_is_not(agent, merchant, stripe_fake, sync, ayse):
    invoice = _draft_invoice(merchant, ayse)
    sync()
    first = confirmed(agent, ask("invoice_send", invoice=invoice))
    run_action(member=agent, request=first)
    assert run_action(member=agent, request=first).replayed
    again = run_action(member=agent, request=confirmed(agent, ask("invoice_send", invoice=invoice)))
    assert (again.replayed, again.ok) == (False, True)
    assert len(_sent(stripe_fake, invoice)) == 2


def test_paid_and_automatic_invoices_are_not_sent(agent, stripe_fake, merchant, sync, ayse):
    subscription = merchant.v1.subscriptions.create({"customer": ayse, "items": [{"price": monthly_price(merchant)}]})
    sync()
    paid = Invoice.objects.get(subscription_remote_id=subscription.id)
    with pytest.raises(ActionError, match="^Only a draft or open invoice can be sent; this one is paid.$"):
        run_action(member=agent, request=ask("invoice_send", invoice=paid.remote_id))
    merchant.v1.invoice_items.create({"customer": ayse, "amount": 500, "currency": "eur"})
    automatic = merchant.v1.invoices.create({"customer": ayse, "pending_invoice_items_behavior": "include"}).id
    sync()
    with pytest.raises(ActionError, match="paid automatically from the card on file"):
        run_action(member=agent, request=ask("invoice_send", invoice=automatic))
    assert _sent(stripe_fake, automatic) == []


# --- coupon_apply -----------------------------------------------------------------------------------

@pytest.fixture
def discounts(merchant):
    merchant.v1.coupons.create({"id": "QUARTER", "percent_off": 25, "duration": "forever", "name": "25% off"})
    return merchant.v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": "QUARTER"}, "code": "SPRING25"}).id


@pytest.fixture
def pro(merchant, ayse):
    return merchant.v1.subscriptions.create({"customer": ayse, "items": [{"price": monthly_price(merchant)}]}).id


def test_promotion_code_on_a_subscription(agent, merchant, stripe_connection, sync, discounts, pro):
    sync()
    preview = action_preview(member=agent, request=ask("coupon_apply", subscription=pro, code="spring25"))
    assert preview.summary == f"Apply SPRING25 to subscription {pro} through Stripe."
    outcome = run_action(member=agent, request=ask("coupon_apply", subscription=pro, code="spring25"))
    assert outcome.ok, outcome.attempt.error_message
    fresh = adapter_for(stripe_connection).fetch(ResourceKind.SUBSCRIPTION, pro)  # what Stripe now says
    assert fresh.coupon_remote_ids == ("QUARTER",)
    assert Subscription.objects.get(remote_id=pro).coupon_remote_ids == ["QUARTER"]
    assert merchant.v1.subscriptions.retrieve(pro, {"expand": ["latest_invoice"]}).latest_invoice.total == 2900  # from the next one on
    with pytest.raises(ActionError, match="^SPRING25 is already applied.$"):
        run_action(member=agent, request=ask("coupon_apply", subscription=pro, code="SPRING25"))


def test_coupon_id_on_a_customer_goes_to_their_only_subscription(agent, merchant, sync, discounts, ayse, pro):
    sync()
    outcome = run_action(member=agent, request=ask("coupon_apply", gateway_customer=ayse, code="QUARTER"))
    assert outcome.ok, outcome.attempt.error_message
    assert Subscription.objects.get(remote_id=pro).coupon_remote_ids == ["QUARTER"]


def test_unknown_code_is_refused_by_the_gateway_with_its_message(agent, merchant, sync, pro):
    sync()
    attempt = run_action(member=agent, request=ask("coupon_apply", subscription=pro, code="NOPE")).attempt
    assert (attempt.status, attempt.error_retryable, attempt.error_message) == (
        "failed", False, "Stripe has no active promotion code or coupon 'NOPE'.")
    assert AuditEvent.objects.get(attempt=attempt, event="failed").detail["error"] == attempt.error_message


def test_inactive_promotion_code_is_refused_locally(agent, merchant, stripe_fake, sync, discounts, pro):
    merchant.v1.promotion_codes.update(discounts, {"active": False})
    sync()
    trap = stripe_fake.faults.add(path_prefix="/v1/", status=500, times=None, method="POST")
    with pytest.raises(ActionError, match="^Promotion code SPRING25 is no longer active.$"):
        run_action(member=agent, request=ask("coupon_apply", subscription=pro, code="SPRING25"))
    assert trap.hits == 0


def test_finance_cannot_apply_coupons(finance, sync, discounts, pro):
    sync()
    with pytest.raises(Forbidden):
        run_action(member=finance, request=ask("coupon_apply", subscription=pro, code="SPRING25"))


# --- tax_id_add -------------------------------------------------------------------------------------

def test_add_a_valid_eu_vat_number(agent, merchant, sync, ayse):
    sync()
    preview = action_preview(member=agent, request=ask("tax_id_add", gateway_customer=ayse, type="eu_vat", value="de 136 695 976"))
    assert preview.lines == (("Type", "EU VAT number"), ("Number", "DE136695976"), ("Country", "DE"))
    outcome = run_action(member=agent, request=ask("tax_id_add", gateway_customer=ayse, type="eu_vat", value="de 136 695 976"))
    assert outcome.ok, outcome.attempt.error_message
    assert [(t.type, t.value) for t in merchant.v1.customers.tax_ids.list(ayse).data] == [("eu_vat", "DE136695976")]
    row = TaxId.objects.get()
    assert (row.type, row.value, row.country, row.gateway_customer.remote_id) == ("eu_vat", "DE136695976", "DE", ayse)
    with pytest.raises(ActionError, match="^DE136695976 is already on this customer.$"):
        run_action(member=agent, request=ask("tax_id_add", gateway_customer=ayse, type="eu_vat", value="DE136695976"))


def test_turkish_tax_number(agent, merchant, sync, ayse):
    sync()
    assert run_action(member=agent, request=ask("tax_id_add", gateway_customer=ayse, type="tr_tin", value="0010001000")).ok
    assert [(t.type, t.value) for t in merchant.v1.customers.tax_ids.list(ayse).data] == [("tr_tin", "0010001000")]


@pytest.mark.parametrize(
    ("tax_type", "value", "message"),
    [
        ("eu_vat", "DE136695977", "DE136695977 is not a valid EU VAT number: its check digit is wrong (a typo?)."),
        ("gb_vat", "GB98078068", "GB98078068 is not a valid UK VAT number: it has the wrong number of characters."),
        ("us_ein", "", "Enter the US EIN."),
        ("vat", "DE136695976", "'vat' is not a tax id type Chargeside can check."),
    ],
)
def test_bad_tax_ids_are_refused_before_any_gateway_request(tax_type, value, message, agent, stripe_fake, merchant, sync, ayse):
    sync()
    trap = stripe_fake.faults.add(path_prefix="/v1/", status=500, times=None)
    with pytest.raises(ActionError) as refused:
        run_action(member=agent, request=ask("tax_id_add", gateway_customer=ayse, type=tax_type, value=value))
    assert refused.value.message.startswith(message)
    assert trap.hits == 0  # not even a read
    stripe_fake.faults.clear()
    assert merchant.v1.customers.tax_ids.list(ayse).data == []
    assert ActionAttempt.objects.count() == 0


# --- card_update_link -------------------------------------------------------------------------------

def test_card_update_link_is_a_gateway_page_kept_out_of_the_audit_trail(agent, merchant, stripe_fake, stripe_connection, ayse):
    sync_connection(stripe_connection)
    outcome = run_action(member=agent, request=ask("card_update_link", gateway_customer=ayse, return_url="https://acme.example.com/billing"))

    assert outcome.ok, outcome.attempt.error_message
    url = outcome.attempt.result["url"]
    assert url.startswith(f"{stripe_fake.base_url}/checkout/cs_")
    session = merchant.v1.checkout.sessions.retrieve(url.rsplit("/", 1)[1])
    assert (session.mode, session.customer, session.success_url) == ("setup", ayse, "https://acme.example.com/billing")
    entry = AuditEvent.objects.get(attempt=outcome.attempt, event="succeeded")
    assert "url" not in entry.detail and url not in str(entry.detail)
    assert entry.detail["link_created"] is True

    # The customer enters a new card on the gateway's page; it reaches us through the gateway, never through us.
    stripe_fake.control.complete_checkout(session.id, card="mastercard")
    sync_connection(stripe_connection)
    assert sorted(PaymentMethod.objects.filter(customer_remote_id=ayse).values_list("brand", flat=True)) == ["mastercard", "visa"]


def test_card_update_link_refuses_a_non_web_return_address(agent, stripe_connection, ayse):
    sync_connection(stripe_connection)
    with pytest.raises(ActionError, match="^The return address must be an http\\(s\\) URL.$"):
        run_action(member=agent, request=ask("card_update_link", gateway_customer=ayse, return_url="javascript:alert(1)"))


def test_viewer_cannot_make_card_links(viewer, stripe_connection, ayse):
    sync_connection(stripe_connection)
    with pytest.raises(Forbidden):
        run_action(member=viewer, request=ask("card_update_link", gateway_customer=ayse))
