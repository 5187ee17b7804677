"""PayPalAdapter: the GatewayAdapter for PayPal (paypal-server-sdk 2.4.0; Orders v2, Payments v2, Subscriptions v1,
Catalog Products v1, Invoicing v2, Customer Disputes v1, Transaction Search v1).

What is listed how (backfill; PayPal has no customer object and no "list payments" API):
- CHARGE: Transaction Search (max 31 days per query, so the cursor walks 31-day windows back from now for
  `backfill_days`), captures (T0006) and authorisations (T1300); each is re-read with its order for the payer,
  its refunds and, for authorisations, its captures. The page also carries each payer as a CustomerDTO.
  Subscription payments (T0002) are PayPal "sales" of the v1 API, which Payments v2 cannot read: not listed.
- REFUND: Transaction Search refunds (T1107), each re-read (GET /v2/payments/refunds/{id}).
- SUBSCRIPTION: GET /v1/billing/subscriptions (the SDK 2.4.0 `list_subscriptions`; the 2024 public spec has no
  list, which is why older integrations reached subscriptions only through plans or transaction ids), with the
  subscriber as a CustomerDTO and each plan read once per adapter for the price.
- PRODUCT / PRICE: catalog products (no SDK controller: `Client.request`), billing plans (SDK, full representation).
- INVOICE: GET /v2/invoicing/invoices (no SDK controller), recipient as a CustomerDTO keyed `email:<address>`.
- DISPUTE: GET /v1/customer/disputes (summaries, `next_page_token`), each re-read for its disputed transaction.
Customers cannot be searched by email at PayPal (`find_customers_by_email` returns nothing); matching across
gateways works from the emails of the derived customers.

Writes send our idempotency key as PayPal-Request-Id (PayPal replays the first answer for a repeated id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cached_property

from paypalserversdk.models.cancel_subscription_request import CancelSubscriptionRequest
from paypalserversdk.models.capture_request import CaptureRequest
from paypalserversdk.models.money import Money as SdkMoney
from paypalserversdk.models.refund_request import RefundRequest

from chargeside.core.money import Money
from chargeside.core.signing import webhook_tolerance
from chargeside.gateways.base import GatewayAdapter
from chargeside.gateways.errors import GatewayError, InvalidRequest, NotFound
from chargeside.gateways.types import (
    Capability,
    ChargeDTO,
    ConnectionCheck,
    CustomerDTO,
    InboundEvent,
    InvoiceDTO,
    Page,
    RefundDTO,
    SettingField,
    SubscriptionDTO,
)
from chargeside.gateways.types import ResourceKind as K

from . import events, mapping, webhooks
from .client import LIVE_BASE_URL, Client, path

WINDOW = dt.timedelta(days=31)  # Transaction Search refuses longer ranges
DEFAULT_BACKFILL_DAYS = 3 * 365  # PayPal keeps three years of transaction history
CHARGE_CODES = frozenset({"T0006", "T1300"})
REFUND_CODES = frozenset({"T1107"})
SEND_STATES = frozenset({"DRAFT", "SCHEDULED"})
REMIND_STATES = frozenset({"SENT", "UNPAID", "PARTIALLY_PAID", "PAYMENT_PENDING"})


def _major(amount: Money) -> SdkMoney:
    return SdkMoney(currency_code=amount.currency, value=f"{amount.major}")


def _same_currency(amount: Money, charge: ChargeDTO) -> None:
    if amount.currency != charge.currency:
        raise InvalidRequest(f"The amount is in {amount.currency} but the payment is in {charge.currency}.", code="CURRENCY_MISMATCH")


def _given(**fields):
    # The SDK's models serialise an explicit None as JSON null; leaving a field out is APIHelper.SKIP.
    return {name: value for name, value in fields.items() if value is not None}


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class PayPalAdapter(GatewayAdapter):
    key = "paypal"
    display_name = "PayPal"
    capabilities = frozenset({
        Capability.REFUND, Capability.PARTIAL_REFUND, Capability.CAPTURE, Capability.PARTIAL_CAPTURE, Capability.VOID,
        Capability.SUBSCRIPTION_CANCEL, Capability.INVOICE_SEND, Capability.WEBHOOKS, Capability.IDEMPOTENCY_KEYS,
    })
    backfill_kinds = (K.PRODUCT, K.PRICE, K.CHARGE, K.REFUND, K.SUBSCRIPTION, K.INVOICE, K.DISPUTE)
    settings_spec = (
        SettingField("base_url", "API base URL", required=False, default=LIVE_BASE_URL, kind="url",
                     help="https://api-m.paypal.com (live) or https://api-m.sandbox.paypal.com (sandbox)."),
        SettingField("client_id", "Client ID", help="The REST app's client id."),
        SettingField("client_secret", "Client secret", secret=True),
        SettingField("webhook_id", "Webhook ID", help="The id PayPal shows for this endpoint's webhook; it is part of every signature."),
        SettingField("webhook_verification", "Webhook verification", required=False, default="offline", kind="choice",
                     choices=("offline", "api"), help="offline: check the RSA signature here; api: ask PayPal's verify endpoint."),
        SettingField("cert_hosts", "Certificate hosts", required=False, default=",".join(webhooks.PAYPAL_CERT_HOSTS),
                     help="Comma-separated hosts PAYPAL-CERT-URL may point at."),
        SettingField("backfill_days", "Backfill history (days)", required=False, default=str(DEFAULT_BACKFILL_DAYS)),
    )

    def __init__(self, *, settings, credentials):
        super().__init__(settings=settings, credentials=credentials)
        self._plans: dict[str, dict] = {}

    @cached_property
    def client(self) -> Client:
        client_id = self.settings.get("client_id") or self.credentials.get("client_id", "")
        return Client(client_id=client_id, client_secret=self.credentials.get("client_secret", ""),
                      base_url=self.settings.get("base_url") or LIVE_BASE_URL)

    @property
    def sdk(self):
        return self.client.sdk

    # --- health -------------------------------------------------------------------------------------------
    def test_connection(self) -> ConnectionCheck:
        try:
            self.client.call(self.sdk.subscriptions.list_billing_plans, {"page_size": 1, "page": 1})
        except GatewayError as exc:
            return ConnectionCheck(ok=False, message=exc.message)
        return ConnectionCheck(ok=True, message="Connected to PayPal.")

    # --- reads --------------------------------------------------------------------------------------------
    def find_customers_by_email(self, email: str) -> list[CustomerDTO]:
        return []  # PayPal has no customer search (nor customers); see the module docstring

    def fetch(self, kind: K, remote_id: str):
        kind = K(kind)
        if not remote_id:
            raise NotFound(f"No PayPal {kind} id was given.", code="INVALID_RESOURCE_ID")
        if kind == K.CHARGE:
            return self._charge(remote_id)
        if kind == K.REFUND:
            return self._refund(self.client.call(self.sdk.payments.get_refund, {"refund_id": remote_id}))
        if kind == K.SUBSCRIPTION:
            sub = self.client.call(self.sdk.subscriptions.get_subscription, {"id": remote_id})
            return mapping.subscription(sub, self._plan(sub.get("plan_id", "")))
        if kind == K.PRICE:
            return mapping.price(self._plan(remote_id, fresh=True))
        if kind == K.PRODUCT:
            return mapping.product(self.client.request("GET", path("v1", "catalogs", "products", remote_id)))
        if kind == K.INVOICE:
            return mapping.invoice(self.client.request("GET", path("v2", "invoicing", "invoices", remote_id)))
        if kind == K.DISPUTE:
            return mapping.dispute(self.client.request("GET", path("v1", "customer", "disputes", remote_id)))
        raise NotFound(f"PayPal has no API to read a {kind} (PayPal has no customer objects).", code="not_readable")

    def _order(self, order_id: str) -> dict | None:
        return self.client.call(self.sdk.orders.get_order, {"id": order_id}) if order_id else None

    def _charge(self, remote_id: str) -> ChargeDTO:
        """A capture id or an authorisation id (PayPal's ids do not say which, so the capture is tried first)."""
        try:
            capture = self.client.call(self.sdk.payments.get_captured_payment, {"capture_id": remote_id})
        except NotFound:
            auth = self.client.call(self.sdk.payments.get_authorized_payment, {"authorization_id": remote_id})
            return mapping.charge_from_authorization(auth, self._order(mapping.related(auth, "order_id") or mapping.up_id(auth)))
        order = self._order(mapping.related(capture, "order_id") or mapping.up_id(capture))
        if auth_id := mapping.related(capture, "authorization_id"):
            auth = self.client.call(self.sdk.payments.get_authorized_payment, {"authorization_id": auth_id})
            return mapping.charge_from_authorization(auth, order)
        return mapping.charge_from_capture(capture, order)

    def _refund(self, refund: dict) -> RefundDTO:
        capture_id = mapping.up_id(refund)
        charge_id = capture_id
        if capture_id:
            capture = self.client.call(self.sdk.payments.get_captured_payment, {"capture_id": capture_id})
            charge_id = mapping.related(capture, "authorization_id") or capture_id
        return mapping.refund(refund, charge_remote_id=charge_id)

    def _plan(self, plan_id: str, fresh: bool = False) -> dict:
        if not plan_id:
            return {}
        if fresh or plan_id not in self._plans:
            # get_billing_plan takes the id itself, not an options dict (SDK 2.4.0)
            self._plans[plan_id] = self.client.call(lambda options: self.sdk.subscriptions.get_billing_plan(options["id"]), {"id": plan_id})
        return self._plans[plan_id]

    def list_page(self, kind: K, cursor: str | None, *, page_size: int = 100) -> Page:
        kind = K(kind)
        if kind in (K.CHARGE, K.REFUND):
            return self._transactions_page(kind, cursor, page_size)
        if kind == K.DISPUTE:  # token-paged; the others number their pages
            res = self.client.request("GET", "/v1/customer/disputes",
                                      query={"page_size": max(1, min(page_size, 50)), "next_page_token": cursor or None})
            found = [self.fetch(K.DISPUTE, d["dispute_id"]) for d in res.get("items") or []]
            return Page(found, _query_of_next(res, "next_page_token"))
        page = int(cursor or 1)
        if kind == K.PRODUCT:
            size = max(1, min(page_size, 20))
            res = self.client.request("GET", "/v1/catalogs/products", query={"page": page, "page_size": size, "total_required": "true"})
            return Page([mapping.product(p) for p in res.get("products") or []], self._next_page(res, page))
        if kind == K.PRICE:
            size = max(1, min(page_size, 20))
            res = self.client.call(self.sdk.subscriptions.list_billing_plans,
                                   {"page": page, "page_size": size, "total_required": True, "prefer": "return=representation"})
            plans = res.get("plans") or []
            self._plans.update({p["id"]: p for p in plans if p.get("billing_cycles")})
            return Page([mapping.price(self._plan(p["id"]) if not p.get("billing_cycles") else p) for p in plans], self._next_page(res, page))
        if kind == K.SUBSCRIPTION:
            size = max(1, min(page_size, 20))
            res = self.client.call(self.sdk.subscriptions.list_subscriptions, {"page": page, "page_size": size})
            items: list = []
            for sub in res.get("subscriptions") or []:
                if customer := mapping.customer_from_payer(sub.get("subscriber")):
                    items.append(customer)
                items.append(mapping.subscription(sub, self._plan(sub.get("plan_id", ""))))
            return Page(items, self._next_page(res, page))
        if kind == K.INVOICE:
            size = max(1, min(page_size, 100))
            res = self.client.request("GET", "/v2/invoicing/invoices", query={"page": page, "page_size": size, "total_required": "true"})
            items = []
            for inv in res.get("items") or []:
                if customer := mapping.customer_from_invoice(inv):
                    items.append(customer)
                items.append(mapping.invoice(inv))
            return Page(items, self._next_page(res, page))
        raise NotFound(f"PayPal cannot list {kind}.", code="not_listable")

    @staticmethod
    def _next_page(res: dict, page: int) -> str | None:
        if any(link.get("rel") == "next" for link in res.get("links") or []):
            return str(page + 1)
        if res.get("total_pages") is not None and page < int(res["total_pages"]):
            return str(page + 1)
        return None

    def _transactions_page(self, kind: K, cursor: str | None, page_size: int) -> Page:
        """Cursor "<window end>|<page>": pages of one 31-day window, then the window before it, back to backfill_days."""
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        oldest = now - dt.timedelta(days=int(self.settings.get("backfill_days") or DEFAULT_BACKFILL_DAYS))
        end_text, _, page_text = (cursor or "").partition("|")
        end = mapping.ts(end_text) if end_text else now
        page = int(page_text or 1)
        start = max(end - WINDOW, oldest)
        res = self.client.call(self.sdk.transaction_search.search_transactions, {
            "start_date": _iso(start), "end_date": _iso(end), "fields": "transaction_info,payer_info",
            "page_size": max(1, min(page_size, 500)), "page": page})
        codes = CHARGE_CODES if kind == K.CHARGE else REFUND_CODES
        items: dict[tuple[type, str], object] = {}
        for row in res.get("transaction_details") or []:
            info = row.get("transaction_info") or {}
            if info.get("transaction_event_code") not in codes:
                continue
            if kind == K.CHARGE:
                if customer := mapping.customer_from_payer_info(row.get("payer_info")):
                    items.setdefault((CustomerDTO, customer.remote_id), customer)
                dto = self._charge(info["transaction_id"])
            else:
                dto = self._refund(self.client.call(self.sdk.payments.get_refund, {"refund_id": info["transaction_id"]}))
            items[(type(dto), dto.remote_id)] = dto  # a folded capture and its authorisation are one charge
        if page < int(res.get("total_pages") or 1):
            following = f"{_iso(end)}|{page + 1}"
        elif start > oldest:
            following = f"{_iso(start)}|1"
        else:
            following = None
        return Page(list(items.values()), following)

    # --- writes ------------------------------------------------------------------------------------------
    def refund(self, *, charge: ChargeDTO, amount: Money, reason: str, idempotency_key: str, metadata=None) -> RefundDTO:
        _same_currency(amount, charge)
        capture_id = charge.intent_remote_id or charge.remote_id  # a captured authorisation refunds through its capture
        note = (reason or "").replace("_", " ")[:255] or None
        body = RefundRequest(**_given(amount=_major(amount), note_to_payer=note, custom_id=idempotency_key[:127]))
        obj = self.client.call(self.sdk.payments.refund_captured_payment, {
            "capture_id": capture_id, "paypal_request_id": idempotency_key, "prefer": "return=representation", "body": body})
        return mapping.refund(obj, charge_remote_id=charge.remote_id)

    def capture(self, *, charge: ChargeDTO, amount: Money | None, idempotency_key: str) -> ChargeDTO:
        if amount is not None:
            _same_currency(amount, charge)
        # final_capture: a partial capture releases the rest, as the action's preview says ("Released").
        body = CaptureRequest(**_given(amount=_major(amount) if amount is not None else None, final_capture=True))
        self.client.call(self.sdk.payments.capture_authorized_payment, {
            "authorization_id": charge.remote_id, "paypal_request_id": idempotency_key, "prefer": "return=representation", "body": body})
        return self._charge(charge.remote_id)

    def void(self, *, charge: ChargeDTO, idempotency_key: str) -> ChargeDTO:
        self.client.call(self.sdk.payments.void_payment, {
            "authorization_id": charge.remote_id, "paypal_request_id": idempotency_key, "prefer": "return=representation"})
        return self._charge(charge.remote_id)

    def subscription_cancel(self, *, subscription_remote_id: str, at_period_end: bool, idempotency_key: str) -> SubscriptionDTO:
        if at_period_end:
            raise InvalidRequest("PayPal cancels subscriptions at once; it cannot cancel at the end of the period.", code="not_supported")
        current = self.fetch(K.SUBSCRIPTION, subscription_remote_id)
        if current.status.value == "canceled":
            return current  # already cancelled (e.g. a retry after a lost answer): PayPal would answer 422
        # The SDK sends no PayPal-Request-Id on cancel (PayPal declares none); a repeat is caught by the check above.
        self.client.call(self.sdk.subscriptions.cancel_subscription, {
            "id": subscription_remote_id, "body": CancelSubscriptionRequest(reason="Cancelled by support (Chargeside)")})
        return self.fetch(K.SUBSCRIPTION, subscription_remote_id)

    def invoice_send(self, *, invoice_remote_id: str, idempotency_key: str) -> InvoiceDTO:
        current = self.client.request("GET", path("v2", "invoicing", "invoices", invoice_remote_id))
        status = current.get("status")
        if status in SEND_STATES:
            self.client.request("POST", path("v2", "invoicing", "invoices", invoice_remote_id, "send"),
                                body={"send_to_recipient": True, "send_to_invoicer": False}, request_id=idempotency_key)
        elif status in REMIND_STATES:  # already sent: PayPal's way to send it again is a reminder
            self.client.request("POST", path("v2", "invoicing", "invoices", invoice_remote_id, "remind"),
                                body={"send_to_recipient": True, "send_to_invoicer": False}, request_id=idempotency_key)
        else:
            raise InvalidRequest(f"A {str(status).lower().replace('_', ' ')} PayPal invoice cannot be sent.", code="INVALID_INVOICE_STATUS")
        return self.fetch(K.INVOICE, invoice_remote_id)

    # --- inbound -----------------------------------------------------------------------------------------
    def verify_webhook(self, *, headers, body: bytes, now: float | None = None) -> None:
        webhook_id = self.settings.get("webhook_id") or self.credentials.get("webhook_id", "")
        tolerance = webhook_tolerance()
        if self.settings.get("webhook_verification") == "api":
            ask = lambda payload: self.client.request("POST", "/v1/notifications/verify-webhook-signature", body=payload)  # noqa: E731
            webhooks.verify_by_api(headers, body, webhook_id=webhook_id, tolerance=tolerance, ask=ask, now=now)
            return
        hosts = tuple(h.strip() for h in (self.settings.get("cert_hosts") or ",".join(webhooks.PAYPAL_CERT_HOSTS)).split(",") if h.strip())
        webhooks.verify_offline(headers, body, webhook_id=webhook_id, allowed_hosts=hosts, tolerance=tolerance, now=now)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str] | None = None) -> list[InboundEvent]:
        return events.parse(body)

    def event_needs_refetch(self, event: InboundEvent) -> bool:
        # Customers have no API (their copy is all there is); everything else is re-read, whatever the order.
        return event.kind not in (None, K.CUSTOMER) and bool(event.remote_id) and not event.deleted


def _query_of_next(res: dict, name: str) -> str | None:
    from urllib.parse import parse_qs, urlsplit

    for link in res.get("links") or []:
        if link.get("rel") == "next" and link.get("href"):
            values = parse_qs(urlsplit(link["href"]).query).get(name)
            if values:
                return values[0]
    return None
