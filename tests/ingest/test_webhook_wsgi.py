"""chargeside.wsgi.application: webhook deliveries take ingest's lean handler and answer exactly as Django's
full stack does (the test client below), for good, bad, oversized, unknown-address and odd requests."""

import json

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from chargeside.ingest.models import WebhookDelivery

CUSTOMER = {"id": "cus_W1", "object": "customer", "email": "wsgi@example.com", "name": "Wsgi", "created": 1764000000, "metadata": {}}
# Headers Django's middleware adds that say nothing about a JSON answer to a gateway (LocaleMiddleware's).
LOCALE_HEADERS = {"Content-Language", "Vary"}


class ViewHookMiddleware:
    """A middleware with a process_view hook, which only Django's full handler calls."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        return None


@pytest.fixture
def through_wsgi(db):
    """Call the project's WSGI application as a server would; returns (status, headers, body)."""
    from chargeside.wsgi import application

    def call(path: str, body: bytes = b"", *, method: str = "POST", headers: dict | None = None, host: str = "testserver"):
        environ = RequestFactory().generic(method, path, data=body, content_type="application/json", headers=headers,
                                           HTTP_HOST=host).environ
        seen = {}

        def start_response(status, response_headers, exc_info=None):
            seen["status"], seen["headers"] = int(status.split()[0]), dict(response_headers)

        # As Django's test client does: the test's transaction must survive the request signals.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            chunks = application(environ, start_response)
            content = b"".join(chunks)
            chunks.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return seen["status"], seen["headers"], content

    return call


@pytest.fixture
def both(client, through_wsgi):
    """Send the same request through Django's full stack and through the WSGI application; both answers and the
    rows each one stored."""

    def send(path: str, body: bytes, headers: dict | None = None):
        before = WebhookDelivery.objects.count()
        full = client.post(path, data=body, content_type="application/json", headers=headers or {}, HTTP_HOST="testserver")
        full_rows = list(WebhookDelivery.objects.order_by("id").values("status", "reject_reason", "event_ids", "headers")[before:])
        status, response_headers, content = through_wsgi(path, body, headers=headers)
        lean_rows = list(WebhookDelivery.objects.order_by("id").values("status", "reject_reason", "event_ids", "headers")[before + len(full_rows):])
        return (full.status_code, dict(full.headers), full.content, full_rows), (status, response_headers, content, lean_rows)

    return send


def _signed(sign, body: bytes, **kwargs) -> dict:
    return {"Stripe-Signature": sign(body, **kwargs), "X-Request-Id": "r1"}


@pytest.mark.parametrize("case", ["accepted", "ignored", "wrong secret", "missing signature", "stale", "not json", "not an event"])
def test_the_lean_path_answers_and_stores_exactly_as_django_does(case, offline_connection, both, sign, make_event):
    event = make_event("issuing_card.created" if case == "ignored" else "customer.updated", CUSTOMER, event_id="evt_w1", created=1764000000)
    body = {"not json": b'{"id": "evt_1", "object": "event",', "not an event": b'{"hello": "world"}'}.get(case, json.dumps(event).encode())
    headers = {
        "wrong secret": {"Stripe-Signature": sign(body, secret="whsec_someone_else")},
        "missing signature": {},
        "stale": {"Stripe-Signature": sign(body, timestamp=1764000000)},
    }.get(case, _signed(sign, body))
    full, lean = both(f"/hooks/{offline_connection.webhook_token}/", body, headers)
    assert (lean[0], json.loads(lean[2]), lean[3]) == (full[0], json.loads(full[2]), full[3])
    expected_status = {"accepted": 200, "ignored": 200}.get(case, 400)
    assert lean[0] == expected_status and len(lean[3]) == 1
    assert {k: v for k, v in lean[1].items() if k not in LOCALE_HEADERS} == {k: v for k, v in full[1].items() if k not in LOCALE_HEADERS}
    # and it did take the lean path: LocaleMiddleware, which the full stack runs, did not see it
    assert ("Content-Language" in full[1], "Content-Language" in lean[1]) == (True, False)


