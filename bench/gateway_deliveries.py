"""Signed webhook deliveries for the webhook benchmark, made inside the fake's process with the fake's own code.

Each provider's builder turns what its seeded fake holds into deliveries exactly as that provider sends them:

* PayPal: the events the fake recorded while seeding (`store.events`), each signed for the connection's
  webhook by `fake.webhooks.signed` (PAYPAL-TRANSMISSION-ID/-TIME/-SIG RSA-SHA256, PAYPAL-CERT-URL, -AUTH-ALGO).
* Braintree: a notification about every settled or settlement-declined transaction, every subscription (the
  kind its status implies) and every dispute, from `fake.notification` (form body bt_signature/bt_payload).
* WooCommerce: every customer, order and subscription as the REST API renders it, `customer.updated` /
  `order.updated` / `subscription.updated`, headers from `fake.dispatcher.headers_for` (X-WC-Webhook-*).
* Recurly: the notifications the fake made while seeding (`fake.webhooks.sent`), signed with
  `sandbox.recurly.webhooks.signature_header` (recurly-signature: <ms>,<hex HMAC-SHA256>).
* Custom HTTP: the events the reference server made while seeding, signed by its `Webhooks.signed`
  (X-Chargeside-Timestamp / X-Chargeside-Signature v1).

Once every object has been announced, further rounds announce them again as a later change would: a new
event id (PayPal, custom HTTP), a later notification time (Braintree, Recurly), a later `date_modified`
(WooCommerce, whose event id is derived from the body). A share (`duplicates`) of the deliveries repeat an
earlier event as the provider's retries do: the same bytes (Braintree, WooCommerce) or the same event signed
again (PayPal, Recurly, custom HTTP).
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import random
import time
from typing import ClassVar

Delivery = tuple[dict, bytes]  # headers, raw body


class Builder:
    def __init__(self, run):
        self.run, self.fake = run, run.fake

    def round(self, number: int) -> list[Delivery]:
        """Every announcement of this round (0: as seeded), signed now."""
        raise NotImplementedError

    def retry(self, delivery: Delivery) -> Delivery:
        return delivery  # the same bytes, as providers that resend a stored delivery do

    def write(self, path: str, *, count: int, duplicates: float, rng_seed: int) -> dict:
        started = time.monotonic()
        rng = random.Random(rng_seed)
        unique = max(1, int(count * (1 - duplicates)))
        made: list[Delivery] = []
        rounds = objects = 0
        while len(made) < unique:
            batch = self.round(rounds)
            if not batch:
                break
            objects = objects or len(batch)
            rng.shuffle(batch)
            made.extend(batch[: unique - len(made)])
            rounds += 1
        out: list[Delivery] = []
        repeats = 0
        for delivery in made:
            out.append(delivery)
            if rng.random() < duplicates and len(out) > 1:
                out.append(self.retry(out[rng.randrange(len(out) - 1)]))
                repeats += 1
        with open(path, "wb") as handle:
            pickle.dump(out, handle, protocol=pickle.HIGHEST_PROTOCOL)
        return {"deliveries": len(out), "repeats": repeats, "announcements_per_round": objects, "rounds": rounds,
                "seconds": round(time.monotonic() - started, 2)}


class PayPal(Builder):
    def __init__(self, run):
        super().__init__(run)
        self.webhook_id = run.settings["webhook_id"]
        self.seeded = list(self.fake.store.events)

    def round(self, number: int) -> list[Delivery]:
        webhooks = self.fake.webhooks
        if number == 0:
            events = self.seeded
        else:  # the same change announced again: a new event, recorded by the fake (its webhook has no URL)
            events = [webhooks.emit(e["event_type"], e["resource_type"], e["resource"], e["summary"]) for e in self.seeded]
        return [webhooks.signed(self.webhook_id, event) for event in events]

    def retry(self, delivery: Delivery) -> Delivery:
        return self.fake.webhooks.signed(self.webhook_id, json.loads(delivery[1]))  # PayPal re-sends with a new transmission


class Braintree(Builder):
    SUBSCRIPTION: ClassVar[dict[str, str]] = {"Active": "subscription_charged_successfully", "Past Due": "subscription_went_past_due",
                    "Canceled": "subscription_canceled", "Expired": "subscription_expired", "Pending": "subscription_went_active"}

    def __init__(self, run):
        super().__init__(run)
        from chargeside.sandbox.braintree.fake import DISPUTE_KINDS

        state = self.fake.store.state
        transaction = {"settled": "transaction_settled", "settlement_declined": "transaction_settlement_declined"}
        self.targets = [(transaction[t["status"]], "transaction", tid) for tid, t in state.transactions.items() if t["status"] in transaction]
        self.targets += [(self.SUBSCRIPTION.get(s["status"], "subscription_went_active"), "subscription", sid)
                         for sid, s in state.subscriptions.items()]
        self.targets += [(DISPUTE_KINDS.get(d["status"], "dispute_opened"), "dispute", did) for did, d in state.disputes.items()]
        self.first = self.fake.now().replace(microsecond=0)  # fixed, so no two rounds share a timestamp

    def round(self, number: int) -> list[Delivery]:
        # Braintree's event id is the payload's hash: a later notification differs by its timestamp.
        when = self.first - dt.timedelta(seconds=number)  # in the past: Braintree's window is 25 hours back
        headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Braintree/1.0"}
        return [(dict(headers), self.fake.notification(kind, subject, object_id, timestamp=when)) for kind, subject, object_id in self.targets]


class WooCommerce(Builder):
    def __init__(self, run):
        super().__init__(run)
        self.secret = run.credentials["webhook_secret"]

    def round(self, number: int) -> list[Delivery]:
        from chargeside.sandbox.woocommerce.shapes import php_json

        fake = self.fake
        rendered = [("customer.updated", fake.plain_json(doc, "customers")) for doc in fake.store.all("customer")]
        rendered += [("order.updated", fake.order_json(doc)) for doc in fake.store.all("order")]
        rendered += [("subscription.updated", fake.subscription_json(doc)) for doc in fake.store.all("subscription")]
        out = []
        for topic, obj in rendered:
            if number:  # a later save: WooCommerce bumps date_modified, so the body (and the event id) differ
                obj = {**obj, **_later(obj, number)}
            body = php_json(obj)
            out.append((fake.dispatcher.headers_for(1, self.secret, topic, body), body))
        return out


def _later(obj: dict, seconds: int) -> dict:
    changed = {}
    for name in ("date_modified", "date_modified_gmt"):
        if obj.get(name):
            changed[name] = (dt.datetime.fromisoformat(obj[name]) + dt.timedelta(seconds=seconds)).isoformat()
    return changed


class Recurly(Builder):
    def __init__(self, run):
        super().__init__(run)
        self.secret = run.credentials["webhook_secret"]
        self.seeded = list(self.fake.webhooks.sent)

    def _signed(self, note: dict | bytes) -> Delivery:
        from chargeside.sandbox.recurly.webhooks import signature_header

        body = note if isinstance(note, bytes) else json.dumps(note, separators=(",", ":")).encode()
        return {"Content-Type": "application/json", "User-Agent": "Recurly Webhooks",
                "recurly-signature": signature_header(body, [self.secret], int(time.time() * 1000))}, body

    def round(self, number: int) -> list[Delivery]:
        if number == 0:
            return [self._signed(note) for note in self.seeded]
        from chargeside.sandbox.recurly.store import iso

        # Recurly's notifications are identified by object, event and event_time: a later one is a new event.
        when = iso(self.fake.clock.now() + number)
        return [self._signed({**note, "event_time": when, "uuid": self.fake.store.new_uuid()}) for note in self.seeded]

    def retry(self, delivery: Delivery) -> Delivery:
        return self._signed(delivery[1])  # the same payload, signed at the retry's time


class CustomHttp(Builder):
    def __init__(self, run):
        super().__init__(run)
        self.seeded = [event for event, _, _ in self.fake.webhooks.sent]

    def round(self, number: int) -> list[Delivery]:
        import uuid

        events = self.seeded if number == 0 else [{**e, "id": f"evt_{uuid.uuid4().hex[:24]}"} for e in self.seeded]
        return [self.fake.webhooks.signed(event) for event in events]

    def retry(self, delivery: Delivery) -> Delivery:
        return self.fake.webhooks.signed(json.loads(delivery[1]))  # signed when sent, as the server's retries are


BUILDERS = {"paypal": PayPal, "braintree": Braintree, "woocommerce": WooCommerce, "recurly": Recurly, "custom_http": CustomHttp}


def builder_for(run) -> Builder:
    return BUILDERS[run.provider](run)
