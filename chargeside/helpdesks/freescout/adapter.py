"""FreeScout with its CustomApp module: Help Scout's legacy Dynamic App callback, cloned.

FreeScout POSTs JSON (`{"customer": {"id", "email", "emails"}}`, sometimes with `ticket`/`mailbox`/`user`) to
the callback URL and shows the `html` of our answer. The signature is base64(HMAC-SHA1(secret, raw body)) in
`X-FREESCOUT-SIGNATURE`, or `X-HELPSCOUT-SIGNATURE` when the module is set to Help Scout's header name, so
both are accepted. Conversations live at `{base}/conversation/{id}`. Everything else is Help Scout's code.
"""

from __future__ import annotations

from chargeside.gateways.types import SettingField

from ..base import DeskNoteText
from ..helpscout.adapter import HelpScoutAdapter
from .client import FreeScoutClient


class FreeScoutAdapter(HelpScoutAdapter):
    key = "freescout"
    display_name = "FreeScout"
    settings_spec = (
        SettingField("secret_key", "CustomApp secret key", secret=True,
                     help="The secret key of the CustomApp module; paste the same into FreeScout."),
        SettingField("web_url", "FreeScout address", kind="url", help="e.g. https://support.example.com"),
        SettingField("api_key", "API key", secret=True, required=False,
                     help="From the API & Webhooks module. Needed for notes on conversations."),
        SettingField("note_user_id", "User id for notes", required=False,
                     help="The FreeScout user the notes are written as (FreeScout requires one)."),
    )
    signature_headers = ("X-FreeScout-Signature", "X-HelpScout-Signature")
    conversation_path = "/conversation/{id}"
    default_web_url = ""  # every FreeScout lives at its own address (the web_url setting)

    def post_note(self, *, ticket: str, note: DeskNoteText) -> str:
        client = FreeScoutClient(
            base_url=self.settings.get("web_url") or "", api_key=self.credentials.get("api_key", ""),
            user_id=self.settings.get("note_user_id", ""),
        )
        return client.create_note(ticket, note.html())
