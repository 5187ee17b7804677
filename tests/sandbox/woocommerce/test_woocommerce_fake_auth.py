"""Authentication at the fake store: OAuth 1.0a over plain HTTP exactly as WC_REST_Authentication checks it,
HTTP Basic behind TLS, and WooCommerce's 401 bodies."""

import base64
import time

import requests
import woocommerce
from woocommerce.oauth import OAuth

from chargeside.sandbox.woocommerce import WooFake
from chargeside.sandbox.woocommerce.auth import ApiKey, sign, string_to_sign


def test_oauth_vector_from_the_protocol_notes():
    text = string_to_sign("GET", "http://127.0.0.1:8450/wp-json/wc/v3/orders", {
        "page": "1", "oauth_consumer_key": "ck_test", "oauth_timestamp": "1700000000", "oauth_nonce": "abc123",
        "oauth_signature_method": "HMAC-SHA256"})
    assert text == ("GET&http%3A%2F%2F127.0.0.1%3A8450%2Fwp-json%2Fwc%2Fv3%2Forders&oauth_consumer_key%3Dck_test%26oauth_nonce%3Dabc123"
                    "%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1700000000%26page%3D1")
    assert sign("cs_test", text) == "HApPdtLMSOqX8LD1LS2F1MZ48fe5xGejxUKki0qt2M8="
    sdk = OAuth(url="http://127.0.0.1:8450/wp-json/wc/v3/orders", consumer_key="ck_test", consumer_secret="cs_test", version="wc/v3")
    params = {"page": "1", "oauth_consumer_key": "ck_test", "oauth_timestamp": 1700000000, "oauth_nonce": "abc123",
              "oauth_signature_method": "HMAC-SHA256"}
    assert sdk.generate_oauth_signature(params, "http://127.0.0.1:8450/wp-json/wc/v3/orders") == sign("cs_test", text)


def test_the_sdk_over_plain_http_is_accepted_with_its_parameters_sent_twice(fake, wcapi):
    fake.create_customer("ada@example.com", "Ada", "Lovelace")
    response = wcapi.get("customers", params={"email": "ada@example.com", "per_page": 5})
    assert response.status_code == 200
    assert [c["email"] for c in response.json()] == ["ada@example.com"]
    assert "oauth_signature" in fake.requests[-1][2]


def test_a_wrong_secret_is_refused_with_woocommerces_401(fake):
    bad = woocommerce.API(url=fake.base_url, consumer_key="ck_test", consumer_secret="cs_wrong", version="wc/v3")
    response = bad.get("orders")
    assert response.status_code == 401
    assert response.json() == {"code": "woocommerce_rest_authentication_error",
                               "message": "Invalid signature - provided signature does not match.", "data": {"status": 401}}


def test_an_unknown_consumer_key_is_refused(fake):
    response = woocommerce.API(url=fake.base_url, consumer_key="ck_nobody", consumer_secret="cs_test").get("orders")
    assert (response.status_code, response.json()["message"]) == (401, "Consumer key is invalid.")


def test_no_credentials_at_all_is_cannot_view(fake):
    response = requests.get(f"{fake.base_url}/wp-json/wc/v3/orders", timeout=5)
    assert (response.status_code, response.json()) == (401, {"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list resources.",
                                                             "data": {"status": 401}})


def _signed_url(fake, path: str, timestamp: int) -> str:
    return OAuth(url=f"{fake.base_url}/wp-json/wc/v3/{path}?", consumer_key="ck_test", consumer_secret="cs_test",
                 version="wc/v3", method="GET", oauth_timestamp=timestamp).get_oauth_url()


def test_a_replayed_request_is_refused_by_its_nonce(fake):
    url = _signed_url(fake, "orders", int(time.time()))
    assert requests.get(url, timeout=5).status_code == 200
    again = requests.get(url, timeout=5)
    assert (again.status_code, again.json()["message"]) == (401, "Invalid nonce - nonce has already been used.")


def test_a_signature_older_than_15_minutes_is_refused(fake):
    response = requests.get(_signed_url(fake, "orders", int(time.time()) - 16 * 60), timeout=5)
    assert (response.status_code, response.json()["message"]) == (401, "Invalid timestamp.")


def test_missing_oauth_parameters_are_named(fake):
    response = requests.get(f"{fake.base_url}/wp-json/wc/v3/orders?oauth_consumer_key=ck_test", timeout=5)
    assert response.json() == {"code": "woocommerce_rest_authentication_missing_parameter",
                               "message": "Missing OAuth parameters oauth_timestamp, oauth_nonce, oauth_signature, oauth_signature_method",
                               "data": {"status": 401}}


def test_basic_auth_behind_tls_and_in_the_query_string(fake):
    https = {"X-Forwarded-Proto": "https"}
    ok = requests.get(f"{fake.base_url}/wp-json/wc/v3/orders", auth=("ck_test", "cs_test"), headers=https, timeout=5)
    assert ok.status_code == 200
    query = requests.get(f"{fake.base_url}/wp-json/wc/v3/orders?consumer_key=ck_test&consumer_secret=cs_test", headers=https, timeout=5)
    assert query.status_code == 200
    wrong = requests.get(f"{fake.base_url}/wp-json/wc/v3/orders", headers={**https, "Authorization": "Basic " + base64.b64encode(b"ck_test:nope").decode()}, timeout=5)
    assert (wrong.status_code, wrong.json()["message"]) == (401, "Consumer secret is invalid.")
    assert wrong.headers["WWW-Authenticate"].startswith('Basic realm="WooCommerce API.')


def test_basic_auth_over_plain_http_is_not_authentication(fake):
    response = requests.get(f"{fake.base_url}/wp-json/wc/v3/orders", auth=("ck_test", "cs_test"), timeout=5)
    assert (response.status_code, response.json()["code"]) == (401, "woocommerce_rest_cannot_view")


def test_a_read_only_key_cannot_refund():
    fake = WooFake(keys=[ApiKey("ck_read", "cs_read", "read")]).start()
    try:
        order = fake.create_order(email="a@example.com", total="10.00")
        api = woocommerce.API(url=fake.base_url, consumer_key="ck_read", consumer_secret="cs_read", version="wc/v3")
        assert api.get("orders").status_code == 200
        response = api.post(f"orders/{order['id']}/refunds", {"amount": "1.00"})
        assert (response.status_code, response.json()["message"]) == (401, "The API key provided does not have write permissions.")
    finally:
        fake.stop()
