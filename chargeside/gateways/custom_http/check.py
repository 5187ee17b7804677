"""The contract checks: run the custom HTTP gateway's scenarios against any server and say what passes.

`run_checks(url, secret)` is what `chargeside gateways check-custom URL --secret S` prints. It reads what
the server has (it needs one customer with an email, one succeeded payment with at least 3 minor units
left to refund and one live subscription; without them the checks that need them are skipped) and, unless
`writes=False`, MAKES CHANGES: refunds of 1 minor unit and the cancellation of one subscription. Point it at
a test instance of your billing system, never at production.

Each check is independent: one that fails or crashes is reported and the rest still run. Objects are read
through the adapter's own mapping, so "passed" means Chargeside can read what the server sends.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from chargeside.core.signing import SignatureError

from . import mapping, signing, webhooks
from .client import Client, path

COLLECTIONS = {"customers": mapping.customer, "payments": mapping.payment, "refunds": mapping.refund,
               "subscriptions": mapping.subscription, "invoices": mapping.invoice}
PAGE = 2  # small pages, so even a small test world has several
MAX_PAGES = 50
WEBHOOK_WAIT = 10.0  # seconds the check waits for the test webhook
LIVE = frozenset({"active", "trialing", "past_due", "unpaid", "paused", "incomplete"})


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    detail: str
    skipped: bool = False  # could not be run (missing data, writes disabled, optional endpoint absent)


class Skip(Exception):
    pass


class Failed(Exception):
    pass


def expect(condition: bool, detail: str) -> None:
    if not condition:
        raise Failed(detail)


class Probe:
    """Signed (or deliberately mis-signed) requests, answered as (status, JSON or None)."""

    def __init__(self, url: str, secret: str):
        self.client = Client(base_url=url, secrets=[secret])
        self.secret = secret

    def call(self, method: str, url: str, *, params: dict | None = None, payload: dict | None = None, key: str | None = None,
             secrets: list[str] | None = None, now: float | None = None, unsigned: bool = False, sign_as: str = "",
             send_key: str = "") -> tuple[int, object]:
        body = json.dumps(payload).encode() if payload is not None else None
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if key:
            headers[signing.IDEMPOTENCY_HEADER] = key
        request = self.client.signed_request(method, url, params=params, content=body, headers=headers, now=now, secrets=secrets)
        if sign_as:  # a valid signature, made for another target
            other = self.client.signed_request(method, sign_as, params=params, content=body, headers=headers)
            for name in (signing.TIMESTAMP_HEADER, signing.SIGNATURE_HEADER):
                request.headers[name] = other.headers[name]
        if send_key:  # signed with `key`, sent with another
            request.headers[signing.IDEMPOTENCY_HEADER] = send_key
        if unsigned:
            for name in (signing.TIMESTAMP_HEADER, signing.SIGNATURE_HEADER):
                request.headers.pop(name, None)
        response = self.client.http.send(request)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None

    def ok(self, method: str, url: str, **kwargs) -> dict:
        status, body = self.call(method, url, **kwargs)
        expect(200 <= status < 300 and isinstance(body, dict), f"{method} {url} answered HTTP {status}: {_short(body)}")
        return body


def _short(body) -> str:
    return json.dumps(body)[:300] if body is not None else "(no JSON body)"


def _error_code(body) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("code") or "") if isinstance(error, dict) else ""


def expect_error(answer: tuple[int, object], status: int, code: str, what: str) -> None:
    got_status, body = answer
    expect(got_status == status and _error_code(body) == code,
           f"{what}: expected HTTP {status} with error code '{code}', got HTTP {got_status}: {_short(body)}")


class Checks:
    def __init__(self, url: str, secret: str, writes: bool):
        self.probe, self.writes = Probe(url, secret), writes
        self.seen: dict[str, list[dict]] = {}  # collection → every object listed
        self.refund_key = f"check-{uuid.uuid4()}"
        self.refunded: tuple[dict, dict] | None = None  # (payment before, refund answer)

    # --- signing --------------------------------------------------------------------------------------
    def account(self) -> str:
        body = self.probe.ok("GET", path("account"))
        return f"signed GET /v1/account accepted ({body.get('name') or 'no name'})"

    def bad_signature(self) -> str:
        expect_error(self.probe.call("GET", path("account"), secrets=[f"not-{self.probe.secret}"]), 401, "invalid_signature",
                     "a request signed with the wrong secret")
        return "wrong secret refused (401 invalid_signature)"

    def missing_signature(self) -> str:
        expect_error(self.probe.call("GET", path("account"), unsigned=True), 401, "invalid_signature", "an unsigned request")
        return "unsigned request refused"

    def stale_timestamp(self) -> str:
        expect_error(self.probe.call("GET", path("account"), now=time.time() - 2 * signing.TOLERANCE), 401, "invalid_signature",
                     "a request signed 600 s ago")
        return "timestamp outside the 300 s window refused"

    def signature_covers_target(self) -> str:
        expect_error(self.probe.call("GET", path("customers"), params={"limit": 1}, sign_as=path("account")), 401,
                     "invalid_signature", "a signature made for /v1/account sent to /v1/customers")
        return "a signature is bound to its path and query"

    def not_found(self) -> str:
        expect_error(self.probe.call("GET", path("customers", f"no-such-{uuid.uuid4().hex}")), 404, "not_found", "an unknown customer id")
        return "unknown id answered 404 not_found"

    # --- reads ----------------------------------------------------------------------------------------
    def pagination(self, collection: str) -> str:
        mapper, cursor, ids, pages = COLLECTIONS[collection], None, [], 0
        while True:
            body = self.probe.ok("GET", path(collection), params={"limit": PAGE, **({"cursor": cursor} if cursor else {})})
            data, cursor = body.get("data"), body.get("next_cursor")
            expect(isinstance(data, list) and (cursor is None or (isinstance(cursor, str) and cursor)),
                   f"page {pages + 1} is not {{\"data\": [...], \"next_cursor\": string or null}}")
            expect(len(data) <= PAGE, f"page {pages + 1} has {len(data)} objects for limit={PAGE}")
            for obj in data:
                try:
                    mapper(obj)
                except mapping.ContractError as exc:
                    raise Failed(str(exc)) from None
            ids += [obj["id"] for obj in data]
            self.seen.setdefault(collection, []).extend(data)
            pages += 1
            if cursor is None:
                break
            expect(pages < MAX_PAGES, f"still more pages after {MAX_PAGES} (does the cursor advance?)")
        expect(len(ids) == len(set(ids)), f"an object was listed twice across pages: {sorted({i for i in ids if ids.count(i) > 1})}")
        return f"{len(ids)} objects in {pages} pages of {PAGE}, each one readable"

    def find_by_email(self) -> str:
        customer = next((c for c in self.seen.get("customers", []) if c.get("email")), None)
        if customer is None:
            raise Skip("no listed customer has an email")
        for spelling in (customer["email"], customer["email"].upper()):
            body = self.probe.ok("GET", path("customers"), params={"email": spelling, "limit": 100})
            found = [c.get("id") for c in body.get("data") or []]
            expect(customer["id"] in found, f"email={spelling} did not find {customer['id']} (found {found})")
            expect(all((c.get("email") or "").lower() == spelling.lower() for c in body["data"]),
                   f"email={spelling} also returned customers with other emails")
        return f"{customer['email']} found, also spelled in upper case"

    # --- writes ---------------------------------------------------------------------------------------
    def _refundable(self) -> dict:
        for payment in self.seen.get("payments", []):
            if payment.get("status") == "succeeded" and payment["amount"] - (payment.get("amount_refunded") or 0) >= 3:
                return self.probe.ok("GET", path("payments", payment["id"]))  # its current state, not the listed one
        raise Skip("no succeeded payment with at least 3 minor units left to refund")

    def _payment(self, payment_id: str) -> dict:
        return self.probe.ok("GET", path("payments", payment_id))

    def idempotency_key_required(self) -> str:
        payment = self._refundable()
        answer = self.probe.call("POST", path("payments", payment["id"], "refunds"), payload={"amount": 1, "currency": payment["currency"]})
        expect_error(answer, 400, "idempotency_key_missing", "a refund without Idempotency-Key")
        expect(self._payment(payment["id"])["amount_refunded"] == (payment.get("amount_refunded") or 0), "the refund happened anyway")
        return "a write without Idempotency-Key refused, nothing refunded"

    def signature_covers_key(self) -> str:
        payment = self._refundable()
        answer = self.probe.call("POST", path("payments", payment["id"], "refunds"), key=f"check-{uuid.uuid4()}",
                                 send_key=f"check-{uuid.uuid4()}", payload={"amount": 1, "currency": payment["currency"]})
        expect_error(answer, 401, "invalid_signature", "a signed refund sent with another Idempotency-Key")
        expect(self._payment(payment["id"])["amount_refunded"] == (payment.get("amount_refunded") or 0), "the refund happened anyway")
        return "a signed write replayed with a fresh Idempotency-Key refused"

    def partial_refund(self) -> str:
        payment = self._refundable()
        refund = self.probe.ok("POST", path("payments", payment["id"], "refunds"), key=self.refund_key,
                               payload={"amount": 1, "currency": payment["currency"], "reason": "contract check"})
        try:
            dto = mapping.refund(refund)
        except mapping.ContractError as exc:
            raise Failed(f"the refund answer: {exc}") from None
        expect((dto.charge_remote_id, dto.amount, dto.currency) == (payment["id"], 1, payment["currency"]),
               f"the refund answer is not 1 minor unit of {payment['id']}: {_short(refund)}")
        self.refunded = (payment, refund)
        before, after = payment.get("amount_refunded") or 0, self._payment(payment["id"]).get("amount_refunded")
        expect(after == before + 1, f"amount_refunded went from {before} to {after}, expected {before + 1}")
        return f"1 minor unit of {payment['id']} refunded; amount_refunded {before} → {after}"

    def _after_refund(self) -> tuple[dict, dict]:
        if self.refunded is None:
            raise Skip("needs the partial refund to have passed")
        return self.refunded

    def idempotent_replay(self) -> str:
        payment, refund = self._after_refund()
        again = self.probe.ok("POST", path("payments", payment["id"], "refunds"), key=self.refund_key,
                              payload={"amount": 1, "currency": payment["currency"], "reason": "contract check"})
        expect(again.get("id") == refund.get("id"), f"the replay made refund {again.get('id')}, not {refund.get('id')}")
        now = self._payment(payment["id"])["amount_refunded"]
        expect(now == (payment.get("amount_refunded") or 0) + 1, f"after the replay amount_refunded is {now}: refunded twice")
        return "the same key and body answered the same refund, money moved once"

    def idempotency_conflict(self) -> str:
        payment, _ = self._after_refund()
        answer = self.probe.call("POST", path("payments", payment["id"], "refunds"), key=self.refund_key,
                                 payload={"amount": 2, "currency": payment["currency"], "reason": "contract check"})
        expect_error(answer, 409, "idempotency_conflict", "the same key with another amount")
        return "the same key with another body refused (409)"

    def over_refund(self) -> str:
        payment, _ = self._after_refund()
        current = self._payment(payment["id"])
        remaining = current["amount"] - current["amount_refunded"]
        answer = self.probe.call("POST", path("payments", payment["id"], "refunds"), key=f"check-{uuid.uuid4()}",
                                 payload={"amount": remaining + 1, "currency": current["currency"], "reason": "contract check"})
        expect_error(answer, 400, "over_refund", f"a refund of {remaining + 1} when {remaining} remain")
        expect(self._payment(payment["id"])["amount_refunded"] == current["amount_refunded"], "amount_refunded changed")
        return f"{remaining + 1} refused with 400 over_refund ({remaining} remain), nothing moved"

    def cancel_subscription(self) -> str:
        live = [s for s in self.seen.get("subscriptions", []) if s.get("status") in LIVE and not s.get("cancel_at_period_end")]
        if not live:
            raise Skip("no live subscription to cancel")
        sub, key = live[-1], f"check-{uuid.uuid4()}"
        answer = self.probe.ok("POST", path("subscriptions", sub["id"], "cancel"), key=key, payload={"at_period_end": False})
        expect(answer.get("status") == "canceled", f"the answer's status is {answer.get('status')!r}, not 'canceled'")
        expect(self.probe.ok("GET", path("subscriptions", sub["id"])).get("status") == "canceled", "reading it back: not canceled")
        replay = self.probe.ok("POST", path("subscriptions", sub["id"], "cancel"), key=key, payload={"at_period_end": False})
        expect(replay == answer, "replaying the cancel with its key did not answer the same")
        return f"{sub['id']} canceled now; the replay answered the same"

    # --- webhooks -------------------------------------------------------------------------------------
    def webhook(self) -> str:
        received: list[tuple[dict[str, str], bytes]] = []
        arrived = threading.Event()

        class Catch(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                received.append((dict(self.headers.items()), self.rfile.read(int(self.headers.get("Content-Length") or 0))))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                arrived.set()

            def log_message(self, *args):
                pass

        catcher = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Catch)
        threading.Thread(target=catcher.serve_forever, daemon=True).start()
        try:
            url = f"http://127.0.0.1:{catcher.server_address[1]}/hooks/check/"
            status, body = self.probe.call("POST", path("webhook_tests"), payload={"url": url})
            if status == 404:
                raise Skip("the optional POST /v1/webhook_tests endpoint is not implemented")
            expect(status == 200, f"POST /v1/webhook_tests answered HTTP {status}: {_short(body)}")
            expect(arrived.wait(WEBHOOK_WAIT), f"no webhook arrived at {url} within {WEBHOOK_WAIT:.0f} s")
        finally:
            catcher.shutdown()
            catcher.server_close()
        headers, raw = received[0]
        try:
            signing.verify_webhook(headers, raw, [self.probe.secret])
        except SignatureError as exc:
            raise Failed(f"the webhook's signature does not verify: {exc.reason}") from None
        try:
            events = webhooks.parse(raw)
        except ValueError as exc:
            raise Failed(f"the webhook body is not an event: {exc}") from None
        return f"a signed '{events[0].type}' event arrived and verified"


def run_checks(url: str, secret: str, *, writes: bool = True) -> list[CheckResult]:
    """Every contract scenario against the server at `url`, in order. Never raises for what the server does."""
    try:
        checks = Checks(url, secret, writes)
    except Exception as exc:  # a bad URL or an empty secret: one clear failure
        return [CheckResult("connection", False, getattr(exc, "message", str(exc)))]
    plan: list[tuple[str, Callable[[], str], bool]] = [
        ("connection", checks.account, False),
        ("signature.wrong_secret_refused", checks.bad_signature, False),
        ("signature.missing_refused", checks.missing_signature, False),
        ("signature.stale_timestamp_refused", checks.stale_timestamp, False),
        ("signature.covers_path_and_query", checks.signature_covers_target, False),
        ("errors.not_found", checks.not_found, False),
        *[(f"list.{name}.pagination", (lambda n=name: checks.pagination(n)), False) for name in COLLECTIONS],
        ("customers.find_by_email", checks.find_by_email, False),
        ("refund.idempotency_key_required", checks.idempotency_key_required, True),
        ("refund.signature_covers_idempotency_key", checks.signature_covers_key, True),
        ("refund.partial", checks.partial_refund, True),
        ("refund.idempotent_replay", checks.idempotent_replay, True),
        ("refund.idempotency_conflict", checks.idempotency_conflict, True),
        ("refund.over_refund_refused", checks.over_refund, True),
        ("subscription.cancel", checks.cancel_subscription, True),
        ("webhook.signed", checks.webhook, False),
    ]
    results: list[CheckResult] = []
    for name, check, is_write in plan:
        if results and not results[0].passed:
            results.append(CheckResult(name, False, "skipped: the server could not be reached with a valid signature", skipped=True))
            continue
        if is_write and not writes:
            results.append(CheckResult(name, False, "skipped: writes disabled", skipped=True))
            continue
        try:
            results.append(CheckResult(name, True, check()))
        except Skip as exc:
            results.append(CheckResult(name, False, f"skipped: {exc}", skipped=True))
        except Failed as exc:
            results.append(CheckResult(name, False, str(exc)))
        except httpx.HTTPError as exc:
            results.append(CheckResult(name, False, f"could not reach the server ({type(exc).__name__})"))
        except Exception as exc:  # a server answer we did not foresee must not hide the other checks
            results.append(CheckResult(name, False, f"unexpected {type(exc).__name__}: {exc}"))
    return results
