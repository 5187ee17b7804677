"""The Intercom simulator end to end over HTTP: its Inbox page calls Chargeside's Initialize URL (signed as
Intercom signs), renders the canvas as components, posts each submit (with every input of the canvas and the
current canvas) to the Submit URL, and shows the note Chargeside posts through the REST API. The second test
does the same in Chromium and takes screenshots (artifacts/screenshots/intercom-*.png)."""

from __future__ import annotations

import os
import re
import urllib.parse
import urllib.request
from html import unescape
from pathlib import Path

import pytest
from django.utils import timezone

from chargeside.helpdesks.notes import deliver_due

from . import test_helpscout_browser as hs_browser
from . import test_intercom_support as ic
from .test_intercom_support import ADMIN_ID

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

erasable_audit, CHROMIUM = hs_browser.erasable_audit, hs_browser.CHROMIUM  # the shared fixture
intercom_connection, intercom_sim, mapped_agent = ic.intercom_connection, ic.intercom_sim, ic.mapped_agent  # the shared fixtures


@pytest.fixture
def wired(settings, live_server, intercom_sim, intercom_connection, mapped_agent):
    settings.CHARGESIDE_PUBLIC_URL = live_server.url
    base = f"{live_server.url}/desk/intercom/{intercom_connection.webhook_token}/"
    intercom_sim.initialize_url, intercom_sim.submit_url = base, f"{base}submit/"
    return intercom_sim.add_conversation(email="ayse.yilmaz@example.com", name="Ayşe Yılmaz", title="Charged twice for order #1001",
                                         message="Hello, I was charged twice. Could you refund one of them?")


def fetch(url: str, form: dict | None = None) -> str:
    data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=30) as response:
        return response.read().decode()


def test_the_simulator_plays_intercom_over_http(erasable_audit, wired, intercom_sim, paid_customer):
    merchant, charge_id = paid_customer
    page_url = intercom_sim.conversation_url(wired, ADMIN_ID)
    submit_url = f"{intercom_sim.conversation_url(wired)}/submit?admin={ADMIN_ID}"

    page = fetch(page_url)
    assert "Order #1001" in unescape(page) and "TRY\u00a0120.00" in unescape(page)
    refund = re.search(r'value="(open:refund:\d+)"', page).group(1)
    form = fetch(submit_url, {"_component": refund})
    assert 'name="i:amount"' in form and 'name="i:reason"' in form
    confirm = fetch(submit_url, {"_component": refund.replace("open", "review"), "i:amount": "45.50", "i:reason": "Charged twice"})
    assert "Confirm refund" in confirm
    done = fetch(submit_url, {"_component": refund.replace("open", "run")})
    assert "Refund made: TRY\u00a045.50." in unescape(done)
    assert intercom_sim.state.submits[-1]["current_canvas"]["stored_data"]["params"]["amount_minor"] == "4550"

    assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [4550]
    assert [n.status for n in deliver_due(now=timezone.now())] == ["sent"]
    assert 'data-part="note"' in fetch(page_url) and len(intercom_sim.notes(wired.id)) == 1


@pytest.mark.browser
def test_refund_from_the_intercom_inbox_app_in_chromium(erasable_audit, wired, intercom_sim, paid_customer):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    merchant, charge_id = paid_customer
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(intercom_sim.conversation_url(wired, ADMIN_ID))
        app = page.locator("#chargeside-app")
        app.get_by_text("Order #1001").wait_for()
        page.screenshot(path=str(SCREENSHOTS / "intercom-conversation.png"), full_page=True)
        app.get_by_role("button", name="Refund").first.click()
        app.locator("#ck-amount").fill("45.50")
        app.locator("#ck-reason").fill("Charged twice")
        page.screenshot(path=str(SCREENSHOTS / "intercom-refund-form.png"), full_page=True)
        app.get_by_role("button", name="Review").click()
        app.get_by_role("button", name="Confirm refund").click()
        app.get_by_text("Refund made: TRY\u00a045.50.").wait_for()
        assert [r.amount for r in merchant.v1.refunds.list({"charge": charge_id}).data] == [4550]
        assert [n.status for n in deliver_due(now=timezone.now())] == ["sent"]
        page.goto(intercom_sim.conversation_url(wired, ADMIN_ID))
        note = page.locator('.part.note').first
        note.wait_for()
        assert "Refund made: TRY\u00a045.50" in note.inner_text() and "Charged twice" in note.inner_text()
        page.screenshot(path=str(SCREENSHOTS / "intercom-conversation-with-note.png"), full_page=True)
        browser.close()
