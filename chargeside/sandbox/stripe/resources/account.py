"""The account behind the API key: ``GET /v1/account`` (the SDK's ``accounts.retrieve_current``).

Shaped like the current API's account object (stripe/openapi ``fixtures3.json``, 2026-08) for an
activated standard account: charges and payouts enabled, nothing due. ``settings.bacs_debit_payments``
is left out: a US account has no Bacs settings, and the 2023 spec would not take their nulls.

Each API key gets its own stable ``acct_`` id (a key belongs to one account). Name, country,
currency and email are the sandbox's, shared by every key and changeable with
``fake.control.set_account(...)``; the default name and country are also what invoices carry as
``account_name``/``account_country``.
"""

from __future__ import annotations

import hashlib
import string

from ..context import Ctx
from ..router import route

DEFAULTS = {"name": "Chargeside Sandbox", "country": "US", "default_currency": "usd",
            "email": "billing@chargeside.example", "timezone": "Etc/UTC"}
SETTABLE = tuple(DEFAULTS)
_ALPHABET = string.digits + string.ascii_letters
_REQUIREMENTS = {"alternatives": [], "current_deadline": None, "currently_due": [], "disabled_reason": None,
                 "errors": [], "eventually_due": [], "past_due": [], "pending_verification": []}
_ADDRESS_NULL = {"city": None, "country": None, "line1": None, "line2": None, "postal_code": None, "state": None}


def account_id(api_key: str | None) -> str:
    """``acct_`` + 16 letters/digits derived from the key, as stable as a real key's account."""
    number = int.from_bytes(hashlib.sha256((api_key or "").encode()).digest()[:12])
    digits = []
    for _ in range(16):
        number, rest = divmod(number, len(_ALPHABET))
        digits.append(_ALPHABET[rest])
    return "acct_1" + "".join(digits)[1:]


def settings_of(ctx: Ctx) -> dict:
    return {**DEFAULTS, **ctx.store.meta_get("account", {})}


def account_object(ctx: Ctx) -> dict:
    s = settings_of(ctx)
    acct = account_id(ctx.api_key)
    created = ctx.store.meta_get("account_created")
    if created is None:  # fixed on first read, so it never moves with the clock
        created = ctx.now
        ctx.store.meta_set("account_created", created)
    return {
        "id": acct, "object": "account",
        "business_profile": {
            "annual_revenue": None, "estimated_worker_count": None, "mcc": "5734",
            "minority_owned_business_designation": None, "monthly_estimated_revenue": {"amount": 0, "currency": s["default_currency"]},
            "name": s["name"], "product_description": "Billing support software", "support_address": dict(_ADDRESS_NULL),
            "support_email": s["email"], "support_phone": None, "support_url": None, "url": "https://chargeside.example",
        },
        "business_type": "company",
        "capabilities": {"card_payments": "active", "transfers": "active"},
        "charges_enabled": True,
        "controller": {"type": "account"},
        "country": s["country"],
        "created": created,
        "default_currency": s["default_currency"],
        "details_submitted": True,
        "email": s["email"],
        "external_accounts": {"object": "list", "data": [], "has_more": False,
                              "url": f"/v1/accounts/{acct}/external_accounts"},
        "future_requirements": dict(_REQUIREMENTS),
        "metadata": {},
        "payouts_enabled": True,
        "requirements": dict(_REQUIREMENTS),
        "settings": {
            "branding": {"icon": None, "logo": None, "primary_color": None, "secondary_color": None},
            "card_issuing": {"tos_acceptance": {"date": None, "ip": None}},
            "card_payments": {"decline_on": {"avs_failure": False, "cvc_failure": True},
                              "statement_descriptor_prefix": None, "statement_descriptor_prefix_kana": None,
                              "statement_descriptor_prefix_kanji": None},
            "dashboard": {"display_name": s["name"], "timezone": s["timezone"]},
            "invoices": {"default_account_tax_ids": None, "hosted_payment_method_save": None},
            "payments": {"statement_descriptor": s["name"].upper()[:22], "statement_descriptor_kana": None,
                         "statement_descriptor_kanji": None, "statement_descriptor_prefix_kana": None,
                         "statement_descriptor_prefix_kanji": None},
            "payouts": {"debit_negative_balances": True, "schedule": {"delay_days": 2, "interval": "daily"},
                        "statement_descriptor": None},
            "sepa_debit_payments": {},
        },
        "tos_acceptance": {"date": created, "ip": "127.0.0.1", "user_agent": None},
        "type": "standard",
    }


@route("GET", "/v1/account")
def retrieve_current(ctx: Ctx) -> dict:
    return account_object(ctx)

