"""The Freshdesk simulator in Chromium: open the ticket; the Chargeside app runs in the sidebar frame, asks us
for a panel URL through the simulated request proxy (the secret added server-side) and frames the panel;
refund with a reason inside it, and see the private note on the ticket. Screenshots go to
artifacts/screenshots/.

Run with `pytest -m browser tests/helpdesks/test_freshdesk_browser.py` (needs /usr/bin/chromium and playwright).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from chargeside.helpdesks.notes import deliver_due

from .freshdesk_helpers import *  # its fixtures
from .test_helpscout_browser import browser, erasable_audit, shoot  # noqa: F401  (fixtures and the screenshot helper)

pytestmark = [pytest.mark.browser]


def test_refund_from_the_freshdesk_sidebar_app_leaves_a_private_note(browser, erasable_audit, settings, live_server, workspace,  # noqa: F811
                                                                      freshdesk_sim, freshdesk_sim_connection, agent, paid_customer):
    merchant, charge_id = paid_customer
    settings.CHARGESIDE_PUBLIC_URL = live_server.url
    freshdesk_sim.iparams["chargeside_host"] = urlsplit(live_server.url).netloc  # what the admin types at install
    workspace.panel_frame_origins = freshdesk_sim.base_url  # Freshdesk's page and its app frame
    workspace.save()
    freshdesk_sim.add_agent(name="Sam Agent", email=agent.user.email, agent_id=42)
    ticket = freshdesk_sim.add_ticket(email="ayse.yilmaz@example.com", name="Ayşe Yılmaz", subject="Charged twice for order #1001",
                                      description="Hello, I was charged twice for my order. Could you refund one of them?")

    page = browser.new_page(viewport={"width": 1360, "height": 960})
    page.goto(freshdesk_sim.ticket_url(ticket, 42))
    panel = page.frame_locator("#app-chargeside iframe").frame_locator("#chargeside-panel")
    panel.get_by_text("Order #1001").wait_for()
    assert "TRY\u00a0120.00" in panel.locator("body").inner_text()
    assert f"From Freshdesk, ticket {ticket.id}" in panel.locator("body").inner_text()
    proxied = freshdesk_sim.state.proxied[-1]
    assert proxied["headers"]["Authorization"] == "Bearer fd-installation-secret" and "secret" not in proxied["url"]
    shoot(page, "freshdesk-ticket")

    charge = panel.locator("#section-charges li.item").first
    charge.get_by_role("button", name="Refund").click()
    charge.locator('input[name="mode"][value="partial"]').check()
    charge.locator('input[name="amount"]').fill("45.50")
    charge.locator('textarea[name="reason"]').fill("Charged twice")
    charge.get_by_role("button", name="Review").click()
    panel.locator(".confirm").wait_for()
    panel.get_by_role("button", name="Confirm refund").click()
    panel.get_by_text("Refund made: TRY\u00a045.50.").wait_for()
    shoot(page, "freshdesk-refund-done")

    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [4550]
    assert [n.status for n in deliver_due(now=timezone.now())] == ["sent"]  # the worker's turn
    page.reload()
    note = page.locator(".conv.note").first
    note.wait_for()
    assert "private note" in note.inner_text().lower() and "Refund made: TRY\u00a045.50" in note.inner_text()
    assert "Charged twice" in note.inner_text()
    panel.get_by_text("TRY\u00a074.50 left to refund").wait_for()
    shoot(page, "freshdesk-ticket-with-note")
