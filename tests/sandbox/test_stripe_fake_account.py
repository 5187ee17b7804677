"""``GET /v1/account``: the account behind the API key, as ``accounts.retrieve_current`` reads it."""

from __future__ import annotations

import json
import urllib.request

import pytest
from sandbox_stripe_client import API_KEY, make_client

from chargeside.sandbox.stripe.errors import StripeError


def test_the_current_account_is_an_activated_standard_account(client):
    account = client.v1.accounts.retrieve_current()
    assert account.object == "account" and account.id.startswith("acct_1") and len(account.id) == 21
    assert (account.business_profile.name, account.settings.dashboard.display_name) == (
        "Chargeside Sandbox", "Chargeside Sandbox")
    assert (account.country, account.default_currency, account.email, account.type) == (
        "US", "usd", "billing@chargeside.example", "standard")
    assert (account.charges_enabled, account.payouts_enabled, account.details_submitted) == (True, True, True)
    assert account.requirements.currently_due == [] and account.capabilities.card_payments == "active"
    assert account.external_accounts.url == f"/v1/accounts/{account.id}/external_accounts"


def test_each_key_has_its_own_stable_account_id(client, fake):
    first = client.v1.accounts.retrieve_current()
    assert client.v1.accounts.retrieve_current().id == first.id
    assert client.v1.accounts.retrieve_current().created == first.created
    other = make_client(fake.base_url, api_key="sk_test_another_merchant_key").v1.accounts.retrieve_current()
    assert other.id.startswith("acct_1") and other.id != first.id


def test_the_account_details_can_be_set_in_process_and_over_http(client, fake):
    fake.control.set_account(name="Anadolu Yazılım", country="TR", default_currency="try")
    account = client.v1.accounts.retrieve_current()
    assert (account.business_profile.name, account.settings.dashboard.display_name, account.country,
            account.default_currency) == ("Anadolu Yazılım", "Anadolu Yazılım", "TR", "try")

    request = urllib.request.Request(f"{fake.base_url}/_sandbox/set_account", method="POST",
                                     data=json.dumps({"email": "finans@anadolu.example"}).encode(),
                                     headers={"Authorization": f"Bearer {API_KEY}"})
    assert json.loads(urllib.request.urlopen(request).read())["email"] == "finans@anadolu.example"
    account = client.v1.accounts.retrieve_current()
    assert (account.email, account.business_profile.support_email, account.country) == (
        "finans@anadolu.example", "finans@anadolu.example", "TR")


def test_an_unknown_account_setting_is_refused(fake):
    with pytest.raises(StripeError) as caught:
        fake.control.set_account(colour="blue")
    assert caught.value.message == "Unknown account setting(s): colour."
