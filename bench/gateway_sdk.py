"""The backfill benchmark's ceiling for the other gateways: a bare loop of each official SDK paging the objects
of every kind the adapter backfills, from the same fake, doing nothing with them but counting.

Each walk asks for what the adapter asks for where the provider's API forces it (its list endpoints, page
sizes, filters and cursors, and a read per object where a list does not carry the object), and leaves out
what is the adapter's own choice (its extra reads to complete a mapping). Those extra reads are part of what
Chargeside's figure pays, so they show in the ratio:

* PayPal (paypal-server-sdk, through the adapter's pinned `build_sdk`; catalog products, invoices and
  disputes have no SDK controller and go through the SDK's own HTTP client as the adapter's do): products and
  plans (20 a page), subscriptions (20 a page), invoices (100 a page), disputes (50 a page, token paged, then
  each dispute read: the list carries summaries), and Transaction Search over 31-day windows back
  `backfill_days` (500 a page) with each capture (T0006/T1300; an authorisation when the id is one) or refund (T1107) read,
  since a search row is not the object. Not done here but by the adapter: the order of every capture, the authorisation of a
  captured authorisation, the capture of every refund, a plan per subscription not yet seen.
* Braintree (braintree SDK, `build_gateway`): plans (products and prices), discounts, customers walked once
  per kind (customers, their cards, their cards' subscriptions) with `customer.all()`, sales and credits with
  `transaction.search(type)`, disputes with `dispute.search(status in …)`; each collection as the SDK pages it
  (one id search, then 50 at a time). Not done here: the adapter searches the ids again for each page of 100
  (its resumable cursor) and reads the refunds of each page of sales.
* WooCommerce (woocommerce SDK): products, coupons, customers (role=all), orders, refunds and subscriptions,
  100 a page ordered by id. Not done here: the adapter reads the orders of each page of refunds (refunds carry
  no currency).
* Recurly (recurly SDK, pointed at the fake by the adapter's pinned `point_at`): plans (products; prices are
  their currencies), coupons, accounts (customers; payment methods are their billing infos), transactions
  (charges), refund transactions, subscriptions, invoices; 200 a page, oldest first, following Recurly's
  `next` links as the SDK's pager does. Not done here: one list of refunds per account with a refunded charge.
* Custom HTTP (plain httpx, each request signed with the contract's HMAC headers): customers, payments,
  refunds, subscriptions, invoices, 100 a page by `next_cursor`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from chargeside.gateways.types import ResourceKind as K


def walker(provider: str, settings: dict, credentials: dict) -> Callable[[K], int]:
    """A function counting every object of one kind, the bare-SDK way, for a connection to the fake."""
    return {"paypal": _paypal, "braintree": _braintree, "woocommerce": _woocommerce, "recurly": _recurly,
            "custom_http": _custom_http}[provider](settings, credentials)


# --- PayPal ---------------------------------------------------------------------------------------------

def _paypal(settings: dict, credentials: dict) -> Callable[[K], int]:
    from chargeside.gateways.errors import NotFound
    from chargeside.gateways.paypal import adapter as pp
    from chargeside.gateways.paypal.client import Client

    client = Client(client_id=settings["client_id"], client_secret=credentials["client_secret"], base_url=settings["base_url"])
    sdk = client.sdk

    def numbered(fetch, field: str) -> int:
        count, page = 0, 1
        while True:
            res = fetch(page)
            count += len(res.get(field) or [])
            if pp.PayPalAdapter._next_page(res, page) is None:
                return count
            page += 1

    def transactions(codes, read) -> int:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        oldest = now - dt.timedelta(days=int(settings.get("backfill_days") or pp.DEFAULT_BACKFILL_DAYS))
        seen: set[str] = set()
        end = now
        while True:
            start, page = max(end - pp.WINDOW, oldest), 1
            while True:
                res = client.call(sdk.transaction_search.search_transactions, {
                    "start_date": pp._iso(start), "end_date": pp._iso(end), "fields": "transaction_info,payer_info",
                    "page_size": 500, "page": page})
                for row in res.get("transaction_details") or []:
                    info = row.get("transaction_info") or {}
                    if info.get("transaction_event_code") in codes and info["transaction_id"] not in seen:
                        read(info["transaction_id"])
                        seen.add(info["transaction_id"])
                if page >= int(res.get("total_pages") or 1):
                    break
                page += 1
            if start <= oldest:
                return len(seen)
            end = start

    def charge(transaction_id: str) -> None:
        # A T0006 row names a capture or an authorisation, and PayPal's ids do not say which (as in the adapter).
        try:
            client.call(sdk.payments.get_captured_payment, {"capture_id": transaction_id})
        except NotFound:
            client.call(sdk.payments.get_authorized_payment, {"authorization_id": transaction_id})

    def disputes() -> int:
        count, token = 0, None
        while True:
            res = client.request("GET", "/v1/customer/disputes", query={"page_size": 50, "next_page_token": token})
            for item in res.get("items") or []:
                client.request("GET", f"/v1/customer/disputes/{item['dispute_id']}")
                count += 1
            token = pp._query_of_next(res, "next_page_token")
            if not token:
                return count

    def walk(kind: K) -> int:
        if kind == K.PRODUCT:
            return numbered(lambda page: client.request("GET", "/v1/catalogs/products",
                                                        query={"page": page, "page_size": 20, "total_required": "true"}), "products")
        if kind == K.PRICE:
            return numbered(lambda page: client.call(sdk.subscriptions.list_billing_plans, {
                "page": page, "page_size": 20, "total_required": True, "prefer": "return=representation"}), "plans")
        if kind == K.SUBSCRIPTION:
            return numbered(lambda page: client.call(sdk.subscriptions.list_subscriptions, {"page": page, "page_size": 20}),
                            "subscriptions")
        if kind == K.INVOICE:
            return numbered(lambda page: client.request("GET", "/v2/invoicing/invoices",
                                                        query={"page": page, "page_size": 100, "total_required": "true"}), "items")
        if kind == K.CHARGE:
            return transactions(pp.CHARGE_CODES, charge)
        if kind == K.REFUND:
            return transactions(pp.REFUND_CODES, lambda i: client.call(sdk.payments.get_refund, {"refund_id": i}))
        if kind == K.DISPUTE:
            return disputes()
        raise ValueError(f"PayPal lists no {kind}")

    return walk


# --- Braintree ------------------------------------------------------------------------------------------

def _braintree(settings: dict, credentials: dict) -> Callable[[K], int]:
    import braintree

    from chargeside.gateways.braintree import statuses
    from chargeside.gateways.braintree.client import build_gateway

    gateway = build_gateway(base_url=settings["base_url"], merchant_id=settings["merchant_id"],
                            public_key=credentials["public_key"], private_key=credentials["private_key"])

    def cards() -> Iterator:
        for customer in gateway.customer.all().items:
            yield from getattr(customer, "credit_cards", None) or []

    def walk(kind: K) -> int:
        if kind in (K.PRODUCT, K.PRICE):
            return len(gateway.plan.all())
        if kind == K.COUPON:
            return len(gateway.discount.all())
        if kind == K.CUSTOMER:
            return sum(1 for _ in gateway.customer.all().items)
        if kind == K.PAYMENT_METHOD:
            return sum(1 for _ in cards())
        if kind == K.SUBSCRIPTION:
            return sum(len(getattr(card, "subscriptions", None) or []) for card in cards())
        if kind in (K.CHARGE, K.REFUND):
            kind_of = "sale" if kind == K.CHARGE else "credit"
            return sum(1 for _ in gateway.transaction.search(braintree.TransactionSearch.type == kind_of).items)
        if kind == K.DISPUTE:
            found = gateway.dispute.search(braintree.DisputeSearch.status.in_list(list(statuses.DISPUTE_STATUS)))
            return sum(1 for _ in found.disputes.items)
        raise ValueError(f"Braintree lists no {kind}")

    return walk


# --- WooCommerce ----------------------------------------------------------------------------------------

def _woocommerce(settings: dict, credentials: dict) -> Callable[[K], int]:
    from chargeside.gateways.woocommerce.adapter import ENDPOINTS
    from chargeside.gateways.woocommerce.client import Client

    client = Client(url=settings["base_url"], consumer_key=settings["consumer_key"], consumer_secret=credentials["consumer_secret"])

    def walk(kind: K) -> int:
        params = {"orderby": "id", "order": "asc", **({"role": "all"} if kind == K.CUSTOMER else {})}
        count, page = 0, 1
        while True:
            items, pages = client.page(ENDPOINTS[kind], page, 100, params)
            count += len(items)
            if page >= pages:
                return count
            page += 1

    return walk


# --- Recurly --------------------------------------------------------------------------------------------

def _recurly(settings: dict, credentials: dict) -> Callable[[K], int]:
    from chargeside.gateways.recurly import mapping
    from chargeside.gateways.recurly.client import Client

    client = Client(api_key=credentials["api_key"], base_url=settings["base_url"])
    oldest_first = {"order": "asc", "sort": "created_at"}

    def every(path: str, params: dict | None = None) -> Iterator[dict]:
        cursor = None
        while True:
            data, cursor = client.page(path, cursor=cursor, limit=200, params={**oldest_first, **(params or {})})
            yield from data
            if not cursor:
                return

    def walk(kind: K) -> int:
        if kind == K.PRODUCT:
            return sum(1 for _ in every("/plans"))
        if kind == K.PRICE:
            return sum(len(plan.get("currencies") or []) for plan in every("/plans"))
        if kind == K.COUPON:
            return sum(1 for _ in every("/coupons"))
        if kind == K.CUSTOMER:
            return sum(1 for _ in every("/accounts"))
        if kind == K.PAYMENT_METHOD:
            return sum(1 for a in every("/accounts") if isinstance(a.get("billing_info"), dict) and a["billing_info"].get("payment_method"))
        if kind == K.CHARGE:
            return sum(1 for t in every("/transactions") if mapping.is_charge(t))
        if kind == K.REFUND:
            return sum(1 for t in every("/transactions", {"type": "refund"}) if t.get("type") == "refund")
        if kind == K.SUBSCRIPTION:
            return sum(1 for _ in every("/subscriptions"))
        if kind == K.INVOICE:
            return sum(1 for _ in every("/invoices"))
        raise ValueError(f"Recurly lists no {kind}")

    return walk


# --- custom HTTP ----------------------------------------------------------------------------------------

def _custom_http(settings: dict, credentials: dict) -> Callable[[K], int]:
    import httpx

    from chargeside.gateways.custom_http import signing

    http = httpx.Client(timeout=30)
    base = settings["base_url"].rstrip("/")
    collections = {K.CUSTOMER: "customers", K.CHARGE: "payments", K.REFUND: "refunds", K.SUBSCRIPTION: "subscriptions",
                   K.INVOICE: "invoices"}

    def walk(kind: K) -> int:
        count, cursor = 0, None
        while True:
            params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            request = http.build_request("GET", f"{base}/v1/{collections[kind]}", params=params)
            request.headers.update(signing.sign([credentials["secret"]], "GET", request.url.raw_path.decode("ascii"), "", b""))
            response = http.send(request)
            response.raise_for_status()
            answer = response.json()
            count += len(answer["data"])
            cursor = answer.get("next_cursor")
            if not cursor:
                return count

    return walk