def test_accepted_delivery_is_stored_before_the_answer(offline_connection, through_wsgi, sign, make_event):
    body = json.dumps(make_event("customer.updated", CUSTOMER, event_id="evt_w2")).encode()
    status, headers, content = through_wsgi(f"/hooks/{offline_connection.webhook_token}/", body, headers=_signed(sign, body))
    assert (status, json.loads(content)) == (200, {"status": "accepted"})
    delivery = WebhookDelivery.objects.get()
    assert (bytes(delivery.body), delivery.status, delivery.event_ids) == (body, "pending", ["evt_w2"])
    assert (delivery.headers["Stripe-Signature"], delivery.headers["X-Request-Id"]) == (_signed(sign, body)["Stripe-Signature"], "r1")
    assert (headers["X-Content-Type-Options"], headers["X-Frame-Options"]) == ("nosniff", "DENY")


def test_oversized_body_is_413_and_recorded_both_ways(offline_connection, both, settings, sign, make_event):
    settings.CHARGESIDE_WEBHOOK_MAX_BYTES = 1000
    body = json.dumps(make_event("customer.updated", {**CUSTOMER, "metadata": {"note": "x" * 1200}})).encode()
    full, lean = both(f"/hooks/{offline_connection.webhook_token}/", body, _signed(sign, body))
    assert (lean[0], json.loads(lean[2]), lean[3]) == (full[0], json.loads(full[2]), full[3])
    assert (lean[0], json.loads(lean[2])) == (413, {"error": f"body larger than the 1000-byte limit ({len(body)} bytes)"})
    assert lean[3][0]["status"] == "rejected"


@pytest.mark.parametrize("address", ["/hooks/not-a-token/", "disabled"])
def test_unknown_or_disabled_address_is_404_and_stores_nothing(address, offline_connection, both, sign, make_event):
    if address == "disabled":
        offline_connection.status = "disabled"
        offline_connection.save()
        address = f"/hooks/{offline_connection.webhook_token}/"
    body = json.dumps(make_event("customer.updated", CUSTOMER)).encode()
    full, lean = both(address, body, _signed(sign, body))
    assert (lean[0], json.loads(lean[2])) == (full[0], json.loads(full[2])) == (404, {"error": "unknown webhook address"})
    assert WebhookDelivery.objects.count() == 0


def test_verification_crash_on_our_side_is_503_both_ways(workspace, both, sign, make_event):
    from chargeside.connections.models import Connection

    orphan = Connection.objects.create(workspace=workspace, provider="removed_plugin", name="Old gateway")
    body = json.dumps(make_event("customer.updated", CUSTOMER)).encode()
    full, lean = both(f"/hooks/{orphan.webhook_token}/", body, _signed(sign, body))
    assert (lean[0], json.loads(lean[2]), lean[3]) == (full[0], json.loads(full[2]), full[3])
    assert (lean[0], lean[3][0]["reject_reason"]) == (503, "could not verify: LookupError")


def test_other_methods_and_paths_get_djangos_own_answers(offline_connection, through_wsgi):
    token = offline_connection.webhook_token
    assert through_wsgi(f"/hooks/{token}/", method="GET")[0] == 405
    assert through_wsgi(f"/hooks/{token}/extra/")[0] == 404
    assert through_wsgi("/healthz", method="GET")[0] == 200
    assert WebhookDelivery.objects.count() == 0


def test_a_host_outside_allowed_hosts_is_refused_as_django_refuses_it(offline_connection, through_wsgi, client, sign, make_event):
    body = json.dumps(make_event("customer.updated", CUSTOMER)).encode()
    path = f"/hooks/{offline_connection.webhook_token}/"
    full = client.post(path, data=body, content_type="application/json", headers=_signed(sign, body), HTTP_HOST="evil.example")
    lean_status, _, _ = through_wsgi(path, body, headers=_signed(sign, body), host="evil.example")
    assert lean_status == full.status_code == 400
    assert WebhookDelivery.objects.count() == 0


def test_a_middleware_that_needs_djangos_full_handler_stops_the_lean_one_at_start(settings):
    from chargeside.ingest.wsgi import WebhookHandler

    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.ViewHookMiddleware"]
    with pytest.raises(RuntimeError, match="ViewHookMiddleware needs Django's full handler"):
        WebhookHandler()
