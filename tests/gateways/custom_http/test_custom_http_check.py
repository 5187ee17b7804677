"""run_checks: every contract scenario passes against the reference server, and a server that breaks the
contract fails exactly the checks it breaks, each saying what it saw."""

from __future__ import annotations

from chargeside.gateways.custom_http.check import CheckResult, run_checks

SECRET = "cs_shared_secret_example_0123456789"
WRITES = {"refund.idempotency_key_required", "refund.signature_covers_idempotency_key", "refund.partial", "refund.idempotent_replay",
          "refund.idempotency_conflict", "refund.over_refund_refused", "subscription.cancel"}


def by_name(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {result.name: result for result in results}


def test_the_reference_server_passes_every_check(billing_server):
    results = run_checks(billing_server.base_url, SECRET)
    assert [r.name for r in results if not r.passed] == []
    assert len(results) == 20 and not any(r.skipped for r in results)
    found = by_name(results)
    assert found["refund.partial"].detail.endswith("refunded; amount_refunded 0 → 1")
    assert found["refund.over_refund_refused"].detail == "5000 refused with 400 over_refund (4999 remain), nothing moved"
    assert found["webhook.signed"].detail == "a signed 'ping' event arrived and verified"
    assert found["list.customers.pagination"].detail == "7 objects in 4 pages of 2, each one readable"


def test_it_can_be_run_again_on_the_same_server(billing_server):
    run_checks(billing_server.base_url, SECRET)
    assert [r.name for r in run_checks(billing_server.base_url, SECRET) if not r.passed] == []


def test_without_writes_nothing_changes_at_the_server(billing_server):
    before = {name: {k: dict(v) for k, v in objects.items()} for name, objects in billing_server.ledger.store.items()}
    results = run_checks(billing_server.base_url, SECRET, writes=False)
    assert {r.name for r in results if r.skipped} == WRITES
    assert all(r.detail == "skipped: writes disabled" and not r.passed for r in results if r.skipped)
    assert all(r.passed for r in results if not r.skipped)
    assert billing_server.ledger.store == before


def test_a_server_that_ignores_signatures_and_idempotency_fails_those_checks(billing_server, reference, monkeypatch):
    monkeypatch.setattr(reference, "signature_problem", lambda *args: "")  # accepts anything
    monkeypatch.setattr(billing_server.ledger, "idempotent", lambda key, fingerprint, run: (200, run(), False))
    found = by_name(run_checks(billing_server.base_url, SECRET))
    failed = {name for name, result in found.items() if not result.passed}
    assert failed == {"signature.wrong_secret_refused", "signature.missing_refused", "signature.stale_timestamp_refused",
                      "signature.covers_path_and_query", "refund.idempotency_key_required", "refund.signature_covers_idempotency_key",
                      "refund.idempotent_replay", "refund.idempotency_conflict", "subscription.cancel"}
    assert found["signature.wrong_secret_refused"].detail.startswith(
        "a request signed with the wrong secret: expected HTTP 401 with error code 'invalid_signature', got HTTP 200: ")
    assert found["refund.idempotent_replay"].detail.startswith("the replay made refund ")
    assert found["refund.idempotency_conflict"].detail.startswith(
        "the same key with another amount: expected HTTP 409 with error code 'idempotency_conflict', got HTTP 201")
    assert "already_canceled" in found["subscription.cancel"].detail


def test_a_server_without_data_skips_what_it_cannot_check(reference):
    empty = reference.ReferenceServer(secrets=[SECRET], seeded=False).start()
    try:
        found = by_name(run_checks(empty.base_url, SECRET))
    finally:
        empty.stop()
    assert found["customers.find_by_email"].detail == "skipped: no listed customer has an email"
    assert found["refund.partial"].detail == "skipped: no succeeded payment with at least 3 minor units left to refund"
    assert found["refund.idempotent_replay"].detail == "skipped: needs the partial refund to have passed"
    assert found["subscription.cancel"].detail == "skipped: no live subscription to cancel"
    assert all(found[name].passed for name in ("connection", "list.payments.pagination", "webhook.signed"))


def test_a_wrong_secret_stops_at_the_first_check(billing_server):
    results = run_checks(billing_server.base_url, "not-the-secret")
    assert (results[0].name, results[0].passed) == ("connection", False)
    assert "HTTP 401" in results[0].detail and "invalid_signature" in results[0].detail
    assert all(r.skipped and not r.passed for r in results[1:])


def test_nothing_listening_and_a_bad_url_are_reported_not_raised():
    down = run_checks("http://127.0.0.1:9", SECRET)
    assert (down[0].passed, down[0].detail) == (False, "could not reach the server (ConnectError)")
    (bad,) = run_checks("http://billing.example.com", SECRET)
    assert (bad.name, bad.passed) == ("connection", False)
    assert "https" in bad.detail
