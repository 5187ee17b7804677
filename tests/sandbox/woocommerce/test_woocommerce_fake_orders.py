"""Orders, refunds, pagination and errors at the fake store, through the official SDK."""

import pytest

from chargeside.sandbox.woocommerce import WooFake


@pytest.fixture
def shop(fake):
    ada = fake.create_customer("ada@example.com", "Ada", "Lovelace", "+49 30 1")
    orders = [fake.create_order(customer_id=ada["id"], total=f"{10 + i}.00") for i in range(5)]
    guest = fake.create_order(email="guest@example.org", first_name="Gus", last_name="Guest", total="12.00", currency="TRY")
    return ada, orders, guest


def test_pages_carry_totals_and_links(fake, wcapi, shop):
    first = wcapi.get("orders", params={"per_page": 2, "page": 1, "orderby": "id", "order": "asc"})
    assert (first.headers["X-WP-Total"], first.headers["X-WP-TotalPages"]) == ("6", "3")
    assert [o["id"] for o in first.json()] == [o["id"] for o in shop[1][:2]]
    assert 'rel="next"' in first.headers["Link"] and "page=2" in first.headers["Link"] and "oauth" not in first.headers["Link"]
    last = wcapi.get("orders", params={"per_page": 2, "page": 3, "orderby": "id", "order": "asc"})
    assert [o["id"] for o in last.json()] == [shop[1][4]["id"], shop[2]["id"]]
    assert 'rel="prev"' in last.headers["Link"] and 'rel="next"' not in last.headers["Link"]
    beyond = wcapi.get("orders", params={"per_page": 2, "page": 9})
    assert (beyond.status_code, beyond.json()) == (200, [])


def test_per_page_over_100_is_rest_invalid_param(wcapi):
    response = wcapi.get("orders", params={"per_page": 101})
    assert response.status_code == 400
    assert response.json()["code"] == "rest_invalid_param"
    assert response.json()["data"]["params"] == {"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"}


def test_filters(fake, wcapi, shop):
    ada, orders, guest = shop
    fake.set_order_status(orders[0]["id"], "completed")
    assert len(wcapi.get("orders", params={"customer": ada["id"], "per_page": 100}).json()) == 5
    assert [o["id"] for o in wcapi.get("orders", params={"status": "completed"}).json()] == [orders[0]["id"]]
    assert [o["id"] for o in wcapi.get("orders", params={"search": "guest@example.org"}).json()] == [guest["id"]]
    assert [o["id"] for o in wcapi.get("orders", params={"customer": 0}).json()] == [guest["id"]]
    assert wcapi.get("orders", params={"after": "2099-01-01T00:00:00"}).json() == []
    assert wcapi.get("orders", params={"status": "shipped"}).json()["code"] == "rest_invalid_param"
    assert wcapi.get("orders", params={"after": "yesterday"}).json()["data"]["params"] == {"after": "Invalid date."}


def test_order_shape(wcapi, shop):
    order = wcapi.get(f"orders/{shop[2]['id']}").json()
    assert (order["customer_id"], order["currency"], order["total"], order["billing"]["email"]) == (0, "TRY", "12.00", "guest@example.org")
    assert order["date_created_gmt"] < order["date_created"]  # the site runs at UTC+3
    assert order["refunds"] == [] and order["_links"]["self"][0]["href"].endswith(f"/wp-json/wc/v3/orders/{order['id']}")


def test_unknown_ids_are_woocommerces_404s(wcapi):
    assert (wcapi.get("orders/999").status_code, wcapi.get("orders/999").json()) == (
        404, {"code": "woocommerce_rest_shop_order_invalid_id", "message": "Invalid ID.", "data": {"status": 404}})
    assert wcapi.get("customers/999").json()["code"] == "woocommerce_rest_invalid_id"
    assert wcapi.get("nothing/here").json() == {"code": "rest_no_route", "message": "No route was found matching the URL and request method.",
                                                 "data": {"status": 404}}


