"""The money limit form: typed in major units ("250.00"), stored as minor units through core.money."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chargeside.core.money import MoneyError, normalise_currency, to_minor
from chargeside.workspaces.models import ActionLimit, Member
from chargeside.workspaces.roles import LIMITED_BY_DEFAULT, Role

from ..templatetags.console_labels import ROLE_LABELS


class LimitForm(forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("Applies to"))
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=8, help_text=gettext_lazy("ISO code, e.g. EUR, USD, TRY."))
    per_action = forms.CharField(label=gettext_lazy("Per action"), required=False, help_text=gettext_lazy("Largest single refund or charge. Empty: no cap."))
    per_day = forms.CharField(label=gettext_lazy("Per day"), required=False, help_text=gettext_lazy("Total over the last 24 hours. Empty: no cap."))

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        # Only these roles are held to limits (owners and admins approve; viewers move no money).
        self.roles = [role for role in Role if role in LIMITED_BY_DEFAULT]
        self.members = {
            str(m.pk): m for m in Member.objects.filter(workspace=workspace, is_active=True, role__in=self.roles).select_related("user")
        }
        self.fields["scope"].initial = f"role:{Role.AGENT.value}"
        self.fields["scope"].choices = [
            (gettext_lazy("Role"), [(f"role:{role.value}", ROLE_LABELS[role.value]) for role in self.roles]),
            (gettext_lazy("Member"), [(f"member:{pk}", m.display_name) for pk, m in self.members.items()]),
        ]

    def clean_currency(self):
        try:
            return normalise_currency(self.cleaned_data["currency"])
        except MoneyError:
            raise forms.ValidationError(_("Enter a three-letter currency code such as EUR.")) from None

    def clean_scope(self):
        kind, _sep, value = self.cleaned_data["scope"].partition(":")
        if kind == "member" and value in self.members:
            return ("member", self.members[value])
        if kind == "role" and value in {r.value for r in self.roles}:
            return ("role", value)
        raise forms.ValidationError(_("Choose a role or a member."))

    def clean(self):
        cleaned = super().clean()
        currency = cleaned.get("currency")
        for name in ("per_action", "per_day"):
            raw = (cleaned.get(name) or "").strip()
            if not raw:
                cleaned[name] = None
                continue
            if not currency:
                continue
            try:
                minor = to_minor(raw, currency)
            except MoneyError as exc:
                self.add_error(name, str(exc))
                continue
            if minor < 0:
                self.add_error(name, _("A limit cannot be negative."))
            cleaned[name] = minor
        if not self.errors and cleaned.get("per_action") is None and cleaned.get("per_day") is None:
            raise forms.ValidationError(_("Set a per-action limit, a per-day limit, or both."))
        return cleaned

    def save(self) -> ActionLimit:
        kind, who = self.cleaned_data["scope"]
        lookup = {"workspace": self.workspace, "currency": self.cleaned_data["currency"]}
        lookup.update({"member": who, "role": ""} if kind == "member" else {"member": None, "role": who})
        limit, _created = ActionLimit.objects.update_or_create(
            **lookup, defaults={"per_action": self.cleaned_data["per_action"], "per_day": self.cleaned_data["per_day"]},
        )
        return limit
