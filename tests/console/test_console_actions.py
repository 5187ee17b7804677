"""Every action from the console, end to end against the Stripe fake: the customer-level actions at the top of
the customer page, plan change from a select of the catalogue, what each role is offered, and bad input."""

from __future__ import annotations

import re

import pytest

from chargeside.actions.models import ActionAttempt, AuditEvent
from chargeside.billing.models import Charge, PaymentMethod, TaxId

from panel.shop import foreign_price, hidden_fields, open_shop, options

pytestmark = pytest.mark.django_db

ACCOUNT_ACTIONS = ("subscription_create", "authorize", "coupon_apply", "tax_id_add", "card_update_link")


@pytest.fixture
def shop(stripe_fake, stripe_connection):
    return open_shop(stripe_fake, stripe_connection)


def customer_url(shop) -> str:
    return f"/customers/{shop.account().customer_id}/"


def account_links(page: str, shop) -> list[str]:
    return re.findall(rf'href="{customer_url(shop)}actions/([a-z_]+)/account/{shop.account().id}/"', page)


def preview_and_confirm(client, url, data):
    preview = client.post(url, {"step": "preview", **data})
    assert preview.status_code == 200, preview.content.decode()
    page = preview.content.decode()
    done = client.post(url, {"step": "confirm", **hidden_fields(page), "reason": data.get("reason", ""), "ticket_url": ""}, follow=True)
    return page, done


def test_each_role_is_offered_the_customer_level_actions_it_may_run(login, agent, finance, viewer, shop):
    assert account_links(login(agent).get(customer_url(shop)).content.decode(), shop) == list(ACCOUNT_ACTIONS)
    assert account_links(login(finance).get(customer_url(shop)).content.decode(), shop) == ["authorize", "tax_id_add", "card_update_link"]
    page = login(viewer).get(customer_url(shop)).content.decode()
    assert account_links(page, shop) == [] and "/actions/" not in page


def test_roles_are_refused_by_the_server_too(login, finance, viewer, shop):
    url = f"{customer_url(shop)}actions/subscription_create/account/{shop.account().id}/"
    assert login(finance).get(url).status_code == 403
    assert login(viewer).post(url, {"step": "confirm", "price": str(shop.price("pro").id)}).status_code == 403
    assert ActionAttempt.objects.count() == 0


def test_plan_change_is_a_select_of_the_catalogue_and_confirms_the_proration(login, agent, shop):
    client = login(agent)
    subscription = shop.subscription_row()
    url = f"{customer_url(shop)}actions/subscription_change/subscription/{subscription.id}/"
    assert url in client.get(customer_url(shop)).content.decode()

    form = client.get(url).content.decode()
    page, done = preview_and_confirm(client, url, {"price": str(shop.price("business").id)})

    assert options(form, "price") == [(str(shop.price("business").id), "Business (€49.00 / month)")]
    assert '<input id="f-price"' not in form  # no free-text price id any more
    assert "<dt>Proration</dt>" in page and "<dt>Next invoice</dt>" in page and 'class="big-amount"' in page
    assert "Done." in done.content.decode()
    assert shop.merchant.v1.subscriptions.retrieve(shop.subscription)["items"].data[0].price.id == shop.prices["business"]


def test_start_a_subscription_with_a_trial(login, agent, shop):
    client = login(agent)
    url = f"{customer_url(shop)}actions/subscription_create/account/{shop.account().id}/"

    form = client.get(url).content.decode()
    page, done = preview_and_confirm(client, url, {"price": str(shop.price("pro").id), "trial_days": "7", "coupon": "spring25"})

    assert [label for _value, label in options(form, "price")] == ["Business (€49.00 / month)", "Pro (€29.00 / month)"]
    assert "Start Pro (€29.00 / month) for ayse.yilmaz@example.com through Stripe; first charge after the trial." in page
    assert "Done." in done.content.decode()
    trialing = [s for s in shop.merchant.v1.subscriptions.list({"customer": shop.customer}).data if s.status == "trialing"]
    assert [(s["items"].data[0].price.id, s.trial_end - s.trial_start) for s in trialing] == [(shop.prices["pro"], 7 * 86400)]


