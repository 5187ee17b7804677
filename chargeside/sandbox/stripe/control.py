"""Test controls: things that happen on Stripe's side without an API call from the merchant
(a customer pays, a renewal charges, a bank opens a dispute, time passes).

Use them in-process as ``fake.control.<method>(...)``; a running sandbox also exposes them as
``POST /_sandbox/<method>`` with a JSON object of keyword arguments (same API key auth), so a
demo CLI can drive a server in another process. Every control runs in one transaction and
emits the same events (and webhooks) as the real flow.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import errors, shapes
from .context import Ctx
from .resources import (
    billing,
    checkout,
    disputes,
    payment_methods,
    payments,
    sub_engine,
)

if TYPE_CHECKING:
    from .fake import StripeFake

MAX_RETRIES = 4  # failed attempts before a past_due subscription becomes unpaid


class Control:
    def __init__(self, fake: StripeFake):
        self.fake = fake

    def _run(self, fn: Callable[[Ctx], dict]) -> dict:
        ctx = Ctx(self.fake, method="POST", path="/_sandbox")
        with self.fake.store.tx():
            result = fn(ctx)
        self.fake.dispatch(ctx.events)
        return shapes.public(result) if isinstance(result, dict) else result

    # -- inspection ---------------------------------------------------------------------------

    def now(self) -> int:
        return self.fake.clock.now()

    def get(self, object_id: str) -> dict | None:
        obj = self.fake.store.get(object_id)
        return shapes.public(obj) if obj else None

    def events(self, type: str | None = None, limit: int = 100) -> list[dict]:
        where = {"lookup": type} if type else None
        return self.fake.store.find("event", where, limit=limit)

    def set_account(self, **fields) -> dict:
        """Change what ``GET /v1/account`` shows for every key: ``name`` (business profile and
        dashboard display name), ``country``, ``default_currency``, ``email``, ``timezone``."""
        from .resources import account

        unknown = set(fields) - set(account.SETTABLE)
        if unknown:
            raise errors.invalid_request(f"Unknown account setting(s): {', '.join(sorted(unknown))}.")
        store = self.fake.store
        store.meta_set("account", {**store.meta_get("account", {}), **fields})
        return account.settings_of(Ctx(self.fake, method="GET"))

    # -- money moving ---------------------------------------------------------------------------

    def charge(self, customer: str, amount: int, currency: str = "usd", *, decline: str | None = None,
               payment_method: str | None = None, description: str | None = None,
               capture: bool = True) -> dict:
        """A customer-initiated payment: a PaymentIntent + charge that succeed or decline."""
        def run(ctx: Ctx) -> dict:
            cust = ctx.load("customer", customer, "customer")
            pm_id = payment_method or cust["invoice_settings"].get("default_payment_method") or "pm_card_visa"
            pm = payment_methods.resolve(ctx, pm_id)
            pi = payments.new_payment_intent(ctx.new_id("pi"), ctx.now, amount, currency, customer=customer,
                                             description=description,
                                             capture_method="automatic" if capture else "manual")
            ctx.save(pi)
            ctx.emit("payment_intent.created", pi)
            payments.authorize(ctx, pi, pm, force_decline=decline)
            return ctx.load("charge", pi["latest_charge"])
        return self._run(run)

    def renew_subscription(self, subscription: str, *, outcome: str = "paid",
                           decline_code: str = "insufficient_funds") -> dict:
        """Run the next billing cycle now; ``outcome="failed"`` declines it (→ past_due)."""
        if outcome not in ("paid", "failed"):
            raise ValueError("outcome must be 'paid' or 'failed'")

        def run(ctx: Ctx) -> dict:
            sub = ctx.load("subscription", subscription)
            return sub_engine.renew(ctx, sub, force_decline=decline_code if outcome == "failed" else None)
        return self._run(run)

    def retry_invoice(self, invoice: str, *, outcome: str = "paid", decline_code: str = "insufficient_funds") -> dict:
        """A dunning retry. Success reactivates the subscription; after MAX_RETRIES failures it is unpaid."""
        def run(ctx: Ctx) -> dict:
            inv = ctx.load("invoice", invoice)
            err = billing.pay(ctx, inv, force_decline=decline_code if outcome == "failed" else None)
            sub = ctx.store.get(inv["subscription"], "subscription") if inv.get("subscription") else None
            if sub:
                status = "active" if err is None else ("unpaid" if inv["attempt_count"] >= MAX_RETRIES else "past_due")
                if status != sub["status"]:
                    ctx.changed("customer.subscription.updated", sub, {**sub, "status": status})
            return inv
        return self._run(run)

    def create_dispute(self, charge: str, *, reason: str = "fraudulent", amount: int | None = None,
                       status: str = "needs_response", due_in_days: int = 7) -> dict:
        return self._run(lambda ctx: disputes.open_dispute(
            ctx, ctx.load("charge", charge), reason=reason, amount=amount, status=status, due_in_days=due_in_days))

    def close_dispute(self, dispute: str, *, won: bool) -> dict:
        def run(ctx: Ctx) -> dict:
            before = ctx.load("dispute", dispute)
            after = {**before, "status": "won" if won else "lost"}
            ctx.save(after)
            ctx.emit("charge.dispute.closed", after, {"status": before["status"]})
            if not won:
                ctx.save({**ctx.load("charge", before["charge"]), "_dispute_lost": True})
            return after
        return self._run(run)

    def complete_checkout(self, session: str, *, card: str = "visa", exp_month: int = 12,
                          exp_year: int = 2030) -> dict:
        """What submitting the hosted card-update page does."""
        def run(ctx: Ctx) -> dict:
            obj = ctx.load("checkout.session", session)
            if obj["status"] != "open":
                raise errors.invalid_request(f"Checkout session {session} is {obj['status']}.")
            return checkout.complete(ctx, obj, card, exp_month, exp_year)
        return self._run(run)

    def advance(self, seconds: int = 0, *, days: int = 0) -> list[str]:
        """Move the sandbox clock forward and run every renewal that falls due (ids returned)."""
        self.fake.clock.offset += int(seconds) + int(days) * 86400
        self.fake.store.meta_set("clock_offset", self.fake.clock.offset)
        return self.run_billing()

    def run_billing(self) -> list[str]:
        now = self.fake.clock.now()
        renewed = []
        for status in ("active", "trialing", "past_due"):
            after = None
            while True:
                page = self.fake.store.page("subscription", where={"status": status}, after=after, limit=100,
                                            predicate=lambda s: s["current_period_end"] <= now)
                for sub in page.items:
                    # A long jump may cross several periods; renew until current.
                    for _ in range(400):
                        current = self.fake.store.get(sub["id"], "subscription")
                        if current["status"] == "canceled" or current["current_period_end"] > now:
                            break
                        self.renew_subscription(sub["id"])
                    renewed.append(sub["id"])
                if not page.has_more:
                    break
                after = page.last_key
        return renewed


# -- HTTP surface for out-of-process callers ----------------------------------------------------

_HTTP_ACTIONS = ("set_account", "charge", "renew_subscription", "retry_invoice", "create_dispute", "close_dispute",
                 "complete_checkout", "advance", "run_billing", "get", "now")


def handle_http(fake: StripeFake, action: str, body: bytes):
    if action == "faults":
        kwargs = json.loads(body or b"{}")
        if kwargs.pop("clear", False):
            fake.faults.clear()
            return {"cleared": True}
        if "unreachable" in kwargs:
            fake.faults.unreachable = bool(kwargs["unreachable"])
            return {"unreachable": fake.faults.unreachable}
        fault = fake.faults.add(**kwargs)
        return {"path_prefix": fault.path_prefix, "status": fault.status, "times": fault.times}
    if action not in _HTTP_ACTIONS:
        raise errors.unrecognized_url("POST", f"/_sandbox/{action}")
    kwargs = json.loads(body or b"{}")
    if not isinstance(kwargs, dict):
        raise errors.invalid_request("Body must be a JSON object of keyword arguments.")
    try:
        result = getattr(fake.control, action)(**kwargs)
    except TypeError as exc:
        raise errors.invalid_request(str(exc))
    return result if isinstance(result, dict) else {"result": result}
