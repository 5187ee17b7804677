"""Forms for people: inviting a member, a member's own language, naming an API token."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _l

from chargeside.workspaces.roles import Role

ROLE_CHOICES = [(role.value, role.value.title()) for role in Role]


class InviteForm(forms.Form):
    username = forms.CharField(label=_l("Username"), max_length=150,
                               validators=[RegexValidator(r"^[\w.@+-]+\Z", _l("Letters, digits and @ . + - _ only."))])
    email = forms.EmailField(label=_l("Email"))
    role = forms.ChoiceField(label=_l("Role"), choices=ROLE_CHOICES, initial=Role.AGENT.value)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_l("Role"), choices=ROLE_CHOICES)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_l("Language"), required=False,
                                 choices=[("", _l("Browser's language"))] + list(settings.LANGUAGES))


class TokenForm(forms.Form):
    name = forms.CharField(label=_l("Token name"), max_length=100, initial="api",
                           help_text=_l("What uses it, e.g. “CRM sync”."))
