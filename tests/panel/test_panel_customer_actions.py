"""Every action from the panel, end to end against the Stripe fake: the "Actions" menu under the header
(customer-level actions), plan change on a subscription, what each role is offered, and bad input."""

from __future__ import annotations

import re

import pytest

from chargeside.actions.inputs import INPUTS
from chargeside.actions.models import ActionAttempt, AuditEvent
from chargeside.actions.registry import ACTIONS
from chargeside.billing.models import Charge, PaymentMethod, TaxId

from .conftest import signed_query
from .shop import EMAIL, foreign_price, hidden_fields, open_shop, options, sync

pytestmark = pytest.mark.django_db

ACCOUNT_ACTIONS = ("subscription_create", "authorize", "coupon_apply", "tax_id_add", "card_update_link")


@pytest.fixture
def shop(stripe_fake, stripe_connection):
    return open_shop(stripe_fake, stripe_connection)


def open_panel(client, workspace, member, lang="en"):
    page = client.get("/panel/?" + signed_query(workspace, emails=[EMAIL], agent=member.user.email, lang=lang))
    assert page.status_code == 200
    body = page.content.decode()
    token = re.search(r'"X-Panel-Token": "([^"]+)"', body).group(1)
    return body, {"X-Panel-Token": token, "HX-Request": "true"}


def menu(body: str) -> list[str]:
    found = re.search(r'<details class="menu".*?</details>', body, re.DOTALL)
    return re.findall(r'/panel/action/([a-z_]+)/\d+/', found.group(0)) if found else []


def is_proration(line: dict) -> bool:
    parent = line.get("parent") or {}
    return bool(line.get("proration") or (parent.get(parent.get("type") or "") or {}).get("proration"))


def review_and_run(client, headers, name, subject_id, data):
    confirm = client.post(f"/panel/action/{name}/{subject_id}/preview/", data, headers=headers)
    assert confirm.status_code == 200, confirm.content.decode()
    assert "Confirm:" in confirm.content.decode(), confirm.content.decode()
    done = client.post(f"/panel/action/{name}/{subject_id}/run/", hidden_fields(confirm.content.decode()), headers=headers)
    return confirm.content.decode(), done


def test_every_registered_action_declares_its_inputs():
    assert set(INPUTS) == set(ACTIONS)
    assert all(inputs.name == name for name, inputs in INPUTS.items())


# --- who is offered what ---------------------------------------------------------------------------------

def test_an_agent_gets_the_actions_menu_with_every_customer_level_action(client, workspace, agent, shop):
    body, _ = open_panel(client, workspace, agent)

    account = shop.account()
    assert menu(body) == list(ACCOUNT_ACTIONS)
    assert f'hx-target="#slot-account-{account.id}"' in body and f'id="slot-account-{account.id}"' in body
    assert f"/panel/action/subscription_change/{shop.subscription_row().id}/" in body


def test_finance_may_not_start_subscriptions_or_give_discounts(client, workspace, finance, shop):
    body, headers = open_panel(client, workspace, finance)

    assert menu(body) == ["authorize", "tax_id_add", "card_update_link"]
    assert client.get(f"/panel/action/subscription_create/{shop.account().id}/", headers=headers).status_code == 403
    assert "/panel/action/subscription_change/" not in body


def test_a_viewer_gets_no_actions_menu_and_no_form(client, workspace, viewer, shop):
    body, headers = open_panel(client, workspace, viewer)

    assert menu(body) == [] and 'class="menu"' not in body and "/panel/action/" not in body
    for name in ACCOUNT_ACTIONS:
        assert client.get(f"/panel/action/{name}/{shop.account().id}/", headers=headers).status_code == 403


def test_each_gateway_account_gets_its_own_group_in_the_menu(client, workspace, agent, ayse):
    from chargeside.billing.models import GatewayCustomer
    from chargeside.billing.upsert import upsert_many
    from chargeside.connections.models import Connection
    from chargeside.gateways import types as t

    second = Connection(workspace=workspace, provider="stripe", name="Stripe EU", settings={"base_url": "http://127.0.0.1:9"})
    second.set_credentials({"secret_key": "sk_test_offline"})
    second.save()
    upsert_many(second, [t.CustomerDTO(remote_id="cus_ayse_eu", email="ayse.yilmaz@example.com", name="Ayşe Yılmaz")])

    body, _ = open_panel(client, workspace, agent)

    first, other = GatewayCustomer.objects.get(remote_id="cus_ayse"), GatewayCustomer.objects.get(remote_id="cus_ayse_eu")
    menu_html = re.search(r'<details class="menu".*?</details>', body, re.DOTALL).group(0)
    assert re.findall(r'<div class="menu-head">.*?<code>([^<]+)</code></div>', menu_html) == ["cus_ayse", "cus_ayse_eu"]
    # no plan in either catalogue, and only the first account has a saved card
    assert re.findall(rf"/panel/action/([a-z_]+)/{first.id}/", menu_html) == ["authorize", "coupon_apply", "tax_id_add", "card_update_link"]
    assert re.findall(rf"/panel/action/([a-z_]+)/{other.id}/", menu_html) == ["coupon_apply", "tax_id_add", "card_update_link"]


