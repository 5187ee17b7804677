"""WooCommerce webhooks: verify the signature on the raw bytes, then turn the body into events.

WooCommerce (`WC_Webhook::deliver`) signs each delivery: `X-WC-Webhook-Signature` = base64(HMAC-SHA256(body,
secret)), the secret first passed through wp_specialchars_decode (so a secret saved with "&" is signed with
"&", not "&amp;"). There is no timestamp, so no replay window can be enforced: a captured delivery stays
valid forever; replays are absorbed by deduplication (below) and by re-fetching the object.

The only unsigned request is the ping sent when a webhook is saved: form body `webhook_id=<n>`. It is
accepted (so WooCommerce sees a 200) and parsed into an event of kind None, which ingest stores as ignored.

The body is the resource itself, as the REST API renders it: topic and delivery id are in headers only.
The kind is recognised from the resource's own fields, and the event id is content-derived:
"wc:<kind>:<id>:<sha256 of the body>".
The same delivery sent twice is one event; any change (WooCommerce bumps date_modified) is a new one. The
header `X-WC-Delivery-ID` would not do: it is wp_hash(webhook id . unix seconds), the same for every
delivery of a webhook within one second. A deletion body is `{"id": N}` alone, which names no resource type:
the `X-WC-Webhook-Topic` header (`order.deleted`, `customer.deleted`…) does; without it the delivery is stored
and ignored (reconcile finds the object gone).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping

from chargeside.core.signing import SignatureError
from chargeside.gateways.types import InboundEvent
from chargeside.gateways.types import ResourceKind as K

from . import mapping

HEADER = "x-wc-webhook-signature"
TOPIC = "x-wc-webhook-topic"
_DELETABLE = {"order": K.CHARGE, "customer": K.CUSTOMER, "product": K.PRODUCT, "coupon": K.COUPON, "subscription": K.SUBSCRIPTION}
PING = re.compile(rb"^webhook_id=\d+$")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wsgi = "HTTP_" + name.upper().replace("-", "_")
    for key, value in headers.items():
        if key.lower() == name or key.upper() == wsgi:
            return value
    return None


def specialchars_decode(value: str) -> str:
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#039;", "'"), ("&#39;", "'"), ("&amp;", "&")):
        value = value.replace(entity, char)
    return value


def expected_signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(specialchars_decode(secret).encode(), bytes(body), hashlib.sha256).digest()).decode()


def verify(headers: Mapping[str, str], body: bytes, secret: str) -> None:
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError("verify() needs the raw body bytes")
    given = _header(headers, HEADER)
    if given is None:
        if PING.match(bytes(body)):
            return  # the save-time ping: unsigned by WooCommerce, carries nothing we act on
        raise SignatureError("missing X-WC-Webhook-Signature header")
    if not secret:
        raise SignatureError("no webhook secret is configured for this connection")
    if not hmac.compare_digest(expected_signature(secret, body).encode(), given.strip().encode()):
        raise SignatureError("X-WC-Webhook-Signature does not match the body (wrong secret, or the body was changed)")


def _kind(obj: dict) -> K | None:
    if "billing_period" in obj and "billing_interval" in obj:
        return K.SUBSCRIPTION
    if "order_key" in obj and "line_items" in obj:
        return K.CHARGE
    if "username" in obj and "role" in obj:
        return K.CUSTOMER
    if "discount_type" in obj and "code" in obj:
        return K.COUPON
    if "sku" in obj and "regular_price" in obj:
        return K.PRODUCT
    return None


def parse(body: bytes, headers: Mapping[str, str] | None = None) -> list[InboundEvent]:
    body = bytes(body)
    if PING.match(body):
        return [InboundEvent(event_id=f"wc:ping:{body.decode()[len('webhook_id='):]}", type="ping", kind=None, raw={"ping": body.decode()})]
    try:
        obj = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"webhook body is not JSON: {exc}") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), int):
        raise ValueError("not a WooCommerce resource (expected a JSON object with an integer id)")
    kind = _kind(obj)
    digest = hashlib.sha256(body).hexdigest()
    if kind is None and (deleted := _deleted_kind(headers or {})) is not None:
        return [InboundEvent(event_id=f"wc:{deleted}:{obj['id']}:deleted:{digest}", type=f"{_resource(deleted)}.deleted",
                             kind=deleted, remote_id=str(obj["id"]), deleted=True, raw=obj)]
    if kind is None:  # a deletion without its topic header, or an action.* payload: kept, not applied
        return [InboundEvent(event_id=f"wc:unknown:{obj['id']}:{digest}", type="unknown", kind=None, remote_id=str(obj["id"]), raw=obj)]
    dto = None
    if kind == K.CHARGE:
        dto = mapping.charge(obj)
    elif kind == K.CUSTOMER:
        dto = mapping.customer(obj)
    elif kind == K.SUBSCRIPTION:
        dto = mapping.subscription(obj)
    elif kind == K.PRODUCT:
        dto = mapping.product(obj)
    modified = mapping.gmt(obj.get("date_modified_gmt"))
    events = [InboundEvent(event_id=f"wc:{kind}:{obj['id']}:{digest}", type=f"{_resource(kind)}.updated", kind=kind,
                           remote_id=str(obj["id"]), occurred_at=modified, obj=dto, raw=obj)]
    if kind == K.CHARGE and not obj.get("customer_id") and (obj.get("billing") or {}).get("email"):
        # A guest order's buyer exists only through their orders: announce the guest identity with it.
        guest = mapping.guest_customer(obj)
        events.append(InboundEvent(event_id=f"wc:customer:{guest.remote_id}:{digest}", type="order.guest", kind=K.CUSTOMER,
                                   remote_id=guest.remote_id, occurred_at=modified, obj=guest, raw=guest.raw))
    return events


def _deleted_kind(headers: Mapping[str, str]) -> K | None:
    resource, _, event = (_header(headers, TOPIC) or "").strip().lower().partition(".")
    return _DELETABLE.get(resource) if event == "deleted" else None


def _resource(kind: K) -> str:
    return {K.CHARGE: "order", K.CUSTOMER: "customer", K.SUBSCRIPTION: "subscription", K.COUPON: "coupon", K.PRODUCT: "product"}[kind]
