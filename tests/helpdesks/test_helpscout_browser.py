"""The Help Scout simulator in Chromium: open the conversation (the simulator calls Chargeside's callback and
shows the sidebar HTML), follow the refund deep link, refund with a reason, and see the private note on the
conversation. Screenshots go to artifacts/screenshots/.

Run with `pytest -m browser tests/helpdesks/test_helpscout_browser.py` (needs /usr/bin/chromium and playwright).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import timezone

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
    """The audit trail's append-only triggers would refuse the flush that ends a live-server test on SQLite."""
    yield
    from importlib import import_module

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


def test_refund_from_the_help_scout_sidebar_leaves_a_note(browser, erasable_audit, settings, live_server, helpscout_sim,
                                                         helpscout_connection, agent, paid_customer):
    merchant, charge_id = paid_customer
    settings.CHARGESIDE_PUBLIC_URL = live_server.url
    helpscout_sim.callback_url = f"{live_server.url}/desk/helpscout/{helpscout_connection.webhook_token}/"
    agent.desk_identities = ["helpscout:42"]
    agent.save()
    helpscout_sim.add_user(fname="Sam", lname="Agent", user_id=42)
    conversation = helpscout_sim.add_conversation(
        email="ayse.yilmaz@example.com", fname="Ayşe", lname="Yılmaz", subject="Charged twice for order #1001",
        message="Hello, I was charged twice for my order. Could you refund one of them?")

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(helpscout_sim.conversation_url(conversation, 42))
    app = page.locator("#app-chargeside")
    app.get_by_text("Order #1001").wait_for()
    assert "TRY\u00a0120.00" in app.inner_text()
    shoot(page, "helpscout-conversation")

    with page.context.expect_page() as opened:
        app.get_by_role("link", name="Refund").first.click()
    action = opened.value
    action.set_viewport_size({"width": 420, "height": 900})
    charge = action.locator("#section-charges li.item, ul.items li.item").first
    charge.locator('input[name="mode"][value="partial"]').wait_for()
    charge.locator('input[name="mode"][value="partial"]').check()
    charge.locator('input[name="amount"]').fill("45.50")
    charge.locator('textarea[name="reason"]').fill("Charged twice")
    charge.get_by_role("button", name="Review").click()
    action.locator(".confirm").wait_for()
    action.get_by_role("button", name="Confirm refund").click()
    action.get_by_text("Refund made: TRY\u00a045.50.").wait_for()
    shoot(action, "helpscout-deeplink-refund-done")

    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [4550]
    assert [n.status for n in deliver_due(now=timezone.now())] == ["sent"]  # the worker's turn
    page.reload()
    note = page.locator(".thread.note").first
    note.wait_for()
    assert "Refund made: TRY\u00a045.50" in note.inner_text() and "Charged twice" in note.inner_text()
    assert "TRY\u00a074.50 left to refund" in page.locator("#app-chargeside").inner_text()
    shoot(page, "helpscout-conversation-with-note")