# --- start a subscription -------------------------------------------------------------------------------

def test_a_subscription_starts_from_a_select_of_the_synced_catalogue(client, workspace, agent, shop):
    _, headers = open_panel(client, workspace, agent)
    account = shop.account()

    form = client.get(f"/panel/action/subscription_create/{account.id}/", headers=headers).content.decode()

    # only active recurring plans in the customer's currency (she already pays in euros), with names and prices
    business, pro = shop.price("business"), shop.price("pro")
    assert options(form, "price") == [(str(business.id), "Business (€49.00 / month)"), (str(pro.id), "Pro (€29.00 / month)")]
    assert options(form, "payment_method")[0] == ("", "The customer&#x27;s default")
    assert 'name="price" value=' not in form  # never a free-text price id

    confirm, done = review_and_run(client, headers, "subscription_create", account.id,
                                   {"price": str(business.id), "trial_days": "14", "reason": ""})

    assert "Start Business (€49.00 / month) for ayse.yilmaz@example.com through Stripe; first charge after the trial." in confirm
    assert "14 days" in confirm
    assert done.status_code == 200 and done["HX-Retarget"] == "#panel-body"
    assert "Subscription started." in done.content.decode() and "Business" in done.content.decode()
    remote = shop.merchant.v1.subscriptions.list({"customer": shop.customer}).data
    assert sorted((s["items"].data[0].price.id, s.status) for s in remote) == sorted(
        [(shop.prices["pro"], "active"), (shop.prices["business"], "trialing")])


def test_a_plan_of_another_connection_or_workspace_is_refused_with_a_message(client, workspace, other_workspace, agent, shop):
    _, headers = open_panel(client, workspace, agent)
    account = shop.account()
    theirs = foreign_price(other_workspace)

    for price in (str(theirs.id), "price_theirs", shop.prices["dollars"], str(shop.price("archived").id), "99999999999999999999"):
        response = client.post(f"/panel/action/subscription_create/{account.id}/preview/", {"price": price}, headers=headers)
        assert response.status_code == 400, (price, response.status_code)
        assert "Choose one of the offered options for “Plan”." in response.content.decode()
    assert ActionAttempt.objects.count() == 0


# --- change plan ----------------------------------------------------------------------------------------

def test_plan_change_confirmation_shows_the_proration_and_the_next_invoice(client, workspace, agent, shop):
    _, headers = open_panel(client, workspace, agent)
    subscription = shop.subscription_row()

    form = client.get(f"/panel/action/subscription_change/{subscription.id}/", headers=headers).content.decode()
    assert options(form, "price") == [(str(shop.price("business").id), "Business (€49.00 / month)")]  # not Pro, not dollars

    confirm = client.post(f"/panel/action/subscription_change/{subscription.id}/preview/",
                          {"price": str(shop.price("business").id)}, headers=headers).content.decode()

    # then the amounts are the gateway's own preview at the pinned proration date
    pinned = hidden_fields(confirm)
    quote = shop.merchant.v1.invoices.create_preview({
        "customer": shop.customer, "subscription": shop.subscription, "subscription_details": {
            "items": [{"id": subscription.item_remote_id, "price": shop.prices["business"]}],
            "proration_date": int(pinned["proration_date"]), "proration_behavior": "create_prorations"},
    })
    proration = sum(line["amount"] for line in quote.to_dict()["lines"]["data"] if is_proration(line))
    assert proration > 0 and quote.amount_due > proration
    due = f"€{quote.amount_due / 100:,.2f}"
    assert "Confirm: Plan change" in confirm and f'<div class="big-amount num">{due}</div>' in confirm
    assert f"<dt>Proration</dt><dd class=\"num\">€{proration / 100:,.2f}</dd>" in confirm
    assert "<dt>Next invoice</dt>" in confirm and "Current plan" in confirm and "Pro (€29.00 / month)" in confirm
    assert pinned["price"] == str(shop.price("business").id) and pinned["state_seen"]

    done = client.post(f"/panel/action/subscription_change/{subscription.id}/run/", pinned, headers=headers)

    assert "Plan changed." in done.content.decode()
    remote = shop.merchant.v1.subscriptions.retrieve(shop.subscription)
    assert remote["items"].data[0].price.id == shop.prices["business"]
    assert shop.subscription_row().price_remote_id == shop.prices["business"]


