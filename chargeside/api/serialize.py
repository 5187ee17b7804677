"""Turning the shared view model and the write path's rows into JSON-ready dicts."""

from __future__ import annotations

from dataclasses import asdict

from chargeside.core import formatting


def customer_view_json(view) -> dict:
    return {
        "customer_ids": list(view.customer_ids), "name": view.name, "names": list(view.names), "emails": list(view.emails),
        "identities": [asdict(identity) for identity in view.identities],
        "totals": [asdict(total) for total in view.totals],
        "alerts": [asdict(alert) for alert in view.alerts],
        "sections": {
            name: {
                "name": name, "total": section.total,
                "items": [
                    {"kind": i.kind, "id": i.id, "provider": i.provider, "remote_id": i.remote_id, "status": i.status,
                     "created_at": i.created_at, "created_display": i.created_display, "actions": list(i.actions),
                     "fields": dict(i.fields)}
                    for i in section.items
                ],
            }
            for name, section in view.sections.items()
        },
        "language": view.language,
    }


def preview_json(preview, language: str) -> dict:
    amount = None
    if preview.amount is not None:
        amount = {"amount": preview.amount.amount, "currency": preview.amount.currency,
                  "display": formatting.money(preview.amount.amount, preview.amount.currency, language)}
    return {"summary": preview.summary, "amount": amount,
            "lines": [{"label": label, "value": value} for label, value in preview.lines],
            "confirm_params": dict(getattr(preview, "confirm_params", {}) or {})}


def attempt_json(attempt, *, replayed: bool = False) -> dict:
    error = None
    if attempt.status == "awaiting_approval":  # the limit that was hit, so the caller knows why it waits
        error = {"code": "over_limit", "message": attempt.error_message, "retryable": False}
    elif attempt.error_code or attempt.error_message:
        error = {"code": attempt.error_code, "message": attempt.error_message, "retryable": attempt.error_retryable}
    provider = attempt.connection.provider if attempt.connection_id else ""
    return {
        "id": attempt.pk, "action": attempt.action, "status": attempt.status, "replayed": replayed,
        "target": f"{provider}:{attempt.target_remote_id}" if provider else attempt.target_remote_id,
        "customer_id": attempt.customer_id, "amount": attempt.amount, "currency": attempt.currency,
        "reason": attempt.reason, "ticket_url": attempt.ticket_url, "result": attempt.result or {}, "error": error,
        "created_at": attempt.created_at, "completed_at": attempt.completed_at,
    }
