"""client.py over loopback: the real SDK against a tiny scripted HTTP server that records what arrives.

Covers what the Stripe fake cannot script exactly: each Stripe error shape → our typed error (with the request
id), timeouts and refused connections, and that no POST or DELETE leaves without the caller's key.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chargeside.gateways.errors import (
    AuthenticationFailed,
    Declined,
    IdempotencyConflict,
    InvalidRequest,
    NotFound,
    RateLimited,
    Unavailable,
)
from chargeside.gateways.stripe.client import Client, MissingIdempotencyKey


class Scripted(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.replies: list[tuple[int, dict, dict, float]] = []
        self.seen: list[dict] = []

    def reply(self, status: int, body: dict, headers: dict | None = None, delay: float = 0.0):
        self.replies.append((status, body, headers or {}, delay))


class Handler(BaseHTTPRequestHandler):
    def _any(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                 "body": self.rfile.read(length).decode()})
        status, body, headers, delay = self.server.replies.pop(0) if self.server.replies else (200, {"object": "list", "data": [], "has_more": False}, {}, 0)
        time.sleep(delay)
        raw = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out first (test_timeout_is_unavailable)

    do_GET = do_POST = do_DELETE = _any

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    srv = Scripted()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def client(server):
    return Client(api_key="sk_test_123", base_url=f"http://127.0.0.1:{server.server_port}/", timeout=2)


def error(type_: str, message: str, **fields) -> dict:
    return {"error": {"type": type_, "message": message, **fields}}


def test_reads_go_to_the_base_url_with_bearer_key_and_pinned_version(server, client):
    client.call(client.v1.customers.list, params={"email": "ada@example.com", "limit": 100})
    [req] = server.seen
    assert (req["method"], req["path"]) == ("GET", "/v1/customers?email=ada%40example.com&limit=100")
    assert req["headers"]["Authorization"] == "Bearer sk_test_123"
    assert req["headers"]["Stripe-Version"] == "2026-10-28.endive"
    assert "Idempotency-Key" not in req["headers"]


def test_writes_carry_the_callers_key(server, client):
    server.reply(200, {"id": "re_1", "object": "refund"})
    server.reply(200, {"id": "sub_1", "object": "subscription"})
    client.call(client.v1.refunds.create, params={"charge": "ch_1", "amount": 500}, idempotency_key="attempt-42")
    client.call(client.v1.subscriptions.cancel, "sub_1", idempotency_key="attempt-43")
    assert [(r["method"], r["headers"].get("Idempotency-Key")) for r in server.seen] == [("POST", "attempt-42"), ("DELETE", "attempt-43")]
    assert server.seen[0]["body"] == "charge=ch_1&amount=500"


def test_a_post_without_our_key_never_leaves(server, client):
    with pytest.raises(MissingIdempotencyKey):
        client.call(client.v1.refunds.create, params={"charge": "ch_1"})
    with pytest.raises(MissingIdempotencyKey):
        client.call(client.v1.subscriptions.cancel, "sub_1")
    assert server.seen == []


def test_results_are_plain_dicts(server, client):
    server.reply(200, {"id": "cus_1", "object": "customer", "metadata": {"a": "b"}, "discount": {"id": "di_1", "object": "discount"}})
    obj = client.call(client.v1.customers.retrieve, "cus_1")
    assert type(obj) is dict and type(obj["discount"]) is dict and obj["metadata"] == {"a": "b"}


def test_card_error_becomes_declined_in_plain_words(server, client):
    server.reply(402, error("card_error", "Your card has insufficient funds.", code="card_declined", decline_code="insufficient_funds",
                            charge="ch_9"), {"Request-Id": "req_card1"})
    with pytest.raises(Declined) as info:
        client.call(client.v1.payment_intents.create, params={"amount": 100}, idempotency_key="k1")
    err = info.value
    assert (err.message, err.code, err.request_id, err.http_status) == (
        "The card was declined (insufficient funds).", "insufficient_funds", "req_card1", 402)
    assert err.retryable is False


def test_generic_decline_and_authentication_required(server, client):
    server.reply(402, error("card_error", "Your card was declined.", code="card_declined", decline_code="generic_decline"))
    server.reply(402, error("card_error", "This payment requires authentication.", code="authentication_required"))
    with pytest.raises(Declined, match=r"^The card was declined\.$"):
        client.call(client.v1.payment_intents.create, idempotency_key="k1")
    with pytest.raises(Declined, match="authenticate") as info:
        client.call(client.v1.payment_intents.create, idempotency_key="k2")
    assert info.value.code == "authentication_required"


def test_missing_object_is_not_found(server, client):
    server.reply(404, error("invalid_request_error", "No such charge: 'ch_nope'", code="resource_missing", param="id"), {"Request-Id": "req_404"})
    with pytest.raises(NotFound) as info:
        client.call(client.v1.charges.retrieve, "ch_nope")
    assert (info.value.message, info.value.code, info.value.param, info.value.request_id) == (
        "No such charge: 'ch_nope'", "resource_missing", "id", "req_404")


def test_refused_parameters_are_invalid_request_with_stripes_words(server, client):
    msg = "Refund amount ($60.00) is greater than unrefunded amount on charge ($40.00)"
    server.reply(400, error("invalid_request_error", msg, param="amount"), {"Request-Id": "req_over"})
    with pytest.raises(InvalidRequest) as info:
        client.call(client.v1.refunds.create, params={"charge": "ch_1", "amount": 6000}, idempotency_key="k3")
    assert (info.value.message, info.value.param, info.value.request_id, info.value.http_status) == (msg, "amount", "req_over", 400)


def test_reused_key_with_other_parameters_is_an_idempotency_conflict(server, client):
    server.reply(400, error("idempotency_error", "Keys for idempotent requests can only be used with the same parameters they were first used with."),
                 {"Request-Id": "req_idem"})
    with pytest.raises(IdempotencyConflict) as info:
        client.call(client.v1.refunds.create, params={"charge": "ch_1"}, idempotency_key="k4")
    assert info.value.request_id == "req_idem"


def test_key_in_use_is_retryable(server, client):
    server.reply(409, error("invalid_request_error", "There is currently another in-progress request using this Idempotent Key", code="idempotency_key_in_use"))
    with pytest.raises(Unavailable) as info:
        client.call(client.v1.refunds.create, params={"charge": "ch_1"}, idempotency_key="k5")
    assert (info.value.code, info.value.retryable) == ("idempotency_key_in_use", True)


def test_rate_limit(server, client):
    server.reply(429, error("invalid_request_error", "Request rate limit exceeded.", code="rate_limit"), {"Request-Id": "req_429"})
    with pytest.raises(RateLimited) as info:
        client.call(client.v1.customers.list)
    assert (info.value.request_id, info.value.http_status, info.value.retryable) == ("req_429", 429, True)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_unavailable_with_request_id(server, client, status):
    server.reply(status, error("api_error", "An unknown error occurred"), {"Request-Id": "req_5xx"})
    with pytest.raises(Unavailable) as info:
        client.call(client.v1.refunds.create, params={"charge": "ch_1"}, idempotency_key="k6")
    assert (info.value.request_id, info.value.http_status) == ("req_5xx", status)
    assert len(server.seen) == 1  # no SDK-level retry: actions/ retries with the same key


@pytest.mark.parametrize("status", [401, 403])
def test_bad_or_underprivileged_key(server, client, status):
    server.reply(status, error("invalid_request_error", "Invalid API Key provided: sk_test_***123"))
    with pytest.raises(AuthenticationFailed, match="Invalid API Key"):
        client.call(client.v1.customers.list)


def test_connection_refused_is_unavailable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    client = Client(api_key="sk_test_123", base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(Unavailable) as info:
        client.call(client.v1.customers.list)
    assert (info.value.request_id, info.value.code) == ("", "connection_error")


def test_timeout_is_unavailable(server):
    server.reply(200, {"object": "list", "data": [], "has_more": False}, delay=1.0)
    client = Client(api_key="sk_test_123", base_url=f"http://127.0.0.1:{server.server_port}", timeout=0.2)
    with pytest.raises(Unavailable):
        client.call(client.v1.customers.list)


def test_no_key_configured():
    with pytest.raises(AuthenticationFailed, match="No Stripe secret key"):
        Client(api_key="")