def test_turkish_plan_change_confirmation(client, workspace, agent, shop):
    body, headers = open_panel(client, workspace, agent, lang="tr")
    subscription = shop.subscription_row()

    confirm = client.post(f"/panel/action/subscription_change/{subscription.id}/preview/",
                          {"price": str(shop.price("business").id)}, headers=headers).content.decode()

    form = client.get(f"/panel/action/subscription_create/{shop.account().id}/", headers=headers).content.decode()
    assert ">İşlemler<" in body and "Abonelik başlat" in body and "Kart güncelleme bağlantısı" in body
    assert "Deneme günleri" in form and "Kupon veya promosyon kodu" in form and "Müşterinin varsayılan kartı" in form
    assert "Onay: Plan değişikliği" in confirm and "Orantılama" in confirm and "Sonraki fatura" in confirm
    assert "Plan değişikliğini onayla" in confirm


# --- authorise, discount, tax id, card link --------------------------------------------------------------

def test_authorise_a_payment_on_a_saved_card(client, workspace, agent, shop):
    _, headers = open_panel(client, workspace, agent)
    account = shop.account()
    form = client.get(f"/panel/action/authorize/{account.id}/", headers=headers).content.decode()
    visa = PaymentMethod.objects.get(remote_id=shop.card)
    assert options(form, "payment_method") == [(str(visa.id), f"Visa •••• 4242 · {visa.exp_month:02d}/{visa.exp_year % 100:02d} (default)")]
    assert 'name="currency" value="EUR"' in form  # what she paid in last

    confirm, done = review_and_run(client, headers, "authorize", account.id, {
        "payment_method": str(visa.id), "amount": "15.50", "currency": "EUR", "description": "Deposit", "reason": "Hold for the rental"})

    assert "Authorise €15.50 on visa •••• 4242 through Stripe; capture it later." in confirm
    assert "Payment authorised: €15.50." in done.content.decode()
    held = Charge.objects.get(status="authorized")
    intent = shop.merchant.v1.payment_intents.retrieve(held.intent_remote_id)
    assert (intent.status, intent.amount, intent.currency, intent.payment_method) == ("requires_capture", 1550, "eur", shop.card)
    assert f"/panel/action/capture/{held.id}/" in done.content.decode()


def test_a_card_of_another_customer_is_refused(client, workspace, agent, shop):
    other = shop.merchant.v1.customers.create({"email": "someone@example.com"})
    theirs = shop.merchant.v1.payment_methods.attach("pm_card_mastercard", {"customer": other.id})
    sync(shop.account().connection)
    _, headers = open_panel(client, workspace, agent)

    response = client.post(f"/panel/action/authorize/{shop.account().id}/preview/", {
        "payment_method": str(PaymentMethod.objects.get(remote_id=theirs.id).id), "amount": "5", "currency": "EUR", "reason": "x"},
        headers=headers)

    assert response.status_code == 400 and "Choose one of the offered options for “Card”." in response.content.decode()


def test_apply_a_promotion_code_once_even_when_the_confirmation_is_sent_twice(client, workspace, agent, shop):
    _, headers = open_panel(client, workspace, agent)
    account = shop.account()

    confirm, done = review_and_run(client, headers, "coupon_apply", account.id, {"code": "spring25"})
    again = client.post(f"/panel/action/coupon_apply/{account.id}/run/", hidden_fields(confirm), headers=headers)

    assert "Apply SPRING25 to ayse.yilmaz@example.com through Stripe." in confirm
    assert "Discount applied." in done.content.decode()
    assert "This was already done; nothing was repeated." in again.content.decode()
    # a customer's discount goes to their only live subscription at Stripe
    assert shop.subscription_row().coupon_remote_ids == ["QUARTER"]
    assert ActionAttempt.objects.filter(action="coupon_apply").count() == 1


