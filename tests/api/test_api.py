"""The JSON API: bearer tokens, customers, actions with idempotency, audit, errors and the OpenAPI document."""

from __future__ import annotations

import json

from django.utils import timezone

from chargeside.actions.models import ActionAttempt
from chargeside.workspaces.models import ActionLimit, ApiToken

from console.factories import make_offline_connection, seed_customer


def test_missing_invalid_and_revoked_tokens_get_401(client, agent):
    assert client.get("/api/v1/customers?q=ada").status_code == 401
    response = client.get("/api/v1/customers?q=ada", headers={"Authorization": "Bearer cs_not_a_real_token"})
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "unauthorized", "message": "Send a valid API token as 'Authorization: Bearer <token>'.", "field": ""}}
    row, token = ApiToken.issue(member=agent)
    ApiToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
    assert client.get("/api/v1/customers?q=ada", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_deactivated_members_token_stops_working(client, agent, bearer):
    headers = bearer(agent)
    agent.is_active = False
    agent.save()
    assert client.get("/api/v1/customers?q=ada", headers=headers).status_code == 401


def test_customer_lookup_by_email_and_query(client, agent, bearer, ada):
    customer, _ = ada
    headers = bearer(agent)
    assert client.get("/api/v1/customers?email=ADA@example.com", headers=headers).json() == {
        "results": [{"id": customer.pk, "name": "Ada Lovelace", "email": "ada@example.com"}]}
    assert client.get("/api/v1/customers?q=4242", headers=headers).json()["results"][0]["id"] == customer.pk
    response = client.get("/api/v1/customers", headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "missing_query"


def test_customer_view_is_the_shared_view_model(client, agent, bearer, ada):
    customer, charge = ada
    body = client.get(f"/api/v1/customers/{customer.pk}", headers=bearer(agent)).json()
    assert body["name"] == "Ada Lovelace"
    assert body["emails"] == ["ada@example.com"]
    charges = body["sections"]["charges"]
    assert charges["total"] == 1
    assert charges["items"][0]["remote_id"] == "ch_test1"
    assert charges["items"][0]["fields"]["amount"] == 5000
    assert charges["items"][0]["actions"] == ["refund"]
    assert body["sections"]["payment_methods"]["items"][0]["fields"]["last4"] == "4242"


def test_viewer_gets_no_payment_methods_no_actions_and_no_audit(client, viewer, bearer, ada):
    customer, _ = ada
    headers = bearer(viewer)
    body = client.get(f"/api/v1/customers/{customer.pk}", headers=headers).json()
    assert "payment_methods" not in body["sections"] and "recent_actions" not in body["sections"]
    assert body["sections"]["charges"]["items"][0]["actions"] == []
    assert client.get("/api/v1/audit", headers=headers).status_code == 403


def test_foreign_workspace_ids_are_404(client, agent, bearer, other_workspace):
    their_customer, their_charge = seed_customer(make_offline_connection(other_workspace), suffix="g")
    headers = bearer(agent)
    response = client.get(f"/api/v1/customers/{their_customer.pk}", headers=headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    response = client.post("/api/v1/actions/refund", data={"params": {"charge": their_charge.pk}, "reason": "x"},
                           content_type="application/json", headers=headers)
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Charge was not found in this workspace.", "field": ""}}


def test_malformed_json_and_invalid_bodies_are_4xx_with_a_message(client, agent, bearer):
    headers = bearer(agent)
    response = client.post("/api/v1/actions/refund", data="{not json", content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "malformed_json", "message": "The request body is not valid JSON.", "field": ""}
    response = client.post("/api/v1/actions/refund", data="[1, 2]", content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    response = client.post("/api/v1/actions/refund", data={"params": "nope"}, content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert response.json()["error"]["field"] == "params"
    response = client.post("/api/v1/actions/refund", data={"params": {}, "ticket_url": "javascript:alert(1)"},
                           content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "ticket_url"
    response = client.post("/api/v1/actions/teleport", data={"params": {}}, content_type="application/json", headers=headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_action"


def test_refund_needs_a_reason(client, agent, bearer, ada):
    _customer, charge = ada
    response = client.post("/api/v1/actions/refund", data={"params": {"charge": charge.pk}}, content_type="application/json",
                           headers=bearer(agent))
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "invalid", "message": "Give a reason: it is recorded in the audit trail.", "field": "reason"}


def test_viewer_cannot_refund(client, viewer, bearer, ada):
    _customer, charge = ada
    response = client.post("/api/v1/actions/refund", data={"params": {"charge": charge.pk}, "reason": "x"},
                           content_type="application/json", headers=bearer(viewer))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_refund_preview_moves_no_money(client, agent, bearer, fake_charge, sdk):
    _customer, charge = fake_charge
    response = client.post("/api/v1/actions/refund/preview", data={"params": {"charge": charge.remote_id, "amount_minor": 1500}, "reason": "x"},
                           content_type="application/json", headers=bearer(agent))
    assert response.status_code == 200
    body = response.json()
    assert body["amount"] == {"amount": 1500, "currency": "EUR", "display": "€15.00"}
    assert body["summary"].startswith("Refund €15.00 (partial) of charge")
    assert sdk.v1.refunds.list({"charge": charge.remote_id}).data == []


def test_same_idempotency_key_five_times_makes_one_refund(client, agent, bearer, fake_charge, sdk):
    _customer, charge = fake_charge
    headers = {**bearer(agent), "Idempotency-Key": "order-4711-refund"}
    body = {"params": {"charge": charge.pk, "amount_minor": 2000}, "reason": "Damaged item", "ticket_url": "https://desk.example/t/9"}
    responses = [client.post("/api/v1/actions/refund", data=body, content_type="application/json", headers=headers) for _ in range(5)]
    assert [r.status_code for r in responses] == [201, 200, 200, 200, 200]
    assert {r.json()["id"] for r in responses} == {responses[0].json()["id"]}
    assert [r.json()["replayed"] for r in responses] == [False, True, True, True, True]
    first = responses[0].json()
    assert (first["status"], first["amount"], first["currency"], first["error"]) == ("succeeded", 2000, "EUR", None)
    assert [r.amount for r in sdk.v1.refunds.list({"charge": charge.remote_id}).data] == [2000]
    assert ActionAttempt.objects.filter(workspace=agent.workspace).count() == 1


def test_same_key_with_different_params_is_a_conflict(client, agent, bearer, fake_charge):
    _customer, charge = fake_charge
    headers = {**bearer(agent), "Idempotency-Key": "k-1"}
    client.post("/api/v1/actions/refund", data={"params": {"charge": charge.pk, "amount_minor": 1000}, "reason": "a"},
                content_type="application/json", headers=headers)
    response = client.post("/api/v1/actions/refund", data={"params": {"charge": charge.pk, "amount_minor": 1100}, "reason": "a"},
                           content_type="application/json", headers=headers)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"


def test_over_limit_refund_is_202_awaiting_approval(client, agent, bearer, fake_charge, sdk):
    _customer, charge = fake_charge
    ActionLimit.objects.create(workspace=agent.workspace, role="agent", currency="EUR", per_action=1000)
    response = client.post("/api/v1/actions/refund", data={"params": {"charge": charge.pk, "amount_minor": 2000}, "reason": "x"},
                           content_type="application/json", headers=bearer(agent))
    assert response.status_code == 202
    assert response.json()["status"] == "awaiting_approval"
    assert response.json()["error"]["code"] == "over_limit"
    assert sdk.v1.refunds.list({"charge": charge.remote_id}).data == []


def test_audit_endpoint_filters(client, finance, bearer, fake_charge):
    _customer, charge = fake_charge
    headers = bearer(finance)
    client.post("/api/v1/actions/refund", data={"params": {"charge": charge.pk, "amount_minor": 500}, "reason": "r"},
                content_type="application/json", headers=headers)
    body = client.get("/api/v1/audit?action=refund&outcome=succeeded", headers=headers).json()
    assert body["count"] == 1
    assert (body["results"][0]["event"], body["results"][0]["amount"], body["results"][0]["reason"]) == ("succeeded", 500, "r")
    response = client.get("/api/v1/audit?date_from=yesterday", headers=headers)
    assert response.status_code == 422


def test_openapi_document_is_valid_and_lists_the_endpoints(client):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/openapi.json")
    document = json.loads(response.content)
    validate(document)
    assert set(document["paths"]) == {"/api/v1/customers", "/api/v1/customers/{customer_id}", "/api/v1/actions/{action}",
                                      "/api/v1/actions/{action}/preview", "/api/v1/audit", "/api/v1/approvals",
                                      "/api/v1/approvals/{attempt_id}/approve", "/api/v1/approvals/{attempt_id}/reject"}
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert '<script src="/static/ninja/swagger-ui-bundle.js">' in docs.content.decode()  # served by us, no CDN


def test_approvals_over_the_api(client, agent, admin, bearer, fake_charge, sdk, other_workspace, make_member):
    # given an agent's over-limit refund
    _customer, charge = fake_charge
    ActionLimit.objects.create(workspace=agent.workspace, role="agent", currency="EUR", per_action=1000)
    agent_headers, admin_headers = bearer(agent), bearer(admin)
    attempt_id = client.post("/api/v1/actions/refund", data={"params": {"charge": charge.pk, "amount_minor": 2500}, "reason": "x"},
                             content_type="application/json", headers=agent_headers).json()["id"]
    # then the agent may not see or decide the queue, and another workspace's admin finds nothing
    assert client.get("/api/v1/approvals", headers=agent_headers).status_code == 403
    assert client.post(f"/api/v1/approvals/{attempt_id}/approve", headers=agent_headers).status_code == 403
    stranger = bearer(make_member(other_workspace, "admin"))
    assert client.post(f"/api/v1/approvals/{attempt_id}/approve", headers=stranger).status_code == 404
    # when the admin lists and approves it
    assert [a["id"] for a in client.get("/api/v1/approvals", headers=admin_headers).json()] == [attempt_id]
    response = client.post(f"/api/v1/approvals/{attempt_id}/approve", headers=admin_headers)
    # then the refund ran once, and a second decision is a conflict
    assert (response.status_code, response.json()["status"]) == (200, "succeeded")
    assert [r.amount for r in sdk.v1.refunds.list({"charge": charge.remote_id}).data] == [2500]
    again = client.post(f"/api/v1/approvals/{attempt_id}/reject", data={"note": "late"}, content_type="application/json",
                        headers=admin_headers)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "not_pending")


def test_nul_characters_are_refused_not_a_500(client, agent, finance, bearer):
    headers = bearer(agent)
    response = client.post("/api/v1/actions/refund", data={"params": {"charge": "ch_\u0000"}, "reason": "x"},
                           content_type="application/json", headers=headers)
    assert (response.status_code, response.json()["error"]["message"]) == (422, "Text must not contain NUL characters.")
    assert client.get("/api/v1/customers?q=ada%00", headers=headers).status_code == 200
    assert client.get("/api/v1/customers?email=a%00@b.c", headers=headers).status_code == 200
    assert client.get("/api/v1/audit?action=re%00fund", headers=bearer(finance)).status_code == 200
