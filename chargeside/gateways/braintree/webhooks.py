"""Braintree webhook notifications: verify (signature, then age) and parse into InboundEvents.

Wire (protocols/gateways.md §3): a form POST with `bt_signature` = "public_key|hex HMAC-SHA1(SHA1(private_key),
bt_payload)" (several `pk|sig` pairs joined by "&" are possible) and `bt_payload` = base64 of the
`<notification>` XML. Verification is the SDK's own (`webhook_notification.parse`, which checks the signature
before it decodes anything and raises InvalidSignatureError), run on the form fields of the raw body.

Freshness: Braintree sends no timestamp header; the signed notification carries `<timestamp>`. It is
enforced with a window of 25 hours in the past (5 minutes into the future for clock skew), not minutes:
Braintree retries a failed delivery for up to 24 hours with the *original* payload and timestamp, so a short
window would throw away every retry after an outage of ours. The window stops an old captured notification
from being replayed later; replays inside it are harmless, because every notification has a stable id
(a hash of its signed payload) and ingest applies an id once and re-fetches the object from Braintree.

No notification id exists in Braintree's payload, hence the payload hash as event id. The `check` kind (the
control panel's "test URL") and kinds we do not sync are stored and ignored. Subscription payloads lack the
customer, charge payloads the refunded amount: those events carry no object, so ingest re-fetches them.
A `subscription_charged_*` notification also names the renewal's transaction: it yields a charge event too.

A GET with `bt_challenge` (Braintree's URL verification when a webhook is added in the control panel) cannot
reach us: the shared webhook view accepts POST only. See verify_challenge() for the answer it would give.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from urllib.parse import parse_qs

from braintree.exceptions import InvalidChallengeError, InvalidSignatureError
from braintree.util.xml_util import XmlUtil
from braintree.webhook_notification import WebhookNotification

from chargeside.core.signing import SignatureError, check_timestamp
from chargeside.gateways.types import InboundEvent
from chargeside.gateways.types import ResourceKind as K

from . import mapping

MAX_AGE = 25 * 3600  # seconds: Braintree's 24 h of retries, plus an hour
MAX_FUTURE_SKEW = 300

SUBSCRIPTION_KINDS = frozenset({
    "subscription_canceled", "subscription_charged_successfully", "subscription_charged_unsuccessfully", "subscription_expired",
    "subscription_trial_ended", "subscription_went_active", "subscription_went_past_due", "subscription_billing_skipped",
})
TRANSACTION_KINDS = frozenset({"transaction_settled", "transaction_settlement_declined", "transaction_disbursed", "transaction_reviewed"})
DISPUTE_KINDS = frozenset({"dispute_opened", "dispute_lost", "dispute_won", "dispute_accepted", "dispute_auto_accepted", "dispute_disputed",
                           "dispute_expired", "dispute_under_review"})


def form_fields(body: bytes) -> tuple[str, str]:
    """(bt_signature, bt_payload) of a notification's form body; SignatureError when they are not there."""
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError("the raw body bytes are needed")
    try:
        fields = parse_qs(bytes(body).decode("ascii"), keep_blank_values=True, strict_parsing=True, max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        raise SignatureError("body is not a Braintree notification form (bt_signature, bt_payload)") from None
    signature, payload = fields.get("bt_signature", []), fields.get("bt_payload", [])
    if len(signature) != 1 or len(payload) != 1 or not signature[0] or not payload[0]:
        raise SignatureError("missing bt_signature or bt_payload")
    return signature[0], payload[0]


def verify(gateway, body: bytes, *, now: float | None = None) -> WebhookNotification:
    signature, payload = form_fields(body)
    try:
        notification = gateway.webhook_notification.parse(signature, payload)
    except InvalidSignatureError as exc:
        raise SignatureError(f"Braintree signature check failed: {exc}") from None
    except Exception as exc:  # signed, yet not a notification we can read: refuse rather than crash
        raise SignatureError(f"signed payload is not a Braintree notification ({type(exc).__name__})") from None
    stamp = mapping.aware(getattr(notification, "timestamp", None))
    if stamp is None:
        raise SignatureError("notification has no timestamp")
    now = time.time() if now is None else now
    age = now - stamp.timestamp()
    if age > MAX_AGE:
        raise SignatureError(f"notification is older than {MAX_AGE // 3600} hours (timestamp {stamp.isoformat()})")
    if age < 0:
        check_timestamp(stamp.timestamp(), tolerance=MAX_FUTURE_SKEW, now=now)
    return notification


def verify_challenge(gateway, challenge: str) -> str:
    """Braintree's GET ?bt_challenge=… URL check: the answer is `public_key|HMAC-SHA1(challenge)` (SDK verify)."""
    try:
        return gateway.webhook_notification.verify(challenge)
    except InvalidChallengeError as exc:
        raise SignatureError(str(exc)) from None


def decode(body: bytes, gateway=None) -> WebhookNotification:
    """The notification in a (verified) body, decoded by the SDK's parser. ValueError when unreadable."""
    try:
        _, payload = form_fields(body)
        xml = base64.decodebytes(payload.encode("ascii"))
        attributes = XmlUtil.dict_from_xml(xml)
        return WebhookNotification(gateway, attributes["notification"])
    except (SignatureError, binascii.Error, UnicodeEncodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"not a readable Braintree notification: {exc}") from None
    except Exception as exc:  # the XML parser's own errors (xml.parsers.expat.ExpatError, ...)
        raise ValueError(f"not a readable Braintree notification: {type(exc).__name__}: {exc}") from None


def event_id(body: bytes) -> str:
    _, payload = form_fields(body)
    # Base64 line breaks vary with the encoder; hash the decoded XML so a retry always gets the same id.
    return "bt_" + hashlib.sha256(base64.decodebytes(payload.encode("ascii"))).hexdigest()[:40]


def parse(body: bytes, gateway=None) -> list[InboundEvent]:
    notification = decode(body, gateway)
    kind = getattr(notification, "kind", "") or ""
    occurred = mapping.aware(getattr(notification, "timestamp", None))
    base = event_id(body)
    raw = {"kind": kind, "timestamp": occurred.isoformat() if occurred else None}
    if kind in SUBSCRIPTION_KINDS and getattr(notification, "subscription", None) is not None:
        sub = notification.subscription
        events = [InboundEvent(event_id=base, type=kind, kind=K.SUBSCRIPTION, remote_id=sub.id, occurred_at=occurred,
                               raw={**raw, "subscription": mapping.plain(sub)})]
        renewal = next(iter(getattr(sub, "transactions", None) or []), None)
        if renewal is not None and kind.startswith("subscription_charged_"):
            events.append(InboundEvent(event_id=f"{base}:charge", type=kind, kind=K.CHARGE, remote_id=renewal.id, occurred_at=occurred, raw=raw))
        return events
    if kind in TRANSACTION_KINDS and getattr(notification, "transaction", None) is not None:
        tx = notification.transaction
        target = K.REFUND if getattr(tx, "type", "") == "credit" else K.CHARGE
        return [InboundEvent(event_id=base, type=kind, kind=target, remote_id=tx.id, occurred_at=occurred,
                             raw={**raw, "transaction": mapping.plain(tx)})]
    if kind in DISPUTE_KINDS and getattr(notification, "dispute", None) is not None:
        dispute = notification.dispute
        try:
            obj = mapping.dispute(dispute)
        except (AttributeError, KeyError, TypeError, ValueError):
            obj = None  # a partial payload: ingest fetches the dispute instead
        return [InboundEvent(event_id=base, type=kind, kind=K.DISPUTE, remote_id=dispute.id, occurred_at=occurred, obj=obj,
                             raw={**raw, "dispute": mapping.plain(dispute)})]
    return [InboundEvent(event_id=base, type=kind or "unknown", kind=None, occurred_at=occurred, raw=raw)]

