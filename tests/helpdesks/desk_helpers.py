"""Helpers shared by the helpdesk tests (a uniquely named module: test folders must not import conftest)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def sign(secret: str, body: bytes) -> str:
    """Help Scout's and FreeScout's scheme, computed here independently of Chargeside's code."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha1).digest()).decode()


def callback_path(connection) -> str:
    return f"/desk/{connection.provider}/{connection.webhook_token}/"


def post_callback(client, connection, body: bytes, *, secret: str | None = None, header: str = "X-HelpScout-Signature",
                  signature: str | None = None):
    secret = connection.credentials["secret_key"] if secret is None else secret
    headers = {header: signature if signature is not None else sign(secret, body)}
    return client.post(callback_path(connection), data=body, content_type="application/json", headers=headers)


def deep_links(html: str) -> list[tuple[str, str, str]]:
    """(action or "", item id or "", path and query for the test client) of every deep link in the HTML."""
    found = []
    for href in re.findall(r'href="([^"]*/open/\?[^"]*)"', html):
        url = urlsplit(unescape(href))
        query = parse_qs(url.query)
        found.append(((query.get("do") or [""])[0], (query.get("item") or [""])[0], f"{url.path}?{url.query}"))
    return found


def panel_token(html: str) -> str:
    return re.search(r'"X-Panel-Token": "([^"]+)"', html).group(1)


def hidden_fields(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


def jane_dtos(name: str = "Jane Doe") -> list:
    """A small customer with fixed dates (the render snapshot must not move with the calendar)."""
    import datetime as dt

    from chargeside.gateways import types as t

    def at(day: str) -> dt.datetime:
        return dt.datetime.fromisoformat(f"{day}T10:00:00+00:00")

    return [
        t.CustomerDTO(remote_id="cus_jane", email="jane@example.com", name=name, created_at=at("2026-01-02")),
        t.ChargeDTO(remote_id="ch_jane_1", customer_remote_id="cus_jane", amount=123456, currency="TRY",
                    status=t.ChargeStatus.SUCCEEDED, amount_captured=123456, description="Order #1001", created_at=at("2026-11-20")),
        t.ChargeDTO(remote_id="ch_jane_2", customer_remote_id="cus_jane", amount=5000, currency="TRY",
                    status=t.ChargeStatus.PARTIALLY_REFUNDED, amount_captured=5000, amount_refunded=2000, created_at=at("2026-10-01")),
        t.RefundDTO(remote_id="re_jane", charge_remote_id="ch_jane_2", amount=2000, currency="TRY",
                    status=t.RefundStatus.SUCCEEDED, reason="requested_by_customer", created_at=at("2026-10-02")),
        t.SubscriptionDTO(remote_id="sub_jane", customer_remote_id="cus_jane", status=t.SubscriptionStatus.ACTIVE, plan_name="Pro",
                          amount=29900, currency="TRY", interval="month", current_period_start=at("2026-11-01"),
                          current_period_end=at("2099-12-01"), created_at=at("2026-01-02")),
        t.InvoiceDTO(remote_id="in_jane", customer_remote_id="cus_jane", status=t.InvoiceStatus.PAID, currency="TRY", total=29900,
                     amount_paid=29900, number="INV-0007", created_at=at("2026-11-01")),
    ]


def normalised(html: str) -> str:
    """The HTML with what changes per run (deep links' expiry and signature, row ids, tokens) made stable."""
    def link(match):
        query = parse_qs(urlsplit(unescape(match.group(1))).query)
        return f'href="DEEPLINK[{(query.get("do") or ["panel"])[0]}]"'

    return re.sub(r'href="([^"]*/open/\?[^"]*)"', link, html)
