"""Disputes: list, retrieve, update evidence (and submit), close; created by test controls."""

from __future__ import annotations

from .. import errors, forms, shapes
from ..context import Ctx
from ..listing import list_objects
from ..router import route

EVIDENCE_FIELDS = (
    "access_activity_log", "billing_address", "cancellation_policy", "cancellation_policy_disclosure",
    "cancellation_rebuttal", "customer_communication", "customer_email_address", "customer_name",
    "customer_purchase_ip", "customer_signature", "duplicate_charge_documentation",
    "duplicate_charge_explanation", "duplicate_charge_id", "product_description", "receipt",
    "refund_policy", "refund_policy_disclosure", "refund_refusal_explanation", "service_date",
    "service_documentation", "shipping_address", "shipping_carrier", "shipping_date",
    "shipping_documentation", "shipping_tracking_number", "uncategorized_file", "uncategorized_text",
)
REASONS = ("bank_cannot_process", "check_returned", "credit_not_processed", "customer_initiated",
           "debit_not_authorized", "duplicate", "fraudulent", "general", "incorrect_account_details",
           "insufficient_funds", "product_not_received", "product_unacceptable",
           "subscription_canceled", "unrecognized")
_NETWORK_CODES = {"fraudulent": "10.4", "product_not_received": "13.1", "duplicate": "12.6.1",
                  "subscription_canceled": "13.2", "product_unacceptable": "13.3",
                  "credit_not_processed": "13.6", "general": "13.9", "unrecognized": "10.4"}

shapes.register(
    "dispute",
    {
        "balance_transaction": None,
        "balance_transactions": [],
        "enhanced_eligibility_types": [],
        "evidence": {**{f: None for f in EVIDENCE_FIELDS}, "enhanced_evidence": {}},
        "is_charge_refundable": False,
        "metadata": {},
        "payment_intent": None,
    },
)


def new_dispute(object_id: str, created: int, charge: dict, *, amount: int, reason: str,
                status: str, due_by: int) -> dict:
    obj = shapes.defaults("dispute")
    card = charge["payment_method_details"]["card"]
    inquiry = status.startswith("warning")
    obj.update(
        id=object_id, object="dispute", created=created, amount=amount, charge=charge["id"],
        currency=charge["currency"], payment_intent=charge.get("payment_intent"), reason=reason,
        status=status, is_charge_refundable=inquiry,
        evidence_details={"due_by": due_by, "enhanced_eligibility": {}, "has_evidence": False,
                          "past_due": False, "submission_count": 0},
        network_reason_code=_NETWORK_CODES.get(reason),
        payment_method_details={"card": {"brand": card["brand"], "case_type": "inquiry" if inquiry else "chargeback",
                                         "network_reason_code": _NETWORK_CODES.get(reason)},
                                "type": "card"},
    )
    return obj


def open_dispute(ctx: Ctx, charge: dict, *, reason: str = "fraudulent", amount: int | None = None,
                 status: str = "needs_response", due_in_days: int = 7) -> dict:
    if charge["status"] != "succeeded":
        raise errors.invalid_request(f"Charge {charge['id']} did not succeed; it cannot be disputed.")
    if reason not in REASONS:
        raise errors.invalid_param("reason", f"Invalid reason: {reason}")
    amount = amount or charge["amount_captured"] - charge["amount_refunded"] or charge["amount"]
    dispute = new_dispute(ctx.new_id("dp"), ctx.now, charge, amount=amount, reason=reason,
                          status=status, due_by=ctx.now + due_in_days * 86400)
    ctx.save(dispute)
    before = dict(charge)
    charge.update(disputed=True, dispute=dispute["id"])
    ctx.save(charge)
    ctx.emit("charge.dispute.created", dispute)
    ctx.emit("charge.updated", charge, {"disputed": before["disputed"], "dispute": before.get("dispute")})
    if not dispute["is_charge_refundable"]:
        ctx.emit("charge.dispute.funds_withdrawn", dispute)
    return dispute


@route("GET", "/v1/disputes")
def list_(ctx: Ctx) -> dict:
    where = {}
    for field in ("charge", "payment_intent"):
        value = forms.get_str(ctx.params, field)
        if value:
            where[field] = value
    return list_objects(ctx, "dispute", "/v1/disputes", where=where)


@route("GET", "/v1/disputes/{dispute}")
def retrieve(ctx: Ctx, dispute: str) -> dict:
    return ctx.load("dispute", dispute)


def _require_open(dp: dict) -> None:
    if dp["status"] in ("won", "lost", "warning_closed"):
        raise errors.invalid_request(
            f"This dispute is already closed (status {dp['status']}); it can no longer be changed."
        )


@route("POST", "/v1/disputes/{dispute}")
def update(ctx: Ctx, dispute: str) -> dict:
    before = ctx.load("dispute", dispute)
    after = {**before, "metadata": forms.merge_metadata(before.get("metadata"), ctx.params)}
    evidence = forms.get_dict(ctx.params, "evidence")
    if evidence:
        _require_open(before)
        unknown = set(evidence) - set(EVIDENCE_FIELDS) - {"enhanced_evidence"}
        if unknown:
            raise errors.invalid_param(f"evidence[{sorted(unknown)[0]}]",
                                       f"Received unknown parameter: evidence[{sorted(unknown)[0]}]",
                                       code="parameter_unknown")
        after["evidence"] = {**before["evidence"], **{k: v or None for k, v in evidence.items()
                                                       if k != "enhanced_evidence"}}
        after["evidence_details"] = {**before["evidence_details"], "has_evidence": True}
    if forms.get_bool(ctx.params, "submit", default=True) and evidence:
        after["status"] = "warning_under_review" if before["status"].startswith("warning") else "under_review"
        after["evidence_details"] = {**after["evidence_details"],
                                     "submission_count": before["evidence_details"]["submission_count"] + 1}
    return ctx.changed("charge.dispute.updated", before, after) if after != before else before


@route("POST", "/v1/disputes/{dispute}/close")
def close(ctx: Ctx, dispute: str) -> dict:
    before = ctx.load("dispute", dispute)
    _require_open(before)
    after = {**before, "status": "warning_closed" if before["status"].startswith("warning") else "lost"}
    ctx.save(after)
    ctx.emit("charge.dispute.closed", after, {"status": before["status"]})
    if after["status"] == "lost":
        charge = ctx.load("charge", before["charge"])
        charge["_dispute_lost"] = True
        ctx.save(charge)
    return after
