"""The demo ticket page in a real browser: the panel in its iframe, a partial refund with a reason, the new
state and the audit entry, in English and in Turkish, at Stripe and (the demo's five gateways) at Braintree and
PayPal. Screenshots go to artifacts/screenshots/.

Needs Debian's chromium (`apt-get install -y chromium`) and the `playwright` package; run with
`pytest -m browser tests/panel/test_panel_browser.py`.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
import stripe

from .test_panel_refund_e2e import load_everything

pytestmark = [pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body are sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run",
        ])
        yield browser
        browser.close()


@pytest.fixture
def demo_shop(erasable_audit, settings, workspace, stripe_fake, stripe_connection, live_server):
    """The demo page pointed at `workspace`, with Ayşe's payment of 1,200.00 TRY synced from the fake."""
    settings.CHARGESIDE_DEMO_WORKSPACE = workspace.slug
    merchant = stripe.StripeClient("sk_test_chargeside", base_addresses={"api": stripe_fake.base_url}, max_network_retries=0)
    customer = merchant.v1.customers.create({"email": "ayse.yilmaz@example.com", "name": "Ayşe Yılmaz"})
    pm = merchant.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
    merchant.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": pm.id}})
    intent = merchant.v1.payment_intents.create({
        "amount": 120000, "currency": "try", "customer": customer.id, "payment_method": pm.id, "confirm": True,
        "off_session": True, "payment_method_types": ["card"], "description": "Order #1001",
    })
    other = merchant.v1.customers.create({"email": "james.smith@example.com", "name": "James Smith"})
    load_everything(stripe_connection)
    return merchant, intent.latest_charge, other


