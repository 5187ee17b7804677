"""The Jinja2 environment of the panel's page templates (`helpdesks/jinja2/`).

The panel is the page agents wait for beside every ticket, and Django's template engine spent about half
of its server time walking nodes (~250 per item row). Jinja2 compiles templates to Python code and
renders the same page several times faster; everything else (forms, confirmations, the console) stays on
Django templates. The helpers are the ones the Django templates use (`templatetags/chargeside_panel.py`),
and translations come from the same catalogs: `_()` is Django's gettext, so the active language applies.
"""

from __future__ import annotations

from django.templatetags.static import static
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from jinja2 import Environment

from .templatetags.chargeside_panel import audit_text, panel_actions, status_pill


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def environment(**options) -> Environment:
    env = Environment(extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True, **options)
    env.install_gettext_callables(gettext, ngettext)  # old style: `_("…")|format(…)` reads like Python code
    env.globals.update(static=static, url=url, status_pill=status_pill, panel_actions=panel_actions, audit_text=audit_text)
    env.filters["capfirst"] = capfirst
    return env
