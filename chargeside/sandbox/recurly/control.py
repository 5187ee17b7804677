"""Test controls: what happens at Recurly without an API call from the merchant (a customer pays on a hosted
page, the merchant sets up plans and coupons in the admin UI, a webhook endpoint is configured there, time
passes). Each control sends the same notifications as the real flow; the returned objects are wire copies."""

from __future__ import annotations

from decimal import Decimal

from . import objects as ob
from . import ops
from .api import public
from .webhooks import Endpoint


class Control:
    def __init__(self, fake):
        self.fake = fake

    def _run(self, fn):
        with self.fake.store.lock:
            result = fn()
        self.fake.flush_notifications()
        return result

    # --- admin UI --------------------------------------------------------------------------------------------
    def add_endpoint(self, url: str, secret: str) -> Endpoint:
        endpoint = Endpoint(url, secret)
        self.fake.webhooks.endpoints.append(endpoint)
        return endpoint

    def rotate_secret(self, endpoint: Endpoint, new_secret: str) -> None:
        """Recurly signs with both secrets for 24 hours after a rotation."""
        endpoint.old_secrets.insert(0, endpoint.secret)
        endpoint.secret = new_secret

    def create_plan(self, code: str, name: str, prices: dict[str, str], *, interval_unit: str = "months", interval_length: int = 1,
                    trial_length: int = 0) -> dict:
        def run():
            store, now = self.fake.store, self.fake.clock.iso()
            plan = store.add("plan", {
                "id": store.new_id(), "object": "plan", "code": code, "state": "active", "name": name, "description": None,
                "interval_unit": interval_unit, "interval_length": interval_length, "trial_unit": "days", "trial_length": trial_length,
                "trial_requires_billing_info": True, "total_billing_cycles": None, "auto_renew": True, "pricing_model": "fixed",
                "currencies": [{"currency": c.upper(), "setup_fee": Decimal(0), "unit_amount": ob.money(v, c), "tax_inclusive": False}
                               for c, v in prices.items()],
                "allow_any_item_on_subscriptions": False, "created_at": now, "updated_at": now, "deleted_at": None,
            })
            self.fake.notify("plan", "created", plan["id"], uuid=None)
            return public(plan)
        return self._run(run)

    def create_coupon(self, code: str, name: str, *, percent: int | None = None, amounts: dict[str, str] | None = None,
                      duration: str = "forever", temporal_unit: str | None = None, temporal_amount: int | None = None) -> dict:
        def run():
            store, now = self.fake.store, self.fake.clock.iso()
            discount = {"type": "percent", "percent": percent} if percent is not None else \
                {"type": "fixed", "currencies": [{"currency": c.upper(), "amount": ob.money(v, c)} for c, v in (amounts or {}).items()]}
            coupon = store.add("coupon", {
                "id": store.new_id(), "object": "coupon", "code": code, "name": name, "state": "redeemable", "max_redemptions": None,
                "max_redemptions_per_account": None, "duration": duration, "temporal_unit": temporal_unit, "temporal_amount": temporal_amount,
                "applies_to_all_plans": True, "applies_to_all_items": False, "applies_to_non_plan_charges": False, "plans": [],
                "redemption_resource": "account", "discount": discount, "coupon_type": "single_code", "invoice_description": None,
                "redeem_by": None, "created_at": now, "updated_at": now, "expired_at": None,
            })
            self.fake.notify("coupon", "created", coupon["id"])
            return public(coupon)
        return self._run(run)

    # --- customers and money ----------------------------------------------------------------------------------
    def create_account(self, code: str, email: str = "", first_name: str = "", last_name: str = "", company: str = "", *,
                       token: str = "tok_visa", at: float | None = None) -> dict:
        return self._run(lambda: public(ob.render_account(self.fake, ops.create_account(
            self.fake, code=code, email=email, first_name=first_name, last_name=last_name, company=company, token=token, at=at))))

    def purchase(self, account_id: str, amount, currency: str = "USD", *, description: str = "One-time charge",
                 decline: str | None = None, at: float | None = None) -> dict:
        """A customer pays (a hosted page, Recurly.js): the purchase transaction, declined or not."""
        def run():
            account = self.fake.store.get("account", account_id)
            _, tx = ops.purchase(self.fake, account, amount, currency, description=description, decline=decline, at=at)
            return public(ob.render_transaction(self.fake, tx))
        return self._run(run)

    def refund(self, transaction_id: str, amount=None, *, notes: str = "") -> dict:
        """A refund made in Recurly's admin UI: the credit invoice."""
        def run():
            tx = self.fake.store.get("transaction", transaction_id)
            credit = ops.refund(self.fake, self.fake.store.get("invoice", tx["_invoice"]), amount, notes=notes)
            return public(ob.render_invoice(self.fake, credit))
        return self._run(run)

    def subscribe(self, account_id: str, plan_code: str, currency: str = "USD", *, trial_days: int = 0, starts_in_days: int = 0,
                  at: float | None = None) -> dict:
        def run():
            store, now = self.fake.store, (self.fake.clock.now() if at is None else at)
            account, plan = store.get("account", account_id), store.find_one("plan", code=plan_code)
            sub = ops.subscribe(self.fake, account, plan, currency, at=at, raise_on_decline=False,
                                trial_ends_at=now + trial_days * 86400 if trial_days else None,
                                starts_at=now + starts_in_days * 86400 if starts_in_days else None)
            return public(ob.render_subscription(self.fake, sub))
        return self._run(run)

    def set_subscription_state(self, subscription_id: str, state: str) -> dict:
        """Cancel, expire or pause a subscription as Recurly's own flows would (dunning, admin UI)."""
        def run():
            sub = self.fake.store.get("subscription", subscription_id)
            if state == "canceled":
                ops.cancel(self.fake, sub)
            elif state == "expired":
                ops.terminate(self.fake, sub, "none")
            elif state == "paused":
                sub.update(state="paused", paused_at=self.fake.clock.iso(), remaining_pause_cycles=1)
                self.fake.notify("subscription", "paused", sub["id"], uuid=sub["uuid"])
            else:
                raise ValueError(f"cannot move a subscription to {state!r}")
            return public(ob.render_subscription(self.fake, sub))
        return self._run(run)

    def close_account(self, account_id: str) -> dict:
        def run():
            account = self.fake.store.get("account", account_id)
            account.update(state="inactive", updated_at=self.fake.clock.iso())
            self.fake.notify("account", "closed", account["id"], account_code=account["code"])
            return public(ob.render_account(self.fake, account))
        return self._run(run)

    def advance(self, seconds: float) -> None:
        self.fake.clock.advance(seconds)

    # --- inspection -----------------------------------------------------------------------------------------------
    def get(self, type_: str, object_id: str) -> dict | None:
        obj = self.fake.store.get(type_, object_id)
        return public(obj) if obj else None

    def count(self, type_: str, **where) -> int:
        return len(self.fake.store.find(type_, **where))
