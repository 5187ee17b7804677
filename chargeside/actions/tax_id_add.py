"""Add a tax id (VAT number, EIN, VKN, ...) to a customer's gateway account, checked with python-stdnum
before the gateway is asked (see `tax_ids.py`)."""

from __future__ import annotations

from django.utils.translation import gettext as _

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
            raise ActionError(_("This customer was deleted at the gateway."), code="deleted_customer")
        try:
            checked = check_tax_id(str(params.get("type") or ""), str(params.get("value") or ""))
        except TaxIdInvalid as exc:
            raise ActionError(exc.message, field=exc.field, code="invalid_tax_id") from None
        if TaxId.objects.filter(gateway_customer=target.obj, type=checked.type, value__iexact=checked.value).exists():
            raise ActionError(_("%(value)s is already on this customer.") % {"value": checked.value}, field="value", code="already_added")
        return {"type": checked.type, "value": checked.value, "country": checked.country}

    def preview(self, target, cleaned, adapter, language):
        who = target.obj.email or target.obj.name or target.remote_id
        label = str(RULES[cleaned["type"]].label)
        return Preview(
            summary=_("Add %(kind)s %(value)s to %(who)s through %(gateway)s.")
            % {"kind": label, "value": cleaned["value"], "who": who, "gateway": adapter.display_name},
            lines=((_("Type"), label), (_("Number"), cleaned["value"]), (_("Country"), cleaned["country"])),
        )

    def execute(self, target, cleaned, adapter, idempotency_key):
        return [adapter.tax_id_add(
            customer_remote_id=target.remote_id, type=cleaned["type"], value=cleaned["value"], idempotency_key=idempotency_key,
        )]
