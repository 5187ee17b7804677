"""Forms for people: inviting a member, a member's own language, naming an API token."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy

from chargeside.workspaces.roles import Role

from ..templatetags.console_labels import ROLE_LABELS

ROLE_CHOICES = [(role.value, ROLE_LABELS[role.value]) for role in Role]


class InviteForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150,
                               validators=[RegexValidator(r"^[\w.@+-]+\Z", gettext_lazy("Letters, digits and @ . + - _ only."))])
    email = forms.EmailField(label=gettext_lazy("Email"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES, initial=Role.AGENT.value)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False,
                                 choices=[("", gettext_lazy("Browser's language"))] + list(settings.LANGUAGES))


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Token name"), max_length=100, initial="api",
                           help_text=gettext_lazy("What uses it, e.g. “CRM sync”."))