def test_authorise_a_payment_on_the_saved_card(login, agent, shop):
    client = login(agent)
    url = f"{customer_url(shop)}actions/authorize/account/{shop.account().id}/"
    visa = PaymentMethod.objects.get(remote_id=shop.card)

    page, done = preview_and_confirm(client, url, {"payment_method": str(visa.id), "amount": "12.00", "currency": "eur",
                                                    "reason": "Deposit"})

    assert 'name="amount_minor" value="1200"' in page
    assert "Done." in done.content.decode()
    held = Charge.objects.get(status="authorized")
    assert (held.amount, held.currency, held.payment_method_remote_id) == (1200, "EUR", shop.card)
    assert shop.merchant.v1.payment_intents.retrieve(held.intent_remote_id).status == "requires_capture"


def test_discount_and_tax_id(login, agent, shop):
    client = login(agent)
    base = f"{customer_url(shop)}actions/%s/account/{shop.account().id}/"

    _, discount = preview_and_confirm(client, base % "coupon_apply", {"code": "SPRING25"})
    _, tax_id = preview_and_confirm(client, base % "tax_id_add", {"type": "tr_tin", "value": "0010001000"})

    assert "Done." in discount.content.decode() and "Done." in tax_id.content.decode()
    assert shop.subscription_row().coupon_remote_ids == ["QUARTER"]
    assert [(t.type, t.value) for t in shop.merchant.v1.customers.tax_ids.list(shop.customer).data] == [("tr_tin", "0010001000")]
    assert TaxId.objects.get().value == "0010001000"


def test_card_update_link_page_shows_the_gateways_address(login, agent, shop, stripe_fake):
    client = login(agent)
    url = f"{customer_url(shop)}actions/card_update_link/account/{shop.account().id}/"

    page, done = preview_and_confirm(client, url, {})

    body = done.content.decode()
    link = re.search(r'<input type="text" class="copy-field" readonly value="([^"]+)"', body).group(1)
    assert "Create a Stripe page where ayse.yilmaz@example.com can update their card." in page
    assert link.startswith(f"{stripe_fake.base_url}/checkout/cs_") and "Link created. Send it to the customer:" in body
    assert link not in str(AuditEvent.objects.get(event="succeeded").detail)


@pytest.mark.parametrize("price", ["another workspace", "another connection", "price_theirs", "dollars", "archived", "not-a-price",
                                   "99999999999999999999"])
def test_an_unknown_or_foreign_plan_is_a_clear_400(login, agent, workspace, other_workspace, shop, price):
    theirs, ours_elsewhere = foreign_price(other_workspace), foreign_price(workspace)
    value = {"another workspace": str(theirs.id), "another connection": str(ours_elsewhere.id), "dollars": str(shop.price("dollars").id),
             "archived": str(shop.price("archived").id)}.get(price, price)
    url = f"{customer_url(shop)}actions/subscription_create/account/{shop.account().id}/"

    response = login(agent).post(url, {"step": "preview", "price": value})

    assert response.status_code == 400
    assert "Choose one of the offered options for “Plan”." in response.content.decode()
    assert ActionAttempt.objects.count() == 0


def test_another_customers_account_or_a_mismatched_kind_is_not_found(login, agent, ada, shop):
    customer, _charge = ada
    client = login(agent)
    assert client.get(f"/customers/{customer.pk}/actions/tax_id_add/account/{shop.account().id}/").status_code == 404
    assert client.get(f"{customer_url(shop)}actions/tax_id_add/charge/{shop.account().id}/").status_code == 404
    assert client.get(f"{customer_url(shop)}actions/nonsense/account/{shop.account().id}/").status_code == 404
