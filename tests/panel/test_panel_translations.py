"""The panel's Jinja2 templates are translated from Django's catalogs (Django's makemessages does not read
Jinja2 syntax, so this is the check that each of their strings is in the Turkish catalog)."""

from __future__ import annotations

from pathlib import Path

from django.template import engines
from django.utils import translation

import chargeside.helpdesks

SAME_IN_TURKISH = {"Net"}
TEMPLATES = Path(chargeside.helpdesks.__file__).parent / "jinja2"


def _strings() -> set[str]:
    env = engines["jinja2"].env
    found = set()
    for path in TEMPLATES.rglob("*.html"):
        for _line, _function, message in env.extract_translations(path.read_text()):
            found.update(m for m in (message if isinstance(message, tuple) else (message,)) if m)
    return found


def test_every_panel_string_has_a_turkish_translation():
    strings = _strings()
    assert len(strings) > 30  # the extraction found the templates' strings
    with translation.override("tr"):
        untranslated = sorted(s for s in strings if translation.gettext(s) == s and s not in SAME_IN_TURKISH)
    assert untranslated == []


def test_makemessages_hands_the_jinja_strings_to_xgettext_on_their_lines():
    from chargeside.core.management.commands.makemessages import _python_for_jinja

    source = '<p>\n{{ section_block(view.charges, _("Payments")) }}\n{{ ngettext("%(n)s item", "%(n)s items", k) }}</p>'
    assert _python_for_jinja(source).splitlines() == [
        "", "gettext('Payments')", "ngettext('%(n)s item', '%(n)s items', n)"]
