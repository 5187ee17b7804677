"""Add a tax id (VAT number, EIN, VKN, ...) to a customer's gateway account, checked with python-stdnum
before the gateway is asked (see `tax_ids.py`)."""

from __future__ import annotations

from chargeside.billing.models import TaxId
from chargeside.gateways.types import Capability
from chargeside.workspaces.roles import Perm

from .base import Action, ActionError, Preview
from .common import customer_target, gateway_customer_from
from .tax_ids import RULES, TaxIdInvalid, check_tax_id


class TaxIdAdd(Action):
    name = "tax_id_add"
    label = "Add a tax id"
    permission = Perm.TAX_ID_ADD
    capability = Capability.TAX_ID_ADD

    def resolve(self, workspace, params):
        return customer_target(gateway_customer_from(workspace, params))

    def clean(self, target, params, adapter):
        if target.obj.deleted:
            raise ActionError("This customer was deleted at the gateway.", code="deleted_customer")
        try:
            checked = check_tax_id(str(params.get("type") or ""), str(params.get("value") or ""))
        except TaxIdInvalid as exc:
            raise ActionError(exc.message, field=exc.field, code="invalid_tax_id") from None
        if TaxId.objects.filter(gateway_customer=target.obj, type=checked.type, value__iexact=checked.value).exists():
            raise ActionError(f"{checked.value} is already on this customer.", field="value", code="already_added")
        return {"type": checked.type, "value": checked.value, "country": checked.country}

    def preview(self, target, cleaned, adapter, language):
        who = target.obj.email or target.obj.name or target.remote_id
        label = RULES[cleaned["type"]].label
        return Preview(
            summary=f"Add {label} {cleaned['value']} to {who} through {adapter.display_name}.",
            lines=(("Type", label), ("Number", cleaned["value"]), ("Country", cleaned["country"])),
        )

    def execute(self, target, cleaned, adapter, idempotency_key):
        return [adapter.tax_id_add(
            customer_remote_id=target.remote_id, type=cleaned["type"], value=cleaned["value"], idempotency_key=idempotency_key,
        )]
