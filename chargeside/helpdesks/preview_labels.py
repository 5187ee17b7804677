"""Labels that action previews use in their (label, value) lines, marked here for translation.

The action modules write these in English; the confirmation template translates each label at render
time (`{% translate label %}`), so a Turkish agent reads "Kalan" where the action wrote "Remaining after".
"""

from django.utils.translation import gettext_noop

PREVIEW_LABELS = (
    gettext_noop("Charged"), gettext_noop("Already refunded"), gettext_noop("This refund"), gettext_noop("Remaining after"),
    gettext_noop("Authorised"), gettext_noop("Captured now"), gettext_noop("Released"), gettext_noop("Held"),
    gettext_noop("Collected"), gettext_noop("Access until"), gettext_noop("Refund"), gettext_noop("Period"),
    gettext_noop("Unused"), gettext_noop("Invoice"), gettext_noop("Status"), gettext_noop("Amount due"), gettext_noop("To"),
)
