"""The fake Braintree's state and rules: customers, vaulted cards, transactions, plans, discounts, add-ons,
subscriptions and disputes, in memory behind one lock (state lives as long as the fake; seed it again after
a restart).

Rules follow Braintree's documented sandbox behaviour:
- Only test nonces are accepted (`fake-valid-nonce` and the card-brand variants vault a card; the
  `fake-processor-declined-*` nonces vault a card that every sale declines with 2000 "Do Not Honor";
  `fake-consumed-nonce`, `fake-luhn-invalid-nonce` and unknown nonces are refused). No card number is ever
  taken or kept.
- Test amounts (developer.paypal.com/braintree/docs/reference/general/testing): 2000.00–2999.99 is
  processor_declined with that response code, 3000.00–3000.99 failed (3000), 5001.00 gateway_rejected
  (application_incomplete); anything else is authorized.
- Sale → authorized; with submit_for_settlement → submitted_for_settlement. `settle()` (control) moves
  submitted_for_settlement → settled. Refunds are credit transactions with `refunded_transaction_id`; only a
  settled or settling sale can be refunded (91506 otherwise), not above what remains (91521). Void only
  while authorized or submitted_for_settlement (91504).
- Subscriptions: created Active (or Pending with a future first billing date); cancel is immediate (Braintree
  has no cancel-at-period-end); a canceled one cannot be edited (81901) or canceled again (81905).
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

ZERO_DECIMAL = frozenset({"JPY", "KRW", "VND", "CLP", "ISK"})  # Braintree sends no decimals for these


def quantize(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1) if currency in ZERO_DECIMAL else Decimal("0.01"))


class ApiError(Exception):
    """A 422 <api-error-response>: validation errors (each (object path, attribute, code, message))."""

    def __init__(self, message: str, errors: list[tuple[tuple[str, ...], str, str, str]], *, params: dict | None = None,
                 transaction: dict | None = None, subscription: dict | None = None):
        super().__init__(message)
        self.message, self.errors, self.params = message, errors, params or {}
        self.transaction, self.subscription = transaction, subscription


def validation(path: tuple[str, ...], attribute: str, code: str, message: str, **kw) -> ApiError:
    return ApiError(message, [(path, attribute, code, message)], **kw)


class Missing(Exception):
    """404: Braintree answers a missing object with an empty 404, which the SDK raises as NotFoundError."""


NONCES = {
    "fake-valid-nonce": ("Visa", "411111", "1111"),
    "fake-valid-visa-nonce": ("Visa", "411111", "1881"),
    "fake-valid-mastercard-nonce": ("MasterCard", "555555", "4444"),
    "fake-valid-amex-nonce": ("American Express", "378282", "0005"),
    "fake-valid-discover-nonce": ("Discover", "601111", "1117"),
    "fake-valid-debit-nonce": ("Visa", "400555", "0001"),
    "fake-processor-declined-visa-nonce": ("Visa", "400011", "1115"),
    "fake-processor-declined-mastercard-nonce": ("MasterCard", "510510", "5100"),
    "fake-processor-declined-amex-nonce": ("American Express", "378734", "1000"),
    "fake-processor-declined-discover-nonce": ("Discover", "601100", "9424"),
}
REFUSED_NONCES = {
    "fake-consumed-nonce": ("91564", "Cannot use a payment_method_nonce more than once."),
    "fake-luhn-invalid-nonce": ("81715", "Credit card number is invalid."),
    "fake-gateway-rejected-fraud-nonce": ("91565", "Unknown payment_method_nonce."),
}
DECLINE_TEXT = {"2000": "Do Not Honor", "2001": "Insufficient Funds", "2004": "Expired Card", "2010": "Card Issuer Declined CVV",
                "2015": "Transaction Not Allowed", "2046": "Declined", "2057": "Issuer or Cardholder has put a restriction on the card"}


def _id(n: int = 8) -> str:
    return "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


@dataclass
class State:
    merchant_id: str
    merchant_accounts: dict[str, str]  # id → currency
    default_account: str
    customers: dict[str, dict] = field(default_factory=dict)
    cards: dict[str, dict] = field(default_factory=dict)
    transactions: dict[str, dict] = field(default_factory=dict)
    plans: dict[str, dict] = field(default_factory=dict)
    discounts: dict[str, dict] = field(default_factory=dict)
    add_ons: dict[str, dict] = field(default_factory=dict)
    subscriptions: dict[str, dict] = field(default_factory=dict)
    disputes: dict[str, dict] = field(default_factory=dict)


class Store:
    def __init__(self, *, merchant_id: str, merchant_accounts: dict[str, str], default_account: str, clock, notify):
        self.state = State(merchant_id, dict(merchant_accounts), default_account)
        self.lock = threading.RLock()
        self.clock = clock  # () → aware datetime (tests move it)
        self.notify = notify  # (kind, subject kind, object id) → queue a webhook notification
        self._seq = itertools.count(1)

    def now(self) -> dt.datetime:
        return self.clock().replace(microsecond=0)

    def _new_id(self, table: dict, prefix: str = "") -> str:
        while True:
            candidate = prefix + _id()
            if candidate not in table:
                return candidate

    # --- customers and cards ------------------------------------------------------------------------------
    def customer_create(self, params: dict) -> dict:
        with self.lock:
            cid = str(params.get("id") or "") or self._new_id(self.state.customers)
            if cid in self.state.customers:
                raise validation(("customer",), "id", "91609", "Customer ID has already been taken.")
            email = str(params.get("email") or "")
            if email and "@" not in email:
                raise validation(("customer",), "email", "81604", "Email is an invalid format.")
            now = self.now()
            customer = {"id": cid, "first_name": params.get("first_name") or None, "last_name": params.get("last_name") or None,
                        "email": email or None, "phone": params.get("phone") or None, "company": params.get("company") or None,
                        "created_at": now, "updated_at": now}
            nonce = params.get("payment_method_nonce") or (params.get("credit_card") or {}).get("payment_method_nonce")
            self.state.customers[cid] = customer
            if nonce:
                try:
                    self.vault_card(cid, nonce)
                except ApiError:
                    del self.state.customers[cid]
                    raise
            return customer

    def vault_card(self, customer_id: str, nonce: str, *, exp: tuple[int, int] = (12, 2030), token: str = "") -> dict:
        with self.lock:
            if customer_id not in self.state.customers:
                raise validation(("credit_card",), "customer_id", "91705", "Customer ID is invalid.")
            if nonce in REFUSED_NONCES:
                code, message = REFUSED_NONCES[nonce]
                raise validation(("credit_card",), "payment_method_nonce", code, message)
            if nonce not in NONCES:
                raise validation(("credit_card",), "payment_method_nonce", "91565", "Unknown payment_method_nonce.")
            brand, bin_, last4 = NONCES[nonce]
            now = self.now()
            token = token or self._new_id(self.state.cards)
            first = not any(c["customer_id"] == customer_id for c in self.state.cards.values())
            card = {"token": token, "customer_id": customer_id, "card_type": brand, "bin": bin_, "last_4": last4,
                    "expiration_month": f"{exp[0]:02d}", "expiration_year": str(exp[1]), "default": first,
                    "declines": "processor-declined" in nonce, "created_at": now, "updated_at": now}
            self.state.cards[token] = card
            return card

    def customer(self, cid: str) -> dict:
        try:
            return self.state.customers[cid]
        except KeyError:
            raise Missing() from None

    def card(self, token: str) -> dict:
        try:
            return self.state.cards[token]
        except KeyError:
            raise Missing() from None

    # --- transactions --------------------------------------------------------------------------------------
    def _amount(self, raw, path=("transaction",)) -> Decimal:
        try:
            amount = Decimal(str(raw))
        except (InvalidOperation, TypeError):
            raise validation(path, "amount", "81503", "Amount is an invalid format.") from None
        if raw in (None, ""):
            raise validation(path, "amount", "81502", "Amount is required.")
        if not amount.is_finite() or amount <= 0:
            raise validation(path, "amount", "81531", "Amount must be greater than zero.")
        if amount.as_tuple().exponent < -2:
            raise validation(path, "amount", "81503", "Amount is an invalid format.")
        return amount

    def sale(self, params: dict) -> dict:
        with self.lock:
            amount = self._amount(params.get("amount"))
            account = params.get("merchant_account_id") or self.state.default_account
            if account not in self.state.merchant_accounts:
                raise validation(("transaction",), "merchant_account_id", "91513", "Merchant account ID is invalid.")
            currency = self.state.merchant_accounts[account]
            token = params.get("payment_method_token")
            if token:
                card = self.state.cards.get(token)
                if card is None:
                    raise validation(("transaction",), "payment_method_token", "91518", "Payment method token is invalid.")
            elif params.get("payment_method_nonce"):
                nonce = params["payment_method_nonce"]
                if nonce in REFUSED_NONCES or nonce not in NONCES:
                    code, message = REFUSED_NONCES.get(nonce, ("91565", "Unknown payment_method_nonce."))
                    raise validation(("transaction",), "payment_method_nonce", code, message)
                cid = params.get("customer_id") or self.customer_create({})["id"]
                card = self.vault_card(cid, nonce)
            else:
                raise validation(("transaction",), "base", "91508", "Cannot determine payment method.")
            if params.get("customer_id") and params["customer_id"] != card["customer_id"]:
                raise validation(("transaction",), "payment_method_token", "91516", "Cannot use a payment method token not belonging to the customer.")
            order_id = params.get("order_id")
            if order_id is not None and len(str(order_id)) > 255:
                raise validation(("transaction",), "order_id", "81537", "Order ID is too long.")
            settle = bool((params.get("options") or {}).get("submit_for_settlement"))
            tx = self._transaction("sale", amount, currency, account, card, order_id=order_id,
                                   subscription_id=params.get("subscription_id"))
            self._authorise(tx, card, amount, settle)
            return tx

    def _transaction(self, type_: str, amount: Decimal, currency: str, account: str, card: dict, **extra) -> dict:
        now = self.now()
        tx = {"id": self._new_id(self.state.transactions), "type": type_, "status": "authorizing", "amount": quantize(amount, currency),
              "currency_iso_code": currency, "merchant_account_id": account, "customer_id": card["customer_id"], "token": card["token"],
              "order_id": extra.get("order_id"), "refunded_transaction_id": extra.get("refunded_transaction_id"), "refund_ids": [],
              "processor_response_code": "1000", "processor_response_text": "Approved", "processor_response_type": "approved",
              "gateway_rejection_reason": None, "subscription_id": extra.get("subscription_id"), "created_at": now, "updated_at": now,
              "status_history": [], "disputes": []}
        self.state.transactions[tx["id"]] = tx
        return tx

    def _status(self, tx: dict, status: str) -> None:
        tx["status"] = status
        tx["updated_at"] = self.now()
        tx["status_history"].append({"status": status, "timestamp": tx["updated_at"], "amount": tx["amount"]})

    def _authorise(self, tx: dict, card: dict, amount: Decimal, settle: bool) -> None:
        if card.get("declines") or Decimal("2000") <= amount < Decimal("3000"):
            code = "2000" if card.get("declines") else str(int(amount))
            tx.update(processor_response_code=code, processor_response_text=DECLINE_TEXT.get(code, "Declined"),
                      processor_response_type="soft_declined" if code != "2015" else "hard_declined")
            self._status(tx, "processor_declined")
        elif Decimal("3000") <= amount < Decimal("3001"):
            tx.update(processor_response_code="3000", processor_response_text="Processor Network Unavailable - Try Again",
                      processor_response_type="soft_declined")
            self._status(tx, "failed")
        elif amount == Decimal("5001"):
            tx.update(gateway_rejection_reason="application_incomplete", processor_response_code=None,
                      processor_response_text="Unknown", processor_response_type=None)
            self._status(tx, "gateway_rejected")
        else:
            self._status(tx, "authorized")
            if settle:
                self._status(tx, "submitted_for_settlement")

    def transaction(self, tid: str) -> dict:
        try:
            return self.state.transactions[tid]
        except KeyError:
            raise Missing() from None

    def submit_for_settlement(self, tid: str, params: dict) -> dict:
        with self.lock:
            tx = self.transaction(tid)
            if tx["status"] != "authorized":
                raise validation(("transaction",), "base", "91507", "Cannot submit for settlement unless status is authorized.",
                                 transaction=tx)
            if params.get("amount") not in (None, ""):
                amount = self._amount(params["amount"])
                if amount > tx["amount"]:
                    raise validation(("transaction",), "amount", "91522", "Settlement amount is too large.")
                tx["amount"] = quantize(amount, tx["currency_iso_code"])
            if params.get("order_id"):
                tx["order_id"] = params["order_id"]
            self._status(tx, "submitted_for_settlement")
            return tx

    def void(self, tid: str) -> dict:
        with self.lock:
            tx = self.transaction(tid)
            if tx["status"] not in ("authorized", "submitted_for_settlement", "settlement_pending"):
                raise validation(("transaction",), "base", "91504", "Transaction can only be voided if status is authorized, "
                                 "submitted_for_settlement, or - for PayPal - settlement_pending.", transaction=tx)
            self._status(tx, "voided")
            return tx

    def refunded_so_far(self, tx: dict) -> Decimal:
        return sum((self.state.transactions[r]["amount"] for r in tx["refund_ids"]
                    if self.state.transactions[r]["status"] not in ("voided", "failed", "processor_declined", "gateway_rejected")),
                   Decimal(0))

    def refund(self, tid: str, params: dict) -> dict:
        with self.lock:
            tx = self.transaction(tid)
            if tx["type"] == "credit":
                raise validation(("transaction",), "base", "91505", "Cannot refund credit")
            if tx["status"] == "settling":
                pass  # Braintree refunds settling transactions on most processors
            elif tx["status"] != "settled":
                raise validation(("transaction",), "base", "91506", "Cannot refund transaction unless it is settled.", transaction=tx)
            remaining = tx["amount"] - self.refunded_so_far(tx)
            amount = remaining if params.get("amount") in (None, "") else self._amount(params["amount"])
            if amount > remaining or remaining <= 0:
                if remaining <= 0:
                    raise validation(("transaction",), "base", "91512", "Transaction has already been fully refunded.")
                raise validation(("transaction",), "amount", "91521", "Refund amount is too large.")
            card = self.state.cards[tx["token"]]
            credit = self._transaction("credit", amount, tx["currency_iso_code"], tx["merchant_account_id"], card,
                                       order_id=params.get("order_id"), refunded_transaction_id=tx["id"])
            self._status(credit, "submitted_for_settlement")
            tx["refund_ids"].append(credit["id"])
            tx["updated_at"] = self.now()
            return credit

    def settle(self, tid: str) -> dict:
        """Sandbox's settlement run (testing.settle): submitted_for_settlement → settled."""
        with self.lock:
            tx = self.transaction(tid)
            if tx["status"] not in ("submitted_for_settlement", "settling"):
                raise validation(("transaction",), "base", "91575", "Cannot simulate transaction settlement.")
            self._status(tx, "settled")
            return tx

    # --- plans, modifications, subscriptions ----------------------------------------------------------------
    def plan_add(self, pid: str, name: str, price: str, currency: str, frequency: int = 1, **extra) -> dict:
        now = self.now()
        account = next((a for a, c in self.state.merchant_accounts.items() if c == currency), self.state.default_account)
        plan = {"id": pid, "name": name, "price": quantize(Decimal(price), currency), "currency_iso_code": currency,
                "billing_frequency": frequency, "merchant_account_id": account, "description": extra.get("description"),
                "trial_period": bool(extra.get("trial_days")), "trial_duration": extra.get("trial_days"),
                "trial_duration_unit": "day" if extra.get("trial_days") else None, "number_of_billing_cycles": None,
                "billing_day_of_month": None, "created_at": now, "updated_at": now}
        self.state.plans[pid] = plan
        return plan

    def modification_add(self, kind: str, mid: str, name: str, amount: str, *, never_expires=True, cycles=None) -> dict:
        now = self.now()
        mod = {"id": mid, "name": name, "amount": Decimal(amount), "description": name, "kind": kind,
               "never_expires": never_expires, "number_of_billing_cycles": cycles, "created_at": now, "updated_at": now}
        (self.state.discounts if kind == "discount" else self.state.add_ons)[mid] = mod
        return mod

    def subscription_create(self, params: dict) -> dict:
        with self.lock:
            sid = str(params.get("id") or "") or self._new_id(self.state.subscriptions)
            if sid in self.state.subscriptions:
                raise validation(("subscription",), "id", "81902", "ID has already been taken.")
            plan = self.state.plans.get(params.get("plan_id") or "")
            if plan is None:
                raise validation(("subscription",), "plan_id", "91904", "Plan ID is invalid.")
            card = self.state.cards.get(params.get("payment_method_token") or "")
            if card is None:
                raise validation(("subscription",), "payment_method_token", "91903", "Payment method token is invalid.")
            now = self.now()
            today = now.date()
            trial = bool(params.get("trial_period")) if "trial_period" in params else plan["trial_period"]
            trial_days = int(params.get("trial_duration") or plan["trial_duration"] or 0) if trial else 0
            start = today + dt.timedelta(days=trial_days)
            end = _add_months(start, plan["billing_frequency"]) - dt.timedelta(days=1)
            discounts = []
            for add in ((params.get("discounts") or {}).get("add") or []):
                discounts.append(self._modification(add, "discount"))
            sub = {"id": sid, "plan_id": plan["id"], "price": plan["price"] if params.get("price") in (None, "") else Decimal(str(params["price"])),
                   "currency_iso_code": plan["currency_iso_code"], "payment_method_token": card["token"], "status": "Active",
                   "merchant_account_id": plan["merchant_account_id"], "created_at": now, "updated_at": now, "first_billing_date": start,
                   "billing_period_start_date": None if trial_days else start, "billing_period_end_date": None if trial_days else end,
                   "next_billing_date": start if trial_days else end + dt.timedelta(days=1), "paid_through_date": None if trial_days else end,
                   "trial_period": bool(trial_days), "trial_duration": trial_days or None, "trial_duration_unit": "day" if trial_days else None,
                   "current_billing_cycle": 0 if trial_days else 1, "failure_count": 0, "days_past_due": None, "balance": Decimal("0.00"),
                   "never_expires": True, "number_of_billing_cycles": None, "discounts": discounts, "add_ons": [], "transaction_ids": [],
                   "status_history": []}
            self._sub_status(sub, "Active")
            self.state.subscriptions[sid] = sub
            if not trial_days:
                tx = self.sale({"amount": str(self.subscription_charge(sub)), "payment_method_token": card["token"],
                                "merchant_account_id": sub["merchant_account_id"], "subscription_id": sid,
                                "options": {"submit_for_settlement": True}})
                sub["transaction_ids"].insert(0, tx["id"])
                if tx["status"] != "submitted_for_settlement":
                    del self.state.subscriptions[sid]
                    raise ApiError(tx["processor_response_text"], [], transaction=tx)
            return sub

    def _modification(self, add: dict, kind: str) -> dict:
        table = self.state.discounts if kind == "discount" else self.state.add_ons
        source = table.get(add.get("inherited_from_id") or "")
        if source is None:
            raise validation(("subscription", kind + "s", "add"), "inherited_from_id", "92013", "Inherited From ID is invalid.")
        return {**source, "amount": Decimal(str(add["amount"])) if add.get("amount") else source["amount"],
                "quantity": int(add.get("quantity") or 1), "current_billing_cycle": 0}

    def subscription_charge(self, sub: dict) -> Decimal:
        off = sum((d["amount"] * d.get("quantity", 1) for d in sub["discounts"]), Decimal(0))
        return quantize(max(sub["price"] - off, Decimal("0.01")), sub["currency_iso_code"])

    def _sub_status(self, sub: dict, status: str) -> None:
        sub["status"] = status
        sub["updated_at"] = self.now()
        sub["status_history"].insert(0, {"status": status, "timestamp": sub["updated_at"], "price": sub["price"],
                                         "balance": sub["balance"], "plan_id": sub["plan_id"], "subscription_source": "api",
                                         "currency_iso_code": sub["currency_iso_code"]})

    def subscription(self, sid: str) -> dict:
        try:
            return self.state.subscriptions[sid]
        except KeyError:
            raise Missing() from None

    def subscription_cancel(self, sid: str) -> dict:
        with self.lock:
            sub = self.subscription(sid)
            if sub["status"] == "Canceled":
                raise validation(("subscription",), "status", "81905", "Subscription has already been canceled.", subscription=sub)
            self._sub_status(sub, "Canceled")
            return sub

    def subscription_update(self, sid: str, params: dict) -> dict:
        with self.lock:
            sub = self.subscription(sid)
            if sub["status"] in ("Canceled", "Expired"):
                code = "81901" if sub["status"] == "Canceled" else "81910"
                raise validation(("subscription",), "base", code, f"Cannot edit a {sub['status'].lower()} subscription.", subscription=sub)
            adds = [self._modification(add, "discount") for add in ((params.get("discounts") or {}).get("add") or [])]
            if any(a["id"] in {d["id"] for d in sub["discounts"]} for a in adds):
                raise validation(("subscription",), "discounts", "91911", "Cannot add duplicate add-on or discount.")
            sub["discounts"] += adds
            if params.get("payment_method_token"):
                if params["payment_method_token"] not in self.state.cards:
                    raise validation(("subscription",), "payment_method_token", "91903", "Payment method token is invalid.")
                sub["payment_method_token"] = params["payment_method_token"]
            sub["updated_at"] = self.now()
            return sub

    def subscription_set_status(self, sid: str, status: str) -> dict:
        """Control: what Braintree's billing engine does (Past Due after a failed charge, Expired at the end)."""
        with self.lock:
            sub = self.subscription(sid)
            if status == "Past Due":
                sub["failure_count"] += 1
                sub["days_past_due"] = 1
                sub["balance"] = sub["price"]
            self._sub_status(sub, status)
            return sub

    def subscription_renew(self, sid: str) -> tuple[dict, dict]:
        """Control: the next billing cycle is charged (a sale on the subscription's card)."""
        with self.lock:
            sub = self.subscription(sid)
            tx = self.sale({"amount": str(self.subscription_charge(sub)), "payment_method_token": sub["payment_method_token"],
                            "merchant_account_id": sub["merchant_account_id"], "subscription_id": sid,
                            "options": {"submit_for_settlement": True}})
            sub["transaction_ids"].insert(0, tx["id"])
            if tx["status"] == "submitted_for_settlement":
                start = sub["next_billing_date"]
                end = _add_months(start, self.state.plans[sub["plan_id"]]["billing_frequency"]) - dt.timedelta(days=1)
                sub.update(billing_period_start_date=start, billing_period_end_date=end, next_billing_date=end + dt.timedelta(days=1),
                           paid_through_date=end, current_billing_cycle=sub["current_billing_cycle"] + 1, balance=Decimal("0.00"),
                           failure_count=0, days_past_due=None)
                if sub["status"] == "Past Due":
                    self._sub_status(sub, "Active")
            else:
                self.subscription_set_status(sid, "Past Due")
            return sub, tx

    # --- disputes ---------------------------------------------------------------------------------------------
    def dispute_open(self, tid: str, *, reason: str = "fraud", amount: str | None = None, kind: str = "chargeback") -> dict:
        with self.lock:
            tx = self.transaction(tid)
            now = self.now()
            did = self._new_id(self.state.disputes)
            dispute = {"id": did, "transaction_id": tid, "amount_disputed": Decimal(amount) if amount else tx["amount"],
                       "currency_iso_code": tx["currency_iso_code"], "status": "open", "reason": reason, "kind": kind,
                       "received_date": now.date(), "reply_by_date": (now + dt.timedelta(days=7)).date(), "created_at": now,
                       "updated_at": now, "case_number": f"CB{next(self._seq):08d}", "merchant_account_id": tx["merchant_account_id"],
                       "status_history": []}
            self.state.disputes[did] = dispute
            tx["disputes"].append(did)
            self.dispute_status(did, "open")
            return dispute

    def dispute_status(self, did: str, status: str) -> dict:
        with self.lock:
            try:
                dispute = self.state.disputes[did]
            except KeyError:
                raise Missing() from None
            dispute["status"] = status
            dispute["updated_at"] = self.now()
            dispute["status_history"].append({"status": status, "timestamp": dispute["updated_at"],
                                              "effective_date": dispute["updated_at"].date()})
            return dispute


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(candidate, day.day))
        except ValueError:
            continue
    raise AssertionError("unreachable")
