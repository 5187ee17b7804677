"""Request and response shapes of the JSON API (they make the OpenAPI document)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class ErrorBody(Schema):
    code: str
    message: str
    field: str = ""


class ErrorOut(Schema):
    error: ErrorBody


class CustomerSummary(Schema):
    id: int
    name: str
    email: str


class CustomerList(Schema):
    results: list[CustomerSummary]


class IdentityOut(Schema):
    provider: str
    connection: str
    remote_id: str
    email: str
    name: str
    deleted: bool


class TotalOut(Schema):
    currency: str
    paid: int = Field(description="minor units")
    refunded: int
    net: int
    paid_display: str
    refunded_display: str
    net_display: str
    count: int


class AlertOut(Schema):
    kind: str
    level: str
    message: str


class ItemOut(Schema):
    kind: str
    id: int
    provider: str
    remote_id: str
    status: str
    created_at: dt.datetime | None
    created_display: str
    actions: list[str] = Field(description="actions this member may run on the item now")
    fields: dict[str, Any] = Field(description="per-kind details; money in minor units plus *_display strings")


class SectionOut(Schema):
    name: str
    total: int
    items: list[ItemOut]


class CustomerViewOut(Schema):
    customer_ids: list[int]
    name: str
    names: list[str]
    emails: list[str]
    identities: list[IdentityOut]
    totals: list[TotalOut]
    alerts: list[AlertOut]
    sections: dict[str, SectionOut] = Field(description="absent sections are hidden from this member's role")
    language: str


class ActionIn(Schema):
    params: dict[str, Any] = Field(default_factory=dict, description='e.g. {"charge": "ch_123", "amount_minor": 500}')
    reason: str = Field("", max_length=1000)
    ticket_url: str = Field("", max_length=500)


class MoneyOut(Schema):
    amount: int = Field(description="minor units")
    currency: str
    display: str


class PreviewLine(Schema):
    label: str
    value: str


class PreviewOut(Schema):
    summary: str
    amount: MoneyOut | None = None
    lines: list[PreviewLine]
    confirm_params: dict[str, Any] = Field(description="send these back in params to run exactly what was previewed")


class AttemptError(Schema):
    code: str
    message: str
    retryable: bool


class AttemptOut(Schema):
    id: int
    action: str
    status: str = Field(description="succeeded, failed, awaiting_approval, in_flight or rejected")
    replayed: bool = Field(description="true when an earlier request with the same key answered")
    target: str
    customer_id: int | None
    amount: int | None = Field(None, description="minor units")
    currency: str
    reason: str
    ticket_url: str
    result: dict[str, Any]
    error: AttemptError | None = None
    created_at: dt.datetime
    completed_at: dt.datetime | None = None


class AuditEventOut(Schema):
    seq: int
    at: dt.datetime
    actor: str
    member_id: int | None
    event: str
    action: str
    outcome: str
    target: str
    customer_id: int | None
    amount: int | None
    currency: str
    reason: str
    ticket_url: str
    hash: str


class AuditPage(Schema):
    count: int
    results: list[AuditEventOut]
