"""The object factory behind :func:`chargeside.sandbox.stripe.seed.seed`: one generated customer
at a time (cards, charges, refunds, disputes, subscriptions with invoices, tax ids), the
catalogue, and the demo customer. Objects go out as plain dicts; the high-volume charges and
PaymentIntents are written directly in stored form (see :meth:`Seeder.payment`).
"""

from __future__ import annotations

import collections
import json
import operator
import random
import time

from . import seed_data as D
from . import shapes
from .ids import SeededIds
from .resources import (
    billing,
    cards,
    catalog,
    coupons,
    disputes,
    payment_methods,
    payments,
    refunds,
    sub_engine,
    tax_ids,
)
from .resources import customers as customers_mod
from .store import Store, rows_for

DEMO_CUSTOMER = "cus_DemoAyseYilmaz"
DEMO_EMAIL = "ayse.yilmaz@example.com"
DAY = 86400


_OBJECT_OF = operator.itemgetter("object")
_CUM: dict[int, tuple] = {}  # cumulative weights per weighted table (by identity)
_LOCALES = list(zip(D.LOCALES, D.LOCALE_WEIGHTS))
_PM_COUNT = [(0, 5), (1, 80), (2, 15)]
_CHARGE_COUNT = [(0, 10), (1, 25), (2, 30), (3, 20), (4, 10), (5, 5)]
_SUB_STATUS = [("active", 70), ("trialing", 8), ("past_due", 7), ("canceled", 12), ("unpaid", 3)]
_PRODUCT = [("starter", 40), ("team", 35), ("business", 20), ("enterprise", 5)]


class _Ctx:
    """The bits of a request context the object builders use."""

    def __init__(self, ids: SeededIds, now: int):
        self.new_id = ids
        self.now = now


