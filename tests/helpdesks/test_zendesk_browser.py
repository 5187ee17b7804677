"""The Zendesk simulator in Chromium: open the ticket (the agent page POSTs the signed ZAF JWT into the app frame,
the stand-in ZAF SDK tells the boot page which ticket is open), see the panel in the frame, refund with a reason,
and see the private note on the ticket. Screenshots go to artifacts/screenshots/.

Run with `pytest -m browser tests/helpdesks/test_zendesk_browser.py` (needs /usr/bin/chromium and playwright).
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from chargeside.helpdesks.notes import deliver_due

from . import zendesk_helpers
from .test_helpscout_browser import browser, erasable_audit, shoot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser]
zendesk_sim, zendesk_connection = zendesk_helpers.zendesk_sim, zendesk_helpers.zendesk_connection  # fixtures


def test_refund_from_the_zendesk_ticket_sidebar_leaves_a_private_note(browser, erasable_audit, settings, live_server,  # noqa: F811
                                                                     zendesk_sim, zendesk_connection, agent, paid_customer):
    merchant, charge_id = paid_customer
    settings.CHARGESIDE_PUBLIC_URL = live_server.url
    zendesk_sim.app_url = f"{live_server.url}/desk/zendesk/{zendesk_connection.webhook_token}/"
    agent.desk_identities = ["zendesk:42"]
    agent.save()
    zendesk_sim.add_user(name="Sam Agent", email="sam@acme.test", role="agent", locale="en-US", user_id=42)
    ayse = zendesk_sim.add_user(name="Ayşe Yılmaz", email="ayse.yilmaz@example.com", locale="tr")
    ticket = zendesk_sim.add_ticket(requester=ayse, subject="Charged twice for order #1001",
                                    message="Hello, I was charged twice for my order. Could you refund one of them?")

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(zendesk_sim.ticket_url(ticket, 42))
    app = page.frame_locator("#zaf-app")
    app.get_by_text("Order #1001").wait_for()
    assert "TRY\u00a0120.00" in app.locator("body").inner_text()
    shoot(page, "zendesk-ticket")

    charge = app.locator("#section-charges li.item").first
    charge.get_by_role("button", name="Refund").click()
    charge.locator('input[name="mode"][value="partial"]').check()
    charge.locator('input[name="amount"]').fill("45.50")
    charge.locator('textarea[name="reason"]').fill("Charged twice")
    charge.get_by_role("button", name="Review").click()
    app.locator(".confirm").wait_for()
    app.get_by_role("button", name="Confirm refund").click()
    app.get_by_text("Refund made: TRY\u00a045.50.").wait_for()
    shoot(page, "zendesk-refund-done")

    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [4550]
    assert [n.status for n in deliver_due(now=timezone.now())] == ["sent"]  # the worker's turn
    page.reload()
    note = page.locator(".comment.note").first
    note.wait_for()
    assert "Refund made: TRY\u00a045.50" in note.inner_text() and "Charged twice" in note.inner_text()
    page.frame_locator("#zaf-app").get_by_text("Order #1001").wait_for()
    assert "TRY\u00a074.50 left to refund" in page.frame_locator("#zaf-app").locator("body").inner_text()
    shoot(page, "zendesk-ticket-with-note")
