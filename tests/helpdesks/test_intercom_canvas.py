"""The panel as Canvas Kit components: a snapshot of the whole canvas, the generic panel's order and money
formatting, hostile names inert in Canvas Kit's markdown, read-only teammates, the teammate's language."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from chargeside.billing.upsert import upsert_many
from chargeside.connections.models import Connection

from . import test_intercom_support as ic
from .desk_helpers import jane_dtos
from .test_intercom_support import (
    buttons,
    components,
    fixture,
    initialize_path,
    post_canvas,
    texts,
)

intercom_connection, intercom_sim, jane, mapped_agent = ic.intercom_connection, ic.intercom_sim, ic.jane, ic.mapped_agent  # the shared fixtures

pytestmark = pytest.mark.django_db
SNAPSHOTS = Path(__file__).parent / "snapshots"
BODY = fixture("initialize.json")  # Jane Doe, teammate admin 814860 (sam.agent@example.com)


def stable(comps: list[dict]) -> str:
    """The canvas with what changes per run (deep links' expiry and signature, row ids) made stable."""
    text = json.dumps(comps, ensure_ascii=False, indent=1)
    text = re.sub(r'"url": "[^"]*/open/\?[^"]*"', '"url": "DEEPLINK"', text)
    return re.sub(r'"id": "(open|review|run):([a-z_]+):\d+"', r'"id": "\1:\2:ID"', text)


def test_render_snapshot(client, intercom_connection, jane, mapped_agent):
    comps = components(post_canvas(client, initialize_path(intercom_connection), BODY))

    snapshot = SNAPSHOTS / "intercom_canvas_en.json"
    if not snapshot.exists():  # written once, read by a person, then committed
        snapshot.parent.mkdir(exist_ok=True)
        snapshot.write_text(stable(comps))
        pytest.fail(f"wrote {snapshot.name}: read it, then commit it")
    assert stable(comps) == snapshot.read_text()


def test_same_information_and_order_as_the_generic_panel(client, intercom_connection, jane, mapped_agent):
    response = post_canvas(client, initialize_path(intercom_connection), BODY)
    assert response.status_code == 200
    comps = components(response)
    shown = texts(comps)
    assert "Jane Doe" in shown and "TRY\u00a01,234\\.56" in shown and "Order \\#1001" in shown
    headers = [c["text"] for c in comps if c["type"] == "text" and c["style"] == "header"]
    order = [h.split("*")[1] for h in headers]
    assert order.index("Payments") < order.index("Subscriptions") < order.index("Invoices") < order.index("Refunds")
    assert {"open:refund", "open:subscription_cancel", "open:coupon_apply"} <= {b.rsplit(":", 1)[0] for b in buttons(comps)}
    assert any(c["type"] == "data-table" for c in comps)  # the totals
    assert comps[-1]["action"]["type"] == "url"  # "Open in Chargeside": a signed deep link


def test_hostile_names_and_descriptions_stay_text(client, workspace, intercom_connection, mapped_agent):
    connection = Connection.objects.create(workspace=workspace, provider="stripe", name="[evil](https://evil.example)")
    dtos = jane_dtos(name="*boss* [click](https://evil.example) <script>alert(1)</script>")
    dtos[1] = dataclasses.replace(dtos[1], description='[pay here](javascript:alert(1)) _x_ \\')
    upsert_many(connection, dtos)

    comps = components(post_canvas(client, initialize_path(intercom_connection), BODY))

    shown = texts(comps)
    assert "\\*boss\\* \\[click\\]\\(https://evil\\.example\\) \\<script\\>alert\\(1\\)\\</script\\>" in shown
    assert "\\[pay here\\]\\(javascript:alert\\(1\\)\\) \\_x\\_ \\\\" in shown
    assert "[click](" not in shown.replace("\\[click\\](", "") and "](javascript" not in shown

    from chargeside.sandbox.intercom.page import canvas_html

    html = canvas_html({"content": {"components": comps}})  # as the simulator (Intercom) renders it
    assert "<script" not in html and 'href="https://evil' not in html and "javascript:" not in html.replace("[pay here](javascript:alert(1))", "")
    assert "*boss* [click](https://evil.example) &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_unmapped_teammate_sees_the_panel_read_only_with_what_to_do(client, intercom_connection, jane, agent):
    body = BODY.replace(b'"email":"sam.agent@example.com"', b'"email":"stranger@example.com"')
    comps = components(post_canvas(client, initialize_path(intercom_connection), body))
    assert comps[0]["style"] == "error" and "Read\\-only" in comps[0]["text"] and "stranger@example\\.com" in comps[0]["text"]
    assert buttons(comps) == []  # no submit buttons: nothing to act with
    assert "Jane Doe" in texts(comps)


def test_the_teammate_locale_picks_the_language(client, intercom_connection, jane, mapped_agent):
    body = BODY.replace(b'"locale":"en"', b'"locale":"tr"')
    shown = texts(components(post_canvas(client, initialize_path(intercom_connection), body)))
    assert "Ödemeler" in shown and "Payments" not in shown


def test_no_billing_record_says_so(client, intercom_connection, mapped_agent):
    shown = texts(components(post_canvas(client, initialize_path(intercom_connection), BODY)))
    assert "No billing found for jane@example.com" in shown.replace("\\", "")
