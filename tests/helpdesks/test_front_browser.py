"""The Front simulator in Chromium: open the conversation (Front's page with our plugin in the sidebar iframe;
the simulator answers the real plugin SDK's handshake with the conversation's context), see the panel in the
frame, refund with a reason, and see the comment appear on the conversation. Screenshots go to
artifacts/screenshots/.

Run with `pytest -m browser tests/helpdesks/test_front_browser.py` (needs /usr/bin/chromium and playwright).
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from chargeside.helpdesks.notes import deliver_due

from . import front_desk_helpers
from . import test_helpscout_browser as helpscout_browser

front_sim, front = front_desk_helpers.front_sim, front_desk_helpers.front  # the shared fixtures
browser, erasable_audit, shoot = helpscout_browser.browser, helpscout_browser.erasable_audit, helpscout_browser.shoot
pytestmark = [pytest.mark.browser]


def test_refund_from_the_front_plugin_leaves_a_comment(browser, erasable_audit, settings, live_server, front_sim, front,
                                                       workspace, agent, paid_customer):
    merchant, charge_id = paid_customer
    settings.CHARGESIDE_PUBLIC_URL = live_server.url
    front_sim.plugin_url = f"{live_server.url}/desk/front/{front.webhook_token}/plugin/"
    workspace.panel_frame_origins = front_sim.base_url  # the simulator plays https://*.frontapp.com
    workspace.save()
    teammate = front_sim.add_teammate(name="Sam Agent", email=agent.user.email)
    conversation = front_sim.add_conversation(
        email="ayse.yilmaz@example.com", name="Ayşe Yılmaz", subject="Charged twice for order #1001",
        message="Hello, I was charged twice for my order. Could you refund one of them?")

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(front_sim.conversation_url(conversation, teammate["id"]))
    panel = page.frame_locator("#plugin-frame").frame_locator("#cs-front-panel")
    panel.get_by_text("Order #1001").wait_for()
    assert "TRY\u00a0120.00" in panel.locator("body").inner_text()
    assert "From Front, ticket " + conversation.id in panel.locator("body").inner_text()
    shoot(page, "front-conversation")

    charge = panel.locator("#section-charges li.item").first
    charge.get_by_role("button", name="Refund").click()
    charge.locator('input[name="mode"][value="partial"]').check()
    charge.locator('input[name="amount"]').fill("45.50")
    charge.locator('textarea[name="reason"]').fill("Charged twice")
    charge.get_by_role("button", name="Review").click()
    panel.locator(".confirm").wait_for()
    panel.get_by_role("button", name="Confirm refund").click()
    panel.get_by_text("Refund made: TRY\u00a045.50.").wait_for()
    shoot(page, "front-plugin-refund-done")

    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [4550]
    assert [n.status for n in deliver_due(now=timezone.now())] == ["sent"]  # the worker's turn
    comment = page.locator("#comments .comment").first
    comment.wait_for()  # the page polls the conversation's comments
    assert "Refund made: TRY\u00a045.50" in comment.inner_text() and "Charged twice" in comment.inner_text()
    assert "TRY\u00a074.50 left to refund" in panel.locator("body").inner_text()
    shoot(page, "front-conversation-with-comment")
