"""client.py over loopback: the real SDK against a tiny scripted HTTP server that records what arrives.

Covers what the Stripe fake cannot script exactly: each Stripe error shape → our typed error (with the request
id), timeouts and refused connections, and that no POST or DELETE leaves without the caller's key.
"""

from __future__ import annotations

import gzip
import json
import pathlib
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
                                 "body": self.rfile.read(length).decode(), "peer": self.client_address})
        status, body, headers, delay = self.server.replies.pop(0) if self.server.replies else (200, {"object": "list", "data": [], "has_more": False}, {}, 0)
        time.sleep(delay)
        raw = json.dumps(body).encode()
        if headers.pop("_gzip", None):
            raw = gzip.compress(raw)
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


class KeepAliveHandler(Handler):
    protocol_version = "HTTP/1.1"


@pytest.fixture
def server11():
    """The scripted server speaking HTTP/1.1 (keep-alive), recording each request's client address."""
    srv = Scripted()
    srv.RequestHandlerClass = KeepAliveHandler
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def tls_server(tmp_path):
    """The scripted server behind TLS with a self-signed certificate for 127.0.0.1 (trusted by nobody)."""
    import datetime as dt
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    srv = Scripted()
    srv.socket = context.wrap_socket(srv.socket, server_side=True)
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


# --- reads as plain JSON (Client.get over StripeClient.raw_request) ---------------------------------------

def test_raw_reads_send_what_sdk_reads_send(server, client):
    from chargeside.gateways.stripe.client import path

    client.get(path("customers"), {"email": "ada@example.com", "limit": 100, "expand": ["data.tax_ids"], "starting_after": None})
    client.call(client.v1.customers.list, params={"email": "ada@example.com", "limit": 100, "expand": ["data.tax_ids"]})
    raw, sdk = server.seen
    assert raw["path"] == sdk["path"] == "/v1/customers?email=ada%40example.com&limit=100&expand%5B0%5D=data.tax_ids"
    for name in ("Authorization", "Stripe-Version", "User-Agent", "Content-Type"):
        assert raw["headers"].get(name) == sdk["headers"].get(name), name
    assert "Idempotency-Key" not in raw["headers"]


def test_ids_in_raw_paths_are_quoted_as_the_sdk_quotes_them(server, client):
    from chargeside.gateways.stripe.client import path

    server.reply(200, {"id": "x", "object": "customer"})
    server.reply(200, {"id": "x", "object": "customer"})
    client.get(path("customers", "cus_1/../charges?x=1"))
    client.call(client.v1.customers.retrieve, "cus_1/../charges?x=1")
    assert server.seen[0]["path"] == server.seen[1]["path"] == "/v1/customers/cus_1%2F..%2Fcharges%3Fx%3D1"


def test_raw_results_are_plain_dicts(server, client):
    server.reply(200, {"id": "cus_1", "object": "customer", "metadata": {"a": "b"}, "discount": {"id": "di_1", "object": "discount"}})
    obj = client.get("/v1/customers/cus_1")
    assert type(obj) is dict and type(obj["discount"]) is dict and obj == {
        "id": "cus_1", "object": "customer", "metadata": {"a": "b"}, "discount": {"id": "di_1", "object": "discount"}}


def test_parameters_raw_request_would_take_as_options_are_refused(server, client):
    with pytest.raises(ValueError, match="headers"):
        client.get("/v1/customers", {"headers": "x"})
    assert server.seen == []


@pytest.mark.parametrize("status, body, headers", [
    (404, error("invalid_request_error", "No such charge: 'ch_nope'", code="resource_missing", param="id"), {"Request-Id": "req_404"}),
    (400, error("invalid_request_error", "Invalid limit", param="limit"), {"Request-Id": "req_400"}),
    (429, error("invalid_request_error", "Request rate limit exceeded.", code="rate_limit"), {"Request-Id": "req_429"}),
    (500, error("api_error", "An unknown error occurred"), {"Request-Id": "req_500"}),
    (401, error("invalid_request_error", "Invalid API Key provided: sk_test_***123"), {}),
    (403, error("invalid_request_error", "The provided key does not have access"), {"Request-Id": "req_403"}),
])
def test_raw_read_errors_are_the_same_typed_errors_as_sdk_read_errors(server, client, status, body, headers):
    server.reply(status, body, headers)
    server.reply(status, body, headers)
    with pytest.raises(Exception) as raw:
        client.get("/v1/charges/ch_nope")
    with pytest.raises(Exception) as sdk:
        client.call(client.v1.charges.retrieve, "ch_nope")
    assert type(raw.value) is type(sdk.value)
    fields = ("message", "code", "param", "request_id", "http_status", "retryable")
    assert [getattr(raw.value, f) for f in fields] == [getattr(sdk.value, f) for f in fields]


def test_every_fixture_object_reads_the_same_as_plain_json_and_through_sdk_objects(server, client, payload):
    """What mapping.py gets from a raw read is exactly what it got from the SDK's objects turned into dicts."""
    fixtures = pathlib.Path(__file__).parent / "fixtures"
    names = sorted(p.stem for p in fixtures.glob("*.json"))
    assert len(names) > 30
    for name in names:
        page = {"object": "list", "url": "/v1/charges", "has_more": False, "data": [payload(name)]}
        server.reply(200, page)
        server.reply(200, page)
        raw = client.get("/v1/charges")
        sdk = client.call(client.v1.charges.list)
        assert raw == sdk == page, name


def test_gzip_answers_are_decoded(server, client):
    server.reply(200, {"id": "cus_z", "object": "customer", "name": "Zip " * 200}, {"Content-Encoding": "gzip", "_gzip": "1"})
    assert client.get("/v1/customers/cus_z")["name"] == "Zip " * 200
    assert "gzip" in server.seen[0]["headers"]["Accept-Encoding"]


def test_keep_alive_connections_are_reused_across_reads(server11):
    client = Client(api_key="sk_test_123", base_url=f"http://127.0.0.1:{server11.server_port}")
    for _ in range(5):
        client.get("/v1/customers")
    assert len(server11.seen) == 5
    assert len({req["peer"] for req in server11.seen}) == 1


def test_a_proxy_in_the_environment_is_honoured_through_requests(monkeypatch):
    from chargeside.gateways.stripe.transport import (
        GuardedRequestsClient,
        Urllib3Client,
        build_http_client,
    )

    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert type(build_http_client("https://api.stripe.com", 5)) is Urllib3Client
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert type(build_http_client("https://api.stripe.com", 5)) is GuardedRequestsClient
    monkeypatch.setenv("NO_PROXY", "api.stripe.com")
    assert type(build_http_client("https://api.stripe.com", 5)) is Urllib3Client


def test_a_certificate_stripe_s_bundle_does_not_trust_is_refused(tls_server):
    client = Client(api_key="sk_test_123", base_url=f"https://127.0.0.1:{tls_server.server_port}")
    with pytest.raises(Unavailable) as info:
        client.get("/v1/customers")
    assert info.value.code == "connection_error"
    assert tls_server.seen == []  # the handshake failed: no request was read
