"""Transaction Search (GET /v1/reporting/transactions): every capture (T0006), authorisation (T1300) and refund
(T1107) as `{transaction_info, payer_info}`, oldest first, filtered by `transaction_initiation_date`.

As PayPal: `start_date` and `end_date` are required and at most 31 days apart (400 otherwise), `page_size`
is at most 500, `fields` chooses the sections (default `transaction_info` only; `all` or a comma list).
Amounts are signed (refunds negative); statuses are S (success), P (pending), D (denied), V (reversed).
"""

from __future__ import annotations

import datetime as dt

from .errors import PayPalError, invalid
from .money import minor, money
from .store import MERCHANT_ID

CAPTURE_STATUS = {"COMPLETED": "S", "PARTIALLY_REFUNDED": "S", "REFUNDED": "S", "PENDING": "P", "DECLINED": "D", "FAILED": "D"}
AUTH_STATUS = {"CREATED": "P", "PARTIALLY_CAPTURED": "S", "CAPTURED": "S", "VOIDED": "V", "DENIED": "D", "EXPIRED": "V", "PENDING": "P"}
MAX_RANGE = dt.timedelta(days=31)


def _when(query: dict, name: str) -> dt.datetime:
    raw = (query.get(name) or [""])[0]
    if not raw:
        raise invalid(name, "MISSING_REQUIRED_PARAMETER", f"{name} is required.")
    try:
        return dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise invalid(name, "INVALID_PARAMETER_SYNTAX", f"{name} must be an ISO 8601 date-time.") from None


def _payer(order: dict) -> dict:
    payer = order.get("payer") or {}
    name = payer.get("name") or {}
    return {"account_id": payer.get("payer_id", ""), "email_address": payer.get("email_address", ""), "address_status": "Y",
            "payer_status": "Y", "payer_name": {"given_name": name.get("given_name", ""), "surname": name.get("surname", ""),
                                                "alternate_full_name": f"{name.get('given_name', '')} {name.get('surname', '')}".strip()},
            "country_code": (payer.get("address") or {}).get("country_code", "US")}


def _info(code: str, obj: dict, status: str, amount: dict, reference: str = "") -> dict:
    info = {"paypal_account_id": MERCHANT_ID, "transaction_id": obj["id"], "transaction_event_code": code,
            "transaction_initiation_date": obj["create_time"],
            "transaction_updated_date": obj["update_time"],
            "transaction_amount": amount, "transaction_status": status, "protection_eligibility": "01"}
    if reference:
        info.update(paypal_reference_id=reference, paypal_reference_id_type="TXN")
    if obj.get("invoice_id"):
        info["invoice_id"] = obj["invoice_id"]
    return info


def rows(store) -> list[tuple[dt.datetime, dict]]:
    found = []
    for order in store.orders.values():
        payer = _payer(order)
        for kind, items in store.payments(order).items():
            for obj in items:
                if kind == "captures":
                    info = _info("T0006", obj, CAPTURE_STATUS.get(obj["status"], "P"), obj["amount"])
                elif kind == "authorizations":
                    info = _info("T1300", obj, AUTH_STATUS.get(obj["status"], "P"), obj["amount"])
                else:
                    up = next(link["href"] for link in obj["links"] if link["rel"] == "up").rsplit("/", 1)[-1]
                    negative = money(-minor(obj["amount"]), obj["amount"]["currency_code"])
                    info = _info("T1107", obj, "S" if obj["status"] == "COMPLETED" else "P", negative, up)
                found.append((dt.datetime.fromisoformat(obj["create_time"].replace("Z", "+00:00")), {"transaction_info": info, "payer_info": payer}))
    found.sort(key=lambda pair: pair[0])  # stable: within one second, in the order they happened
    return found


def search(store, query: dict) -> dict:
    start, end = _when(query, "start_date"), _when(query, "end_date")
    if end < start or end - start > MAX_RANGE:
        raise PayPalError(400, "INVALID_REQUEST", "Date range is greater than 31 days", field="end_date")
    page = int((query.get("page") or ["1"])[0] or 1)
    size = int((query.get("page_size") or ["100"])[0] or 100)
    if not 1 <= size <= 500 or page < 1:
        raise invalid("page_size", "INVALID_PARAMETER_VALUE", "page_size must be between 1 and 500.")
    fields = set(((query.get("fields") or ["transaction_info"])[0] or "transaction_info").split(","))
    wanted_id = (query.get("transaction_id") or [""])[0]
    matched = [row for when, row in rows(store) if start <= when <= end
               and (not wanted_id or row["transaction_info"]["transaction_id"] == wanted_id)]
    pages = max(1, -(-len(matched) // size))
    shown = []
    for row in matched[(page - 1) * size: page * size]:
        shown.append({name: value for name, value in row.items() if "all" in fields or name in fields or name == "transaction_info"})
    # Times in the spec's pattern (PayPal's doc samples show "+0000" offsets; mapping.ts reads both).
    iso = lambda moment: moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    found = {"transaction_details": shown} if shown else {}  # the spec: transaction_details has minItems 1
    return {**found, "account_number": MERCHANT_ID, "start_date": iso(start), "end_date": iso(end),
            "last_refreshed_datetime": iso(dt.datetime.fromtimestamp(store.clock.now(), tz=dt.UTC)),
            "page": page, "total_items": len(matched), "total_pages": pages,
            "links": [{"href": f"https://api.sandbox.paypal.com/v1/reporting/transactions?page={page}", "rel": "self", "method": "GET"}]}
