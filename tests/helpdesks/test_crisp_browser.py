"""The Crisp simulator in Chromium: open the conversation in the inbox, see our widget in its iframe in the
sidebar (Crisp's GET with the website token), refund from inside the widget, and see the private note appear in
the conversation. Screenshots go to artifacts/screenshots/ (crisp-*.png).

Run with `pytest -m browser tests/helpdesks/test_crisp_browser.py` (needs /usr/bin/chromium and playwright).
"""

from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path

import pytest
from django.utils import timezone

from chargeside.connections.models import Connection
from chargeside.helpdesks.notes import deliver_due

pytestmark = [pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
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


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def erasable_audit(transactional_db):
    """The audit trail's append-only triggers would refuse the flush that ends a live-server test."""
    yield
    from django.db import connection

    triggers = import_module("chargeside.actions.migrations.0002_audit_append_only_triggers")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in triggers.SQLITE_DOWN:
                cursor.execute(statement)
            cursor.execute("DELETE FROM actions_auditevent")
            for statement in triggers.SQLITE_UP:
                cursor.execute(statement)
        else:
            cursor.execute("ALTER TABLE actions_auditevent DISABLE TRIGGER actions_auditevent_append_only")
            cursor.execute("DELETE FROM actions_auditevent")
            cursor.execute("ALTER TABLE actions_auditevent ENABLE TRIGGER actions_auditevent_append_only")


@pytest.fixture
def crisp_sim():
    from chargeside.sandbox.crisp import CrispSimulator

    sim = CrispSimulator()
    sim.start()
    yield sim
    sim.stop()


def test_refund_from_the_crisp_widget_leaves_a_note(browser, erasable_audit, settings, live_server, crisp_sim, workspace,
                                                   agent, paid_customer):
    merchant, charge_id = paid_customer
    settings.CHARGESIDE_PUBLIC_URL = live_server.url
    connection = Connection(workspace=workspace, kind=Connection.Kind.HELPDESK, provider="crisp", name="Crisp", settings={
        "website_id": crisp_sim.website_id, "plugin_identifier": crisp_sim.identifier, "api_base_url": crisp_sim.base_url,
        "app_url": crisp_sim.base_url,
    })
    connection.set_credentials({"widget_token": crisp_sim.widget_token, "plugin_key": crisp_sim.key})
    connection.save()
    crisp_sim.widget_url = f"{live_server.url}/desk/crisp/{connection.webhook_token}/"
    operator = crisp_sim.add_operator(first_name="Sam", last_name="Agent", email=agent.user.email)
    conversation = crisp_sim.add_conversation(email="ayse.yilmaz@example.com", nickname="Ayşe Yılmaz",
                                              message="Hello, I was charged twice for order #1001. Could you refund one?")

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(crisp_sim.inbox_url(conversation, operator))
    widget = page.frame_locator('iframe[title="Chargeside"]')
    widget.get_by_text("Order #1001").wait_for()
    assert "TRY\u00a0120.00" in widget.locator("body").inner_text()
    shoot(page, "crisp-conversation")

    widget.get_by_role("button", name="Refund").first.click()
    charge = widget.locator("#section-charges li.item").first
    charge.locator('input[name="mode"][value="partial"]').check()
    charge.locator('input[name="amount"]').fill("45.50")
    charge.locator('textarea[name="reason"]').fill("Charged twice")
    charge.get_by_role("button", name="Review").click()
    widget.locator(".confirm").wait_for()
    widget.get_by_role("button", name="Confirm refund").click()
    widget.get_by_text("Refund made: TRY\u00a045.50.").wait_for()
    shoot(page, "crisp-widget-refund-done")

    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [4550]
    assert [n.status for n in deliver_due(now=timezone.now())] == ["sent"]  # the worker's turn
    page.reload()
    note = page.locator('.msg.note').first
    note.wait_for()
    assert "Refund made: TRY\u00a045.50" in note.inner_text() and "Charged twice" in note.inner_text()
    assert len(crisp_sim.notes(conversation.session_id)) == 1
    shoot(page, "crisp-conversation-with-note")