def test_partial_refund_with_meta_data_and_the_orders_negative_totals(wcapi, shop):
    order_id = shop[1][0]["id"]
    created = wcapi.post(f"orders/{order_id}/refunds", {"amount": "4.50", "reason": "Dented", "meta_data": [{"key": "k", "value": "v"}]})
    assert created.status_code == 201
    refund = created.json()
    assert (refund["amount"], refund["reason"], refund["refunded_payment"]) == ("4.50", "Dented", True)
    assert [(m["key"], m["value"]) for m in refund["meta_data"]] == [("k", "v")]
    order = wcapi.get(f"orders/{order_id}").json()
    assert order["refunds"] == [{"id": refund["id"], "reason": "Dented", "total": "-4.50"}]
    assert order["status"] == "processing"
    listed = wcapi.get("refunds", params={"include": refund["id"]}).json()
    assert (listed[0]["id"], listed[0]["parent_id"]) == (refund["id"], order_id)
    assert wcapi.get(f"orders/{order_id}/refunds/{refund['id']}").json()["amount"] == "4.50"


def test_refunding_what_remains_makes_the_order_refunded_and_more_is_invalid(wcapi, shop):
    order_id = shop[1][0]["id"]
    assert wcapi.post(f"orders/{order_id}/refunds", {"amount": "10.00"}).status_code == 201
    assert wcapi.get(f"orders/{order_id}").json()["status"] == "refunded"
    over = wcapi.post(f"orders/{order_id}/refunds", {"amount": "0.01"})
    # WooCommerce passes a bare status to WP_Error, so WordPress answers 500 with "data": 500.
    assert (over.status_code, over.json()) == (500, {"code": "woocommerce_rest_cannot_create_order_refund",
                                                     "message": "Invalid refund amount.", "data": 500})


def test_refund_errors(fake, wcapi, shop):
    missing = wcapi.post("orders/999/refunds", {"amount": "1.00"})
    assert (missing.status_code, missing.json()) == (500, {"code": "woocommerce_rest_invalid_order_id", "message": "Invalid order ID.", "data": 404})
    negative = wcapi.post(f"orders/{shop[1][1]['id']}/refunds", {"amount": "-1"})
    assert negative.json()["code"] == "woocommerce_rest_invalid_order_refund"
    bacs = fake.create_order(email="b@example.com", total="20.00", payment_method="bacs")
    assert wcapi.post(f"orders/{bacs['id']}/refunds", {"amount": "1.00"}).json()["message"] == \
        "The payment gateway for this order does not support automatic refunds."
    assert wcapi.post(f"orders/{bacs['id']}/refunds", {"amount": "1.00", "api_refund": False}).status_code == 201
    fake.gateway_refusals[shop[1][1]["id"]] = "Refund Error: The charge has already been disputed."
    refused = wcapi.post(f"orders/{shop[1][1]['id']}/refunds", {"amount": "1.00"})
    assert refused.json()["message"] == "Refund Error: The charge has already been disputed."
    assert wcapi.get(f"orders/{shop[1][1]['id']}/refunds").json() == []


def test_setting_refunded_by_hand_records_an_automatic_refund(wcapi, shop):
    order_id = shop[1][2]["id"]
    assert wcapi.put(f"orders/{order_id}", {"status": "refunded"}).json()["status"] == "refunded"
    refunds = wcapi.get(f"orders/{order_id}/refunds").json()
    assert [(r["amount"], r["reason"], r["refunded_payment"]) for r in refunds] == [("12.00", "Order fully refunded.", False)]


def test_subscriptions_routes_only_with_the_extension(wcapi, fake):
    ada = fake.create_customer("s@example.com", "S", "T")
    plan = fake.create_product("Club", "19.00", subscription=True)
    sub = fake.create_subscription(customer_id=ada["id"], product=plan)
    body = wcapi.get(f"subscriptions/{sub['id']}").json()
    assert (body["status"], body["billing_period"], body["billing_interval"]) == ("active", "month", "1")
    assert wcapi.put(f"subscriptions/{sub['id']}", {"status": "pending-cancel"}).json()["status"] == "pending-cancel"
    assert wcapi.put(f"subscriptions/{sub['id']}", {"status": "cancelled"}).json()["end_date_gmt"]
    plain = WooFake(subscriptions=False).start()
    try:
        import woocommerce
        api = woocommerce.API(url=plain.base_url, consumer_key="ck_test", consumer_secret="cs_test", version="wc/v3")
        assert api.get("subscriptions").json()["code"] == "rest_no_route"
    finally:
        plain.stop()


def test_faults(fake, wcapi):
    fake.faults.outage("/orders", times=1)
    response = wcapi.get("orders")
    assert (response.status_code, response.headers["Content-Type"]) == (503, "text/html; charset=UTF-8")
    fake.faults.rate_limit("/orders", retry_after=7)
    limited = wcapi.get("orders")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "7")
    assert wcapi.get("orders").status_code == 200
