"""The gateway connection form, built from the adapter's `settings_spec`.

Secret fields are write-only: they render empty, a blank value on edit keeps the stored secret, and the
stored values never reach a template. Non-secret values go to `Connection.settings`, secrets to the
encrypted credentials blob through `Connection.set_credentials`.
"""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chargeside.connections.models import Connection


def _field_for(spec, *, has_stored_secret: bool) -> forms.Field:
    help_text = spec.help
    if spec.secret:
        widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
        if has_stored_secret:
            help_text = (help_text + " " if help_text else "") + _("Stored. Leave blank to keep the current value.")
        return forms.CharField(label=spec.label, required=False, widget=widget, help_text=help_text, strip=True)
    if spec.kind == "choice" and spec.choices:
        return forms.ChoiceField(label=spec.label, required=spec.required, choices=[(c, c) for c in spec.choices],
                                 initial=spec.default or None, help_text=help_text)
    widget = forms.URLInput() if spec.kind == "url" else forms.TextInput()
    return forms.CharField(label=spec.label, required=spec.required, initial=spec.default or None, widget=widget,
                           help_text=help_text, strip=True)


class ConnectionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100, help_text=gettext_lazy("Shown to agents, e.g. “Stripe EU”."))

    def __init__(self, *args, adapter_class, workspace, instance: Connection | None = None, **kwargs):
        self.adapter_class = adapter_class
        self.workspace = workspace
        self.instance = instance
        self.stored_secrets = instance.credentials if instance and instance.credentials_encrypted else {}
        initial = kwargs.pop("initial", {}) or {}
        if instance is not None:
            initial = {"name": instance.name, **{k: v for k, v in instance.settings.items()}, **initial}
        super().__init__(*args, initial=initial, **kwargs)
        for spec in adapter_class.settings_spec:
            self.fields[spec.name] = _field_for(spec, has_stored_secret=bool(self.stored_secrets.get(spec.name)))

    def secret_specs(self):
        return [spec for spec in self.adapter_class.settings_spec if spec.secret]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Connection.objects.filter(workspace=self.workspace, provider=self.adapter_class.key, name=name)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another %(provider)s connection already has this name.") % {"provider": self.adapter_class.display_name})
        return name

    def clean(self):
        cleaned = super().clean()
        url_validator = URLValidator(schemes=["http", "https"])
        for spec in self.adapter_class.settings_spec:
            value = (cleaned.get(spec.name) or "").strip()
            if spec.secret and spec.required and not value and not self.stored_secrets.get(spec.name):
                self.add_error(spec.name, _("This field is required."))
            if spec.kind == "url" and value:
                try:
                    url_validator(value)
                except forms.ValidationError:
                    self.add_error(spec.name, _("Enter a full URL starting with http:// or https://."))
        return cleaned

    def save(self) -> Connection:
        connection = self.instance or Connection(workspace=self.workspace, provider=self.adapter_class.key,
                                                 kind=Connection.Kind.GATEWAY)
        connection.name = self.cleaned_data["name"]
        settings = {}
        credentials = dict(self.stored_secrets)
        for spec in self.adapter_class.settings_spec:
            value = (self.cleaned_data.get(spec.name) or "").strip()
            if spec.secret:
                if value:  # blank keeps the stored secret
                    credentials[spec.name] = value
            elif value:
                settings[spec.name] = value
        connection.settings = settings
        connection.set_credentials(credentials)
        connection.save()
        return connection
