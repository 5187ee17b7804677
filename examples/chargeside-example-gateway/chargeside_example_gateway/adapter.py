"""ExampleAdapter: Chargeside's GatewayAdapter for Example Pay (see fake.py for its wire format).

What a plug-in adapter has to do, in ~150 lines: declare capabilities and settings, turn the provider's
JSON into Chargeside's DTOs (amounts to integer minor units through Decimal, never float), page, refund with
the idempotency key Chargeside gives, verify webhooks on the raw bytes and turn them into events, and raise
only the typed errors of chargeside.gateways.errors. It never touches Chargeside's database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from functools import cached_property
from urllib.parse import quote

import httpx

from chargeside.core.money import Money, MoneyError, to_major, to_minor
from chargeside.core.signing import (
    SignatureError,
    check_timestamp,
    constant_time_equal,
    hmac_hex,
)
from chargeside.gateways.base import GatewayAdapter
from chargeside.gateways.errors import (
    AuthenticationFailed,
    GatewayError,
    IdempotencyConflict,
    InvalidRequest,
    NotFound,
    Unavailable,
)
from chargeside.gateways.types import (
    Capability,
    ChargeDTO,
    ChargeStatus,
    ConnectionCheck,
    CustomerDTO,
    InboundEvent,
    Page,
    RefundDTO,
    RefundStatus,
    ResourceKind,
    SettingField,
)

K = ResourceKind
COLLECTIONS = {K.CUSTOMER: "customers", K.CHARGE: "payments", K.REFUND: "refunds"}
EVENT_KINDS = {"customer": K.CUSTOMER, "payment": K.CHARGE, "refund": K.REFUND}
ERRORS = {401: AuthenticationFailed, 404: NotFound, 409: IdempotencyConflict}


def _time(seconds) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(seconds, dt.UTC) if isinstance(seconds, int) else None


def _minor(amount: str, currency: str) -> int:
    return to_minor(amount, currency)  # Decimal inside; "12.505" in EUR is an error, not a rounding


def customer(obj: dict) -> CustomerDTO:
    return CustomerDTO(remote_id=obj["id"], email=obj.get("email") or "", name=obj.get("name") or "", created_at=_time(obj.get("created")), raw=obj)


def payment(obj: dict) -> ChargeDTO:
    currency = obj["currency"].upper()
    amount, refunded = _minor(obj["amount"], currency), _minor(obj["refunded"], currency)
    status = ChargeStatus.SUCCEEDED if not refunded else ChargeStatus.REFUNDED if refunded == amount else ChargeStatus.PARTIALLY_REFUNDED
    return ChargeDTO(remote_id=obj["id"], customer_remote_id=obj["customer"], amount=amount, currency=currency, status=status,
                     amount_captured=amount, amount_refunded=refunded, description=obj.get("description") or "",
                     created_at=_time(obj.get("created")), raw=obj)


def refund(obj: dict) -> RefundDTO:
    currency = obj["currency"].upper()
    return RefundDTO(remote_id=obj["id"], charge_remote_id=obj["payment"], amount=_minor(obj["amount"], currency), currency=currency,
                     status=RefundStatus.SUCCEEDED, created_at=_time(obj.get("created")), raw=obj)


MAPPERS = {K.CUSTOMER: customer, K.CHARGE: payment, K.REFUND: refund}


class ExampleAdapter(GatewayAdapter):
    key = "example"
    display_name = "Example Pay"
    capabilities = frozenset({Capability.REFUND, Capability.PARTIAL_REFUND, Capability.CUSTOMER_SEARCH_EMAIL,
                              Capability.WEBHOOKS, Capability.IDEMPOTENCY_KEYS})
    backfill_kinds = (K.CUSTOMER, K.CHARGE, K.REFUND)
    settings_spec = (
        SettingField("base_url", "API base URL", kind="url", default="https://api.example-pay.test"),
        SettingField("api_key", "API key", secret=True),
        SettingField("webhook_secret", "Webhook secret", secret=True),
    )

    @cached_property
    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.settings.get("base_url", "").rstrip("/"), timeout=10.0,
                            headers={"Authorization": f"Bearer {self.credentials.get('api_key', '')}"})

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise Unavailable(f"Could not reach Example Pay ({type(exc).__name__}).", code="connection_error") from exc
        try:
            body = response.json()
        except ValueError:
            raise Unavailable(f"Example Pay answered HTTP {response.status_code} without JSON.", http_status=response.status_code) from None
        if response.is_success:
            return body
        error = ERRORS.get(response.status_code, Unavailable if response.status_code >= 500 else InvalidRequest)
        raise error(body.get("message") or f"HTTP {response.status_code}", code=body.get("type") or "", http_status=response.status_code)

    def _mapped(self, mapper, obj: dict):
        try:
            return mapper(obj)
        except (KeyError, TypeError, AttributeError, MoneyError) as exc:
            raise Unavailable(f"Example Pay sent an object this adapter cannot read ({type(exc).__name__}: {exc}).",
                              code="unreadable") from None

    def test_connection(self) -> ConnectionCheck:
        try:
            self._call("GET", "/customers", params={"page": 1})
        except GatewayError as exc:
            return ConnectionCheck(ok=False, message=exc.message)
        return ConnectionCheck(ok=True, message="Connected to Example Pay.")

    def find_customers_by_email(self, email: str) -> list[CustomerDTO]:
        if not email.strip():
            return []
        return [self._mapped(customer, c) for c in self._call("GET", "/customers", params={"email": email.strip()})["customers"]]

    def fetch(self, kind: ResourceKind, remote_id: str):
        if K(kind) not in COLLECTIONS or not remote_id:
            raise NotFound(f"Example Pay has no {kind} {remote_id!r}.", code="not_found")
        return self._mapped(MAPPERS[K(kind)], self._call("GET", f"/{COLLECTIONS[K(kind)]}/{quote(remote_id, safe='')}"))

    def list_page(self, kind: ResourceKind, cursor: str | None, *, page_size: int = 100) -> Page:
        # Example Pay pages by number (20 a page, whatever page_size asks); the cursor is the next page's number.
        if K(kind) not in COLLECTIONS:
            return Page([], None)
        number = int(cursor or 1)
        answer = self._call("GET", f"/{COLLECTIONS[K(kind)]}", params={"page": number})
        items = [self._mapped(MAPPERS[K(kind)], obj) for obj in answer[COLLECTIONS[K(kind)]]]
        return Page(items, str(number + 1) if answer.get("has_more") else None)

    def refund(self, *, charge: ChargeDTO, amount: Money, reason: str, idempotency_key: str, metadata=None) -> RefundDTO:
        if amount.currency != charge.currency:
            raise InvalidRequest(f"The amount is in {amount.currency} but the payment is in {charge.currency}.", code="currency_mismatch")
        answer = self._call("POST", f"/payments/{quote(charge.remote_id, safe='')}/refunds", json={"amount": str(to_major(amount.amount, amount.currency))},
                            headers={"Idempotency-Key": idempotency_key})
        return self._mapped(refund, answer)

    def verify_webhook(self, *, headers, body: bytes, now: float | None = None) -> None:
        secret = self.credentials.get("webhook_secret", "")
        if not secret:
            raise SignatureError("no webhook secret is configured")
        value = next((v for k, v in headers.items() if k.lower() == "example-signature"), "")
        fields = dict(part.split("=", 1) for part in value.split(",") if "=" in part)
        if not fields.get("t", "").isdigit() or "sha256" not in fields:
            raise SignatureError("missing or garbled Example-Signature header")
        expected = hmac_hex(secret, fields["t"].encode() + b"." + bytes(body))
        if not constant_time_equal(expected, fields["sha256"]):
            raise SignatureError("Example-Signature does not match the body")
        check_timestamp(int(fields["t"]), tolerance=300, now=now)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str] | None = None) -> list[InboundEvent]:
        try:
            event = json.loads(body)
            # Thin events carry no object (obj=None), so ingest fetches each object fresh: order never matters.
            return [InboundEvent(event_id=event["event_id"], type=f"{event['kind']}.changed", kind=EVENT_KINDS.get(event["kind"]),
                                 remote_id=event["id"], occurred_at=_time(event.get("at")), raw=event)]
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"not an Example Pay event: {exc}") from None
