"""The HubSpot simulator in Chromium: open the contact (the simulator fetches our card signed as HubSpot does and
renders it in the sidebar), click the charge's Refund (an IFRAME action: our form in HubSpot's modal), refund with
a reason, close the modal and see the note in the record's activity. Screenshots go to artifacts/screenshots/.

Run with `pytest -m browser tests/helpdesks/test_hubspot_browser.py` (needs /usr/bin/chromium and playwright).
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from chargeside.helpdesks.notes import deliver_due

from . import hubspot_helpers
from . import test_helpscout_browser as helpscout_browser

browser, shoot = helpscout_browser.browser, helpscout_browser.shoot
hubspot_sim, hubspot_connection, scene, erasable_audit = (
    hubspot_helpers.hubspot_sim, hubspot_helpers.hubspot_connection, hubspot_helpers.scene, hubspot_helpers.erasable_audit)
pytestmark = [pytest.mark.browser]


def test_refund_from_the_hubspot_card_leaves_a_note(browser, erasable_audit, settings, live_server, hubspot_sim,
                                                     hubspot_connection, scene, workspace, paid_customer):
    merchant, charge_id = paid_customer
    user, contact = scene
    settings.CHARGESIDE_PUBLIC_URL = live_server.url
    hubspot_sim.card_url = f"{live_server.url}/desk/hubspot/{hubspot_connection.webhook_token}/"
    workspace.panel_frame_origins = hubspot_sim.base_url  # the simulator plays https://app.hubspot.com
    workspace.save()

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(hubspot_sim.record_url(contact, user["id"]))
    card = page.locator("#chargeside-card")
    card.get_by_text("Order #1001").wait_for()
    assert "TRY\u00a0120.00" in card.inner_text()
    shoot(page, "hubspot-contact")

    card.get_by_role("button", name="Refund").first.click()
    modal = page.frame_locator("#hs-frame")
    charge = modal.locator("#section-charges li.item, ul.items li.item").first
    charge.locator('input[name="mode"][value="partial"]').wait_for()
    charge.locator('input[name="mode"][value="partial"]').check()
    charge.locator('input[name="amount"]').fill("45.50")
    charge.locator('textarea[name="reason"]').fill("Charged twice")
    charge.get_by_role("button", name="Review").click()
    modal.locator(".confirm").wait_for()
    modal.get_by_role("button", name="Confirm refund").click()
    modal.get_by_text("Refund made: TRY\u00a045.50.").wait_for()
    shoot(page, "hubspot-modal-refund-done")

    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [4550]
    assert [n.status for n in deliver_due(now=timezone.now())] == ["sent"]  # the worker's turn
    page.get_by_role("button", name="Close").click()  # HubSpot reloads the record when its modal closes
    note = page.locator("#activity .note").first
    note.wait_for()
    assert "Refund made: TRY\u00a045.50" in note.inner_text() and "Charged twice" in note.inner_text()
    page.locator("#chargeside-card").get_by_text("TRY\u00a074.50 left to refund").wait_for()
    shoot(page, "hubspot-contact-with-note")