def refund_in_the_panel(page, *, refund_label: str, partial: str, review: str, confirm: str, amount: str, reason: str):
    panel = page.frame_locator("iframe.panel-frame")
    charge = panel.locator("#section-charges li.item").first
    charge.get_by_role("button", name=refund_label).click()
    charge.locator('input[name="mode"][value="partial"]').check()
    charge.locator('input[name="amount"]').fill(amount)
    charge.locator('textarea[name="reason"]').fill(reason)
    charge.get_by_role("button", name=review).click()
    charge.locator(".confirm").wait_for()
    return panel, charge


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_partial_refund_from_the_demo_ticket_in_english(browser, demo_shop, live_server, agent):
    merchant, charge_id, _ = demo_shop
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/demo/")
    panel = page.frame_locator("iframe.panel-frame")
    panel.get_by_text("Ayşe Yılmaz").first.wait_for()
    assert "TRY\u00a01,200.00" in panel.locator("table.totals").inner_text()
    shoot(page, "demo_en_1_ticket")

    panel, charge = refund_in_the_panel(page, refund_label="Refund", partial="Partial", review="Review", confirm="Confirm refund",
                                        amount="250.50", reason="Charged twice for order #1001")
    assert "TRY\u00a0949.50" in charge.locator(".confirm").inner_text()  # what remains after
    shoot(page, "demo_en_2_confirm")
    charge.get_by_role("button", name="Confirm refund").click()

    panel.get_by_text("Refund made: TRY\u00a0250.50.").wait_for()
    assert "TRY\u00a0949.50 left to refund" in panel.locator("#section-charges").inner_text()
    actions = panel.locator("#section-recent_actions").inner_text()
    assert "Refund succeeded" in actions and "Charged twice for order #1001" in actions and "You" in actions
    assert [(r.amount, r.status) for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [(25050, "succeeded")]
    shoot(page, "demo_en_3_done")


def test_partial_refund_from_the_demo_ticket_in_turkish(browser, demo_shop, live_server, workspace, make_member):
    merchant, charge_id, _ = demo_shop
    make_member(workspace, "agent", username="deniz", language="tr")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/demo/?lang=tr")
    panel = page.frame_locator("iframe.panel-frame")
    panel.get_by_text("Ödemeler").first.wait_for()
    assert "₺1.200,00" in panel.locator("table.totals").inner_text()
    assert "Siparişim için iki kez" in page.locator(".ticket-subject").inner_text()
    shoot(page, "demo_tr_1_ticket")

    panel, charge = refund_in_the_panel(page, refund_label="İade et", partial="Kısmi", review="Gözden geçir", confirm="İadeyi onayla",
                                        amount="100,25", reason="Çift ödeme")
    assert "₺1.099,75" in charge.locator(".confirm").inner_text()
    shoot(page, "demo_tr_2_confirm")
    charge.get_by_role("button", name="İadeyi onayla").click()

    panel.get_by_text("İade yapıldı: ₺100,25.").wait_for()
    actions = panel.locator("#section-recent_actions").inner_text()
    assert "İade başarılı" in actions and "Çift ödeme" in actions
    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [10025]
    shoot(page, "demo_tr_3_done")


def test_the_picker_opens_another_customers_ticket(browser, demo_shop, live_server):
    _, _, other = demo_shop
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/demo/")
    page.get_by_role("link", name="James Smith").click()

    panel = page.frame_locator("iframe.panel-frame")
    panel.get_by_text("james.smith@example.com").first.wait_for()
    assert "No payments yet." in panel.locator("#section-charges").inner_text()
    shoot(page, "demo_en_4_other_customer")


def test_a_busy_customer_fits_a_320_px_sidebar_without_sideways_scrolling(browser, erasable_audit, live_server, workspace, ayse, agent):
    from .conftest import signed_query

    for language in ("en", "tr"):
        page = browser.new_page(viewport={"width": 320, "height": 1400})
        page.goto(f"{live_server.url}/panel/?{signed_query(workspace, agent=agent.user.email, lang=language)}")
        page.locator("#section-charges").wait_for()

        assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
        assert page.locator(".alert").count() == 4
        page.get_by_role("button", name="Show 1 more" if language == "en" else "1 tane daha göster").click()
        page.locator("#section-charges li.item").nth(5).wait_for()
        assert page.locator("#section-charges li.item").count() == 6
        shoot(page, f"panel_320_{language}")


def test_actions_menu_and_plan_change_in_a_320_px_sidebar(browser, erasable_audit, live_server, workspace, stripe_fake,
                                                         stripe_connection, agent):
    from .conftest import signed_query
    from .shop import EMAIL, open_shop

    shop = open_shop(stripe_fake, stripe_connection)
    page = browser.new_page(viewport={"width": 320, "height": 900})
    page.goto(f"{live_server.url}/panel/?{signed_query(workspace, emails=[EMAIL], agent=agent.user.email, lang='en')}")

    # the customer-level actions sit in a small menu under the header
    page.get_by_text("Actions", exact=True).click()
    entries = page.locator(".menu-list .menu-item")
    assert entries.all_inner_texts() == ["Start a subscription", "Authorise a payment", "Apply a discount", "Add a tax id",
                                         "Card update link"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
    shoot(page, "panel_320_actions_menu")
    page.get_by_role("button", name="Start a subscription").click()
    plans = page.locator('.slot select[name="price"] option')
    plans.first.wait_for(state="attached")
    assert plans.all_inner_texts() == ["Business (€49.00 / month)", "Pro (€29.00 / month)"]
    assert not page.locator("details.menu").evaluate("menu => menu.open")
    shoot(page, "panel_320_subscription_form")
    page.get_by_role("button", name="Cancel", exact=True).click()

    # a plan change shows the gateway's proration and the next invoice before anything changes
    subscription = page.locator("#section-subscriptions li.item").first
    subscription.get_by_role("button", name="Change plan").click()
    subscription.locator('select[name="price"]').select_option(label="Business (€49.00 / month)")
    subscription.get_by_role("button", name="Review").click()
    confirm = subscription.locator(".confirm")
    confirm.wait_for()
    assert "Proration" in confirm.inner_text() and "Next invoice" in confirm.inner_text()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
    confirm.scroll_into_view_if_needed()
    shoot(page, "panel_320_plan_change_confirm")
    confirm.get_by_role("button", name="Confirm plan change").click()
    page.get_by_text("Plan changed.").wait_for()
    assert shop.merchant.v1.subscriptions.retrieve(shop.subscription)["items"].data[0].price.id == shop.prices["business"]

    # the card update link is the gateway's page, to copy into the reply
    page.get_by_text("Actions", exact=True).click()
    page.get_by_role("button", name="Card update link").click()
    page.get_by_role("button", name="Review").click()
    page.get_by_role("button", name="Create the link").click()
    link = page.locator(".copy-field")
    link.wait_for()
    assert link.input_value().startswith(f"{stripe_fake.base_url}/checkout/cs_")
    shoot(page, "panel_320_card_link")


@pytest.fixture
def five_gateway_demo(erasable_audit, settings, stripe_fake, live_server):
    """The demo as `chargeside demo` sets it up (seeded fakes, a connection each with its webhook registered at
    the provider, a backfill), on free ports and with small seeds, its webhooks pointed at the live server."""
    from django.core.management import call_command

    from chargeside.sandbox.demo_gateways import PROVIDERS, start_demo_gateways
    from chargeside.sandbox.demo_setup import ensure_demo_workspace, register_stripe_webhook, register_webhooks
    from chargeside.sandbox.stripe.seed import seed

    seed(stripe_fake, customers=3)
    gateways = start_demo_gateways({provider: 0 for provider in PROVIDERS}, customers=2)
    try:
        demo = ensure_demo_workspace(stripe_base_url=stripe_fake.base_url, gateways=gateways)
        register_stripe_webhook(demo.connection, live_server.url)
        register_webhooks(demo, live_server.url, gateways)
        for connection in demo.connections:
            call_command("backfill", connection=connection.pk, verbosity=0)
        settings.CHARGESIDE_DEMO_WORKSPACE = demo.workspace.slug
        yield demo, gateways
    finally:
        gateways.stop()


def charge_item(panel, provider: str, amount: str):
    return panel.locator("#section-charges li.item").filter(has_text=provider).filter(has_text=amount)


def refund_item(charge, *, refund_label: str, review: str, amount: str, reason: str) -> None:
    charge.get_by_role("button", name=refund_label).click()
    charge.locator('input[name="mode"][value="partial"]').check()
    charge.locator('input[name="amount"]').fill(amount)
    charge.locator('textarea[name="reason"]').fill(reason)
    charge.get_by_role("button", name=review).click()
    charge.locator(".confirm").wait_for()


def test_partial_refund_of_a_braintree_payment_of_the_demo_customer(browser, five_gateway_demo, live_server):
    from chargeside.actions.models import AuditEvent

    demo, gateways = five_gateway_demo
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/demo/")
    panel = page.frame_locator("iframe.panel-frame")
    panel.get_by_text("Ayşe Yılmaz").first.wait_for()
    totals = panel.locator("table.totals").inner_text()
    assert "TRY" in totals and "$238.00" in totals and "€134.00" in totals  # one customer, three gateways, three currencies
    assert sorted(t.lower() for t in panel.locator(".badge-provider").all_inner_texts()) == ["braintree", "paypal", "stripe"]
    shoot(page, "demo_five_en_1_ticket")

    charge = charge_item(panel, "braintree", "TRY\u00a0749.90")
    refund_item(charge, refund_label="Refund", review="Review", amount="100.00", reason="Charged twice, Braintree order")
    assert "TRY\u00a0649.90" in charge.locator(".confirm").inner_text()
    shoot(page, "demo_five_en_2_braintree_confirm")
    charge.get_by_role("button", name="Confirm refund").click()

    panel.get_by_text("Refund made: TRY\u00a0100.00.").wait_for()
    assert "TRY\u00a0649.90 left to refund" in charge_item(panel, "braintree", "TRY\u00a0749.90").inner_text()
    actions = panel.locator("#section-recent_actions").inner_text()
    assert "Refund succeeded" in actions and "Charged twice, Braintree order" in actions
    entry = AuditEvent.objects.get(workspace=demo.workspace, event="succeeded", action="refund")
    assert (entry.target.split(":")[0], entry.amount, entry.currency) == ("braintree", 10000, "TRY")
    store = gateways.fakes["braintree"].store
    refunded = store.transaction(entry.target.split(":", 1)[1])
    assert store.refunded_so_far(refunded) == Decimal("100.00")
    shoot(page, "demo_five_en_3_braintree_done")


def test_partial_refund_of_a_paypal_payment_in_turkish(browser, five_gateway_demo, live_server, make_member):
    demo, gateways = five_gateway_demo
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/demo/?lang=tr")
    panel = page.frame_locator("iframe.panel-frame")
    panel.get_by_text("Ödemeler").first.wait_for()
    assert "$238,00" in panel.locator("table.totals").inner_text()
    panel.get_by_role("button", name=re.compile("tane daha göster")).click()
    charge = charge_item(panel, "paypal", "$89,00")
    charge.wait_for()
    shoot(page, "demo_five_tr_1_ticket")

    refund_item(charge, refund_label="İade et", review="Gözden geçir", amount="10,50", reason="Çift ödeme (PayPal)")
    assert "$78,50" in charge.locator(".confirm").inner_text()
    shoot(page, "demo_five_tr_2_paypal_confirm")
    charge.get_by_role("button", name="İadeyi onayla").click()

    panel.get_by_text("İade yapıldı: $10,50.").wait_for()
    actions = panel.locator("#section-recent_actions").inner_text()
    assert "İade başarılı" in actions and "Çift ödeme (PayPal)" in actions
    shoot(page, "demo_five_tr_3_paypal_done")


def test_the_demo_customer_on_three_gateways_fits_a_320_px_sidebar(browser, five_gateway_demo, live_server):
    for language in ("en", "tr"):
        page = browser.new_page(viewport={"width": 320 + 16, "height": 1400})
        page.goto(f"{live_server.url}/demo/?lang={language}")
        src = page.locator("iframe.panel-frame").get_attribute("src")
        page.set_viewport_size({"width": 320, "height": 1400})
        page.goto(f"{live_server.url}{src}")
        page.locator("#section-charges").wait_for()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
        shoot(page, f"demo_five_panel_320_{language}")