class Seeder:
    def __init__(self, store: Store, rng_seed: int, now: int):
        self.store = store
        self.rng_seed = rng_seed
        self.rng = random.Random(rng_seed)
        self.ids = SeededIds(self.rng)
        self.now = now
        self.ctx = _Ctx(self.ids, now)
        self.out: list[dict] = []
        self.prices: dict[tuple, dict] = {}
        self.product_names: dict[str, str] = {}
        self.coupon_objs: list[dict] = []
        self.counts: dict[str, int] = {}
        self.packed: list[dict] = []  # objects already in stored form (see payment())
        self._card_diffs: dict[str, dict] = {}

    def emit(self, obj: dict) -> dict:
        self.out.append(obj)
        return obj

    def take_rows(self) -> list[tuple]:
        """Everything generated so far, as store rows (and counted)."""
        counted = collections.Counter(map(_OBJECT_OF, self.out))
        counted.update(map(_OBJECT_OF, self.packed))
        for kind, n in counted.items():
            self.counts[kind] = self.counts.get(kind, 0) + n
        rows = rows_for(self.out) + rows_for(self.packed, packed=True)
        self.out, self.packed = [], []
        return rows

    def flush(self) -> int:
        rows = self.take_rows()
        with self.store.tx():
            self.store.insert_rows(rows)
        return len(rows)

    def reseed(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids = self.ctx.new_id = SeededIds(rng)

    def load_catalog(self) -> None:
        """Reuse the catalogue an earlier seed wrote (demo data present)."""
        for price in self.store.find("price", limit=1000):
            key, cur, interval = price["lookup_key"].split("_")
            self.prices[(key, cur, None if interval == "once" else interval)] = price
        self.product_names = {p["id"]: p["name"] for p in self.store.find("product", limit=1000)}
        self.coupon_objs = self.store.find("coupon", limit=1000)

    def at(self, ts: int) -> _Ctx:
        self.ctx.now = int(ts)
        return self.ctx

    def pick(self, weighted: list[tuple]):
        table = _CUM.get(id(weighted))
        if table is None:
            values, total, cum = [w[0] for w in weighted], 0, []
            for w in weighted:
                total += w[1]
                cum.append(total)
            table = _CUM[id(weighted)] = (values, cum)
        return self.rng.choices(table[0], cum_weights=table[1])[0]

    # -- catalogue ------------------------------------------------------------------------------

    def catalog(self) -> None:
        t = self.now - 800 * DAY
        for name, desc, amounts in D.CATALOG + D.ONE_TIME:
            key = name.split()[0].lower()
            prod = self.emit(catalog.new_product(f"prod_{name.replace(' ', '')}", t, name, description=desc))
            self.product_names[prod["id"]] = name
            recurring = (name, desc, amounts) in D.CATALOG
            for cur, amount in amounts.items():
                for interval in (("month", "year") if recurring else (None,)):
                    unit = amount * 10 if interval == "year" else amount
                    lookup = f"{key}_{cur}_{interval or 'once'}"
                    price = catalog.new_price(f"price_{lookup}", t, prod["id"], cur, unit, interval,
                                              lookup_key=lookup, nickname=f"{name} {cur.upper()} {interval or 'one-time'}")
                    self.prices[(key, cur, interval)] = self.emit(price)
            prod["default_price"] = f"price_{key}_usd_{'month' if recurring else 'once'}"
        specs = [("WELCOME10", dict(percent_off=10.0, duration="once", name="Welcome 10%")),
                 ("LOYAL20", dict(percent_off=20.0, duration="forever", name="Loyal customer 20%")),
                 ("3MONTHS25", dict(percent_off=25.0, duration="repeating", duration_in_months=3, name="25% for 3 months")),
                 ("TRY100OFF", dict(amount_off=10000, currency="try", duration="once", name="₺100 indirim")),
                 ("EUR5", dict(amount_off=500, currency="eur", duration="forever", name="€5 off"))]
        for cid, kw in specs:
            coupon = self.emit(coupons.new_coupon(cid, t, **kw))
            self.coupon_objs.append(coupon)
            self.emit(coupons.new_promotion_code(self.ids("promo"), t, coupon, cid if cid != "3MONTHS25" else "SPRING25"))

    # -- people and cards -----------------------------------------------------------------------

    def customer(self, cid: str, created: int, name: str, email: str, locale, **fields) -> dict:
        cust = customers_mod.new_customer(cid, created, name=name, email=email,
                                          preferred_locales=[locale[5]], **fields)
        cust["invoice_prefix"] = "".join(self.rng.choices("0123456789ABCDEF", k=8))
        cust["address"] = {**customers_mod.ADDRESS_NULL, "country": locale[0]}
        return cust

    def card(self, customer: str, created: int, key: str, *, expired=False, pm_id=None) -> dict:
        card = cards.by_token("pm_card_" + key)
        year = time.gmtime(self.now).tm_year
        exp_year = year - self.rng.randint(1, 2) if expired else year + self.rng.randint(0, 5)
        return self.emit(payment_methods.new_payment_method(
            pm_id or self.ids("pm"), created, card, self.rng.randint(1, 12), exp_year, customer=customer))

    # -- payments -------------------------------------------------------------------------------

    def payment(self, cust: dict, pm: dict, amount: int, currency: str, created: int, *, decline=None,
                description=None, invoice=None, ids=None) -> tuple[dict, dict]:
        """A confirmed PaymentIntent and its charge, written in stored (compact) form directly.

        This is the bulk of a big seed, so it skips the builders; tests check the result
        inflates to exactly what ``payments.new_payment_intent``/``new_charge`` build.
        """
        pi_id, ch_id = ids or (self.ids("pi"), self.ids("ch"))
        pi = {"id": pi_id, "object": "payment_intent", "created": created, "amount": amount,
              "currency": currency, "customer": cust["id"], "capture_method": "automatic",
              "client_secret": f"{pi_id}_secret_{self.ids('x')[2:]}", "latest_charge": ch_id,
              "payment_method": pm["id"], "status": "succeeded", "amount_received": amount}
        ch = {"id": ch_id, "object": "charge", "created": created, "amount": amount, "currency": currency,
              "amount_captured": amount, "captured": True, "customer": cust["id"], "payment_intent": pi_id,
              "payment_method": pm["id"], "paid": True, "status": "succeeded",
              "receipt_url": f"https://pay.stripe.com/receipts/payment/sandbox_{ch_id}",
              "balance_transaction": "txn_" + ch_id[3:]}
        ch["^payment_method_details"] = self.card_diff(pm, amount)
        if description:
            pi["description"] = ch["description"] = description
        if invoice:
            pi["invoice"] = ch["invoice"] = invoice
        if decline:
            code, message = cards.DECLINES[decline]
            del pi["amount_received"], ch["balance_transaction"]
            pi["status"] = "requires_payment_method"
            pi["last_payment_error"] = {"charge": ch_id, "code": code, "decline_code": decline,
                                        "message": message, "type": "card_error"}
            ch.update(amount_captured=0, captured=False, paid=False, status="failed", failure_code=code,
                      failure_message=message, outcome=payments.outcome(decline, self.rng))
        else:
            ch["^outcome"] = {"risk_score": self.rng.randint(5, 60)}
        self.packed.append(pi)
        self.packed.append(ch)
        return pi, ch

    @staticmethod
    def store_form(obj: dict) -> str:
        return json.dumps({k: v for k, v in obj.items() if k not in ("id", "object", "created")})

    def card_diff(self, pm: dict, amount: int) -> dict:
        """The stored diff of a charge's payment_method_details for this card and amount."""
        base = self._card_diffs.get(pm["id"])
        if base is None:
            full = payments.charge_details(pm, 0)
            base = shapes._deep_diff(full, shapes._DEFAULTS["charge"]["payment_method_details"])
            self._card_diffs = {pm["id"]: base}  # charges of one customer come together
        card = {**base.get("card", {}), "amount_authorized": amount, "overcapture": {"maximum_amount_capturable": amount}}
        return {**base, "card": card}

    def refund(self, ch: dict, amount: int, created: int, reason=None, rid=None) -> dict:
        ch["amount_refunded"] = ch.get("amount_refunded", 0) + amount
        ch["refunded"] = ch["amount_refunded"] >= ch["amount"]
        return self.emit(refunds.new_refund(rid or self.ids("re"), created, ch, amount, reason=reason))

    def dispute(self, ch: dict, created: int, status: str, reason: str, due_in: int, did=None) -> dict:
        full = shapes.inflate("charge", ch["id"], ch["created"], self.store_form(ch))
        dp = disputes.new_dispute(did or self.ids("dp"), created, full, amount=ch["amount"] - ch.get("amount_refunded", 0),
                                  reason=reason, status=status, due_by=created + due_in * DAY)
        ch.update(disputed=True, dispute=dp["id"])
        if status == "lost":
            ch["_dispute_lost"] = True
        return self.emit(dp)

    # -- subscriptions and invoices -------------------------------------------------------------

    def invoice(self, cust, sub, price, period, *, status, pm=None, attempts=1, decline=None,
                reason="subscription_cycle", discount=None, collection="charge_automatically") -> dict:
        ctx = self.at(period[0])
        inv = billing.new_invoice(ctx, cust, currency=price["currency"], billing_reason=reason, period=period,
                                  subscription=sub, collection_method=collection,
                                  discounts=[discount] if discount else ())
        amount = 0 if status == "trial" else price["unit_amount"]
        name = self.product_names.get(price["product"], "Plan")
        line = billing.make_line(ctx, invoice_id=inv["id"], amount=amount, currency=price["currency"],
                                 description=f"Trial period for {name}" if status == "trial" else f"1 × {name}",
                                 period=period, price=price, subscription=sub["id"], si=sub["items"]["data"][0]["id"])
        billing.set_lines(inv, [line])
        seq = cust["next_invoice_sequence"]
        cust["next_invoice_sequence"] = seq + 1
        inv.update(number=f"{cust['invoice_prefix']}-{seq:04d}", effective_at=period[0], ending_balance=0,
                   hosted_invoice_url=f"https://invoice.stripe.com/i/acct_sandbox/test_{inv['id']}",
                   invoice_pdf=f"https://pay.stripe.com/invoice/acct_sandbox/test_{inv['id']}/pdf",
                   status_transitions={"finalized_at": period[0], "marked_uncollectible_at": None,
                                       "paid_at": None, "voided_at": None})
        if collection == "send_invoice":
            inv.update(status="open", due_date=period[0] + 30 * DAY, days_until_due=30)
        elif inv["amount_due"] == 0:
            inv.update(status="paid", paid=True, attempted=True)
            inv["status_transitions"]["paid_at"] = period[0]
        else:
            pi, ch = self.payment(cust, pm, inv["amount_due"], price["currency"], period[0] + 3600,
                                  decline=decline, description="Subscription update", invoice=inv["id"])
            inv.update(charge=ch["id"], payment_intent=pi["id"], attempted=True, attempt_count=attempts,
                       payments=billing._payments_list(inv["id"], pi, "open" if decline else "paid",
                                                       None if decline else inv["amount_due"]))
            if decline:
                inv.update(status="open", next_payment_attempt=self.now + 2 * DAY)
            else:
                inv.update(status="paid", paid=True, amount_paid=inv["amount_due"], amount_remaining=0)
                inv["status_transitions"]["paid_at"] = period[0] + 3600
        return self.emit(inv)

    def subscription(self, cust: dict, pm: dict | None, status: str, currency: str, sub_id=None,
                     product="team", interval="month", plain=False) -> dict:
        price = self.prices[(product, currency, interval)]
        sub_id = sub_id or self.ids("sub")
        n = self.rng.randint(1, 3)
        step = 365 * DAY if interval == "year" else 30 * DAY
        start = max(cust["created"], self.now - n * step - self.rng.randint(1, 20) * DAY)
        periods = [(start, billing.add_interval(start, interval))]
        while periods[-1][1] <= self.now and len(periods) < 40:
            periods.append((periods[-1][1], billing.add_interval(periods[-1][1], interval)))
        if status == "trialing":
            start = self.now - self.rng.randint(1, 10) * DAY
            periods = [(start, start + 14 * DAY)]
        if status == "canceled":
            periods = periods[:-1] or periods
        item = sub_engine.new_item(self.ids("si"), start, sub_id, price, 1, periods[-1])
        sub = sub_engine.build(sub_id, start, cust["id"], [item], status=status, period=periods[-1],
                               default_payment_method=pm["id"] if pm else None)
        discount = None
        if not plain and self.coupon_objs and self.rng.random() < 0.1:
            coupon = self.rng.choice([c for c in self.coupon_objs if c.get("currency") in (None, currency)])
            discount = self.emit({"id": self.ids("di"), "object": "discount", "checkout_session": None,
                                  "coupon": coupon, "customer": cust["id"], "customer_account": None, "end": None,
                                  "invoice": None, "invoice_item": None, "promotion_code": None, "start": start,
                                  "source": {"coupon": coupon["id"], "type": "coupon"}, "subscription": sub_id,
                                  "subscription_item": None})
            sub["discounts"] = [discount["id"]]
            if coupon["duration"] == "once" and status != "trialing":
                sub["_discounts_used"] = [discount["id"]]  # spent on the first invoice below
        if status == "trialing":
            sub.update(trial_start=start, trial_end=periods[-1][1])
            last = self.invoice(cust, sub, price, periods[-1], status="trial", reason="subscription_create")
        else:
            for i, period in enumerate(periods[-2:]):
                failing = i == len(periods[-2:]) - 1 and status in ("past_due", "unpaid")
                last = self.invoice(cust, sub, price, period, status="open" if failing else "paid", pm=pm,
                                    decline="insufficient_funds" if failing else None,
                                    attempts=4 if status == "unpaid" else self.rng.randint(1, 3),
                                    reason="subscription_create" if period[0] == start else "subscription_cycle",
                                    discount=discount if i == 0 or (discount and discount["coupon"]["duration"] != "once") else None)
        if status == "canceled":
            ended = min(self.now - DAY, periods[-1][1])
            sub.update(ended_at=ended, canceled_at=ended - self.rng.randint(0, 20) * DAY,
                       cancellation_details={"comment": None, "feedback": self.rng.choice([None, "too_expensive", "switched_service", "unused"]),
                                             "reason": "cancellation_requested"})
        elif status == "active" and not plain and self.rng.random() < 0.06:
            sub.update(cancel_at_period_end=True, cancel_at=periods[-1][1], canceled_at=self.now - DAY)
        sub["latest_invoice"] = last["id"]
        return self.emit(sub)

    # -- one generated customer -----------------------------------------------------------------

    def random_customer(self, index: int) -> None:
        rng = self.rng
        locale = self.pick(_LOCALES)
        first, last = rng.choice(locale[2]), rng.choice(locale[3])
        email = f"{first.lower().translate(D.ASCII)}.{last.lower().translate(D.ASCII)}{index}@{rng.choice(locale[4])}"
        created = self.now - rng.randint(2 * DAY, 720 * DAY)
        name, description = f"{first} {last}", None
        if index % 997 == 13:  # a sprinkle of hostile strings to test escaping
            name, description = D.HOSTILE[(index // 997) % len(D.HOSTILE)]
        cust = self.customer(self.ids("cus"), created, name, email, locale, description=description,
                             metadata={"seed_index": str(index)})
        currency = locale[1]
        pms = []
        for n in range(self.pick(_PM_COUNT)):
            pms.append(self.card(cust["id"], created + n * DAY, self.pick(D.CARD_WEIGHTS), expired=rng.random() < 0.1))
        usable = [p for p in pms if p["card"]["exp_year"] >= time.gmtime(self.now).tm_year]
        if usable:
            cust["invoice_settings"] = {**cust["invoice_settings"], "default_payment_method": usable[0]["id"]}
        self.emit(cust)
        if pms:
            low, high = D.CHARGE_RANGES[currency]
            for _ in range(self.pick(_CHARGE_COUNT)):
                when = rng.randint(created, self.now - 60)
                decline = self.pick(D.DECLINE_WEIGHTS) if rng.random() < 0.12 else None
                amount = rng.randint(low, high) // 100 * 100 if currency != "jpy" else rng.randint(low, high)
                _, ch = self.payment(cust, rng.choice(pms), amount, currency, when, decline=decline,
                                     description=rng.choice(D.DESCRIPTIONS).format(n=rng.randint(1000, 99999)))
                if decline:
                    continue
                roll = rng.random()
                if roll < 0.05:
                    self.refund(ch, ch["amount"], when + DAY, reason="requested_by_customer")
                elif roll < 0.13:
                    self.refund(ch, max(1, ch["amount"] // rng.choice([2, 4, 5])), when + 2 * DAY)
                elif roll < 0.135:
                    status = rng.choice(["needs_response", "under_review", "won", "lost", "warning_needs_response"])
                    self.dispute(ch, when + 3 * DAY, status, rng.choice(["fraudulent", "product_not_received",
                                                                         "duplicate", "subscription_canceled"]),
                                 due_in=(self.now - when) // DAY + rng.randint(2, 20) if "needs" in status else 7)
        # The first customers cover every subscription state, so even a small demo seed shows each one.
        forced = index < len(_SUB_STATUS)
        if usable and (rng.random() < 0.45 or forced):
            status = _SUB_STATUS[index][0] if forced else self.pick(_SUB_STATUS)
            product = self.pick(_PRODUCT)
            if forced and (product, currency, "month") not in self.prices:
                product = next((p for p, _ in _PRODUCT if (p, currency, "month") in self.prices), product)
            if (product, currency, "month") in self.prices:
                self.subscription(cust, usable[0], status, currency, product=product,
                                  interval="year" if rng.random() < 0.2 else "month")
                if status in ("past_due", "unpaid"):
                    cust["delinquent"] = True  # its latest invoice payment failed
        if locale[0] in D.TAX_IDS and rng.random() < 0.05:
            kind, pattern = D.TAX_IDS[locale[0]]
            value = pattern
            for token, width in (("{d10}", 10), ("{d11}", 11), ("{d9}", 9), ("{d7}", 7), ("{d2}", 2)):
                value = value.replace(token, "".join(rng.choices("0123456789", k=width)))
            self.emit(tax_ids.new_tax_id(self.ids("txi"), created + DAY, cust["id"], kind, value))

    def demo(self) -> None:
        from .seed_demo import demo

        demo(self)
