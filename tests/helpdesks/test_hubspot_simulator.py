"""The HubSpot simulator against a live Chargeside: its record page fetches our card signed as HubSpot does and
shows it in the sidebar (escaped), its confirmed hook button reaches our endpoint, and the note we post through
its CRM API shows in the record's activity."""

from __future__ import annotations

import urllib.request
from urllib.parse import urlencode

import pytest

from chargeside.billing.models import Invoice
from chargeside.helpdesks.notes import deliver_due

from . import hubspot_helpers
from .hubspot_helpers import action_of

# fixtures
hubspot_sim, hubspot_connection, scene, open_invoice, erasable_audit = (
    hubspot_helpers.hubspot_sim, hubspot_helpers.hubspot_connection, hubspot_helpers.scene, hubspot_helpers.open_invoice,
    hubspot_helpers.erasable_audit)


def get(url: str) -> str:
    return urllib.request.urlopen(url, timeout=15).read().decode()


def test_the_record_page_shows_the_card_a_confirmed_hook_runs_and_the_note_appears(
        erasable_audit, settings, live_server, hubspot_sim, hubspot_connection, scene, open_invoice):
    user, contact = scene
    settings.CHARGESIDE_PUBLIC_URL = live_server.url
    hubspot_sim.card_url = f"{live_server.url}/desk/hubspot/{hubspot_connection.webhook_token}/"

    page = get(hubspot_sim.record_url(contact, user["id"]))
    assert "Ayşe Yılmaz" in page and "Open in Chargeside" in page and "Send invoice" in page
    assert 'action="/_sim/hook"' in page and "data-iframe=" in page  # a hook form and IFRAME buttons

    _status, card = hubspot_sim.fetch_card(contact, user)
    uri = action_of(card, "invoice_send", Invoice.objects.get(remote_id=open_invoice).pk)["uri"]
    form = urlencode({"uri": uri, "record": contact.id, "user": user["id"]}).encode()
    answered = get_after_post(f"{hubspot_sim.base_url}/_sim/hook", form)
    assert "200: Invoice sent." in answered  # the record page again, with HubSpot's banner

    deliver_due()
    page = get(hubspot_sim.record_url(contact, user["id"]))
    assert page.count('class="note"') == 1 and "Invoice sent" in page


def get_after_post(url: str, form: bytes) -> str:
    request = urllib.request.Request(url, data=form, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"})
    return urllib.request.urlopen(request, timeout=15).read().decode()  # follows the 303 back to the record page


@pytest.mark.parametrize("uri", ["http://evil.example/desk/x", ""])
def test_the_hook_button_only_calls_the_cards_own_host(hubspot_sim, uri):
    record = hubspot_sim.add_contact(email="a@example.com")
    hubspot_sim.card_url = "http://127.0.0.1:9/desk/hubspot/t/"
    form = urlencode({"uri": uri, "record": record.id}).encode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        get_after_post(f"{hubspot_sim.base_url}/_sim/hook", form)
    assert refused.value.code == 400