def test_add_a_tax_id_from_the_list_of_types(client, workspace, agent, shop):
    _, headers = open_panel(client, workspace, agent)
    account = shop.account()
    form = client.get(f"/panel/action/tax_id_add/{account.id}/", headers=headers).content.decode()
    assert ("eu_vat", "EU VAT number") in options(form, "type") and ("tr_tin", "Turkish tax number (VKN or T.C. Kimlik No)") in options(form, "type")

    bad = client.post(f"/panel/action/tax_id_add/{account.id}/preview/", {"type": "eu_vat", "value": "DE136695977"}, headers=headers)
    confirm, done = review_and_run(client, headers, "tax_id_add", account.id, {"type": "eu_vat", "value": "de 136 695 976"})

    assert bad.status_code == 400 and "its check digit is wrong" in bad.content.decode()
    assert "Add EU VAT number DE136695976 to ayse.yilmaz@example.com through Stripe." in confirm
    assert "Tax id added." in done.content.decode() and "DE136695976" in done.content.decode()
    assert [(t.type, t.value) for t in shop.merchant.v1.customers.tax_ids.list(shop.customer).data] == [("eu_vat", "DE136695976")]
    assert TaxId.objects.get().value == "DE136695976"


def test_card_update_link_shows_the_gateways_page_to_copy(client, workspace, agent, shop, stripe_fake):
    _, headers = open_panel(client, workspace, agent)
    account = shop.account()

    form = client.get(f"/panel/action/card_update_link/{account.id}/", headers=headers).content.decode()
    confirm, done = review_and_run(client, headers, "card_update_link", account.id, {})
    again = client.post(f"/panel/action/card_update_link/{account.id}/run/", hidden_fields(confirm), headers=headers)

    body = done.content.decode()
    url = re.search(r'<input type="text" class="copy-field" readonly value="([^"]+)"', body).group(1)
    assert url.startswith(f"{stripe_fake.base_url}/checkout/cs_")
    assert "Link created. Send it to the customer:" in body and "data-copy" in body
    assert "card number" not in (form + confirm + body).lower() and 'name="number"' not in body
    assert "This link was already made; here it is again." in again.content.decode() and url in again.content.decode()
    entry = AuditEvent.objects.get(event="succeeded", action="card_update_link")
    assert url not in str(entry.detail)


# --- the item actions the panel had before, now from the same declarations ------------------------------

def test_cancel_now_refunds_the_unused_part_of_the_period(client, workspace, agent, shop):
    _, headers = open_panel(client, workspace, agent)
    subscription = shop.subscription_row()
    form = client.get(f"/panel/action/subscription_cancel/{subscription.id}/", headers=headers).content.decode()
    assert options(form, "when") == [("period_end", "At the end of the period"), ("now", "Now")]
    assert '<input type="checkbox" name="refund_unused" value="1">' in form

    confirm, done = review_and_run(client, headers, "subscription_cancel", subscription.id,
                                   {"when": "now", "refund_unused": "1", "reason": "Moving abroad"})

    refund = ActionAttempt.objects.get().params["cleaned"]["refund"]
    assert 0 < refund["amount"] < 2900 and hidden_fields(confirm)["as_of"] == str(refund["as_of"])
    assert "Subscription canceled:" in done.content.decode()
    assert shop.merchant.v1.subscriptions.retrieve(shop.subscription).status == "canceled"
    invoice = shop.merchant.v1.invoices.list({"subscription": shop.subscription, "expand": ["data.payments"]}).data[0]
    intent = shop.merchant.v1.payment_intents.retrieve(invoice.payments.data[0].payment.payment_intent)
    assert [r.amount for r in shop.merchant.v1.refunds.list({"charge": intent.latest_charge}).data] == [refund["amount"]]


def test_partial_capture_of_an_authorised_payment(client, workspace, agent, shop):
    held = shop.merchant.v1.payment_intents.create({
        "amount": 8000, "currency": "eur", "customer": shop.customer, "payment_method": shop.card, "confirm": True,
        "off_session": True, "payment_method_types": ["card"], "capture_method": "manual"})
    sync(shop.account().connection)
    charge = Charge.objects.get(intent_remote_id=held.id)
    _, headers = open_panel(client, workspace, agent)

    form = client.get(f"/panel/action/capture/{charge.id}/", headers=headers).content.decode()
    confirm, done = review_and_run(client, headers, "capture", charge.id, {"mode": "partial", "amount": "60", "reason": "Shipped 3 of 4"})

    assert "€80.00" in form and 'value="80.00"' in form
    assert "Captured now" in confirm and hidden_fields(confirm)["amount_minor"] == "6000"
    assert "Payment captured: €60.00." in done.content.decode()
    assert shop.merchant.v1.payment_intents.retrieve(held.id).amount_received == 6000
