"""The panel settings form: which origins may frame the panel (CSP frame-ancestors)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# An origin as CSP frame-ancestors accepts it: scheme://host[:port], host may start with "*." ; or 'self'.
ORIGIN = re.compile(r"^(?:'self'|https?://(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?)$")


class FrameOriginsForm(forms.Form):
    origins = forms.CharField(
        label=gettext_lazy("Allowed frame origins"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One per line, e.g. https://acme.zendesk.com or https://*.freshdesk.com. Only these sites may show the panel."),
    )

    def clean_origins(self):
        found, bad = [], []
        for item in self.cleaned_data["origins"].replace(",", " ").split():
            origin = item.strip().rstrip("/")
            origin = origin if origin == "'self'" else origin.lower()
            (found if ORIGIN.match(origin) else bad).append(item)
        if bad:
            raise forms.ValidationError(_("Not an origin (scheme://host[:port], no path): %(bad)s") % {"bad": ", ".join(bad)})
        return " ".join(dict.fromkeys(o if o == "'self'" else o.lower().rstrip("/") for o in found))
