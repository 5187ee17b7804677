"""The one base-URL override (client.point_at), pinned to recurly 4.79.0: this file fails loudly when the SDK changes."""

import http.client

import pytest
import recurly

from chargeside.gateways.errors import AuthenticationFailed, InvalidRequest
from chargeside.gateways.recurly import client as rc


def test_the_sdk_is_the_version_the_override_was_written_for():
    assert recurly.__version__ == rc.SDK_VERSION == "4.79.0"


def test_the_sdk_still_keeps_one_https_connection_in_the_private_attribute():
    sdk = recurly.Client("key")
    conn = getattr(sdk, "_BaseClient__conn")
    assert type(conn) is http.client.HTTPSConnection and (conn.host, conn.port) == ("v3.recurly.com", 443)
    assert sdk.api_version() == "v2021-02-25"


def test_point_at_swaps_in_a_plain_connection_to_loopback_only():
    sdk = rc.point_at(recurly.Client("key"), "http://127.0.0.1:8123")
    conn = getattr(sdk, "_BaseClient__conn")
    assert type(conn) is http.client.HTTPConnection and (conn.host, conn.port) == ("127.0.0.1", 8123)
    assert type(rc.connection_for("https://v3.eu.recurly.com", 5)) is http.client.HTTPSConnection


@pytest.mark.parametrize("url", ["http://v3.recurly.com", "http://10.0.0.5:80", "ftp://127.0.0.1", "https://x.example/v3", "not a url"])
def test_bad_base_urls_are_refused_before_any_request(url):
    with pytest.raises(InvalidRequest):
        rc.Client(api_key="key", base_url=url)


def test_point_at_refuses_another_sdk_version(monkeypatch):
    monkeypatch.setattr(recurly, "__version__", "4.80.0")
    with pytest.raises(rc.SdkChanged):
        rc.point_at(recurly.Client("key"), "http://127.0.0.1:1")


def test_point_at_refuses_when_the_attribute_is_gone():
    sdk = recurly.Client("key")
    delattr(sdk, "_BaseClient__conn")
    with pytest.raises(rc.SdkChanged):
        rc.point_at(sdk, "http://127.0.0.1:1")


def test_default_url_keeps_the_sdk_untouched():
    conn = getattr(rc.build_sdk(api_key="key"), "_BaseClient__conn")
    assert conn.host == "v3.recurly.com"


def test_missing_key_is_a_clear_error():
    with pytest.raises(AuthenticationFailed, match="No Recurly API key"):
        rc.Client(api_key="")


def test_requests_reach_the_fake_with_recurlys_auth_and_version(fake):
    seen = []
    fake.api.observers.append(lambda *a: seen.append(a))
    client = rc.Client(api_key="recurly_test_key", base_url=fake.base_url)
    data, nxt = client.page("/accounts", cursor=None, limit=5)
    assert (data, nxt) == ([], None) and seen[0][:3] == ("GET", "/accounts", 200)


def test_each_thread_gets_its_own_sdk_connection(fake):
    import threading

    client = rc.Client(api_key="recurly_test_key", base_url=fake.base_url)
    sdks = {}  # the objects themselves are kept, so no id can be reused
    threads = [threading.Thread(target=lambda n=n: sdks.__setitem__(n, client.sdk)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    mine = client.sdk
    assert sdks[0] is not sdks[1] and mine is not sdks[0] and mine is not sdks[1] and client.sdk is mine


def test_datetimes_and_nested_resources_come_back_as_plain_json(fake, shop):
    client = rc.Client(api_key="recurly_test_key", base_url=fake.base_url)
    tx = client.call("get_transaction", shop["payment"]["id"])
    assert tx["account"]["id"] == shop["account"]["id"] and tx["created_at"].endswith("Z") and tx["amount"] == 50.0
