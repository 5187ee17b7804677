"""What Crisp sends → DeskContext (pure; no I/O).

iFrame widget load (Crisp docs, "Plugins | Widgets | iFrame Widget"): a GET of the widget URL with the query
parameters `website_id`, `session_id` (only when the plugin holds a `website:conversation:*` scope), `token`
(the website's plugin token) and `locale`. Crisp also fills data bindings written in the widget URL; the
install steps (apps/crisp/) configure ours as

    ?email={conversation.meta.email}&nickname={conversation.meta.nickname}
     &people_id={conversation.people_id}&operator={operator.email}&operator_id={operator.user_id}

(`conversation.*` properties are listed in Crisp's "Data Access" page; the `operator` namespace is our reading
and unconfirmed). A binding Crisp could not fill may arrive empty or as its own "{...}" text: both mean absent.

Signed POST (web hook / widget request, signature.py): Crisp's hook body
`{"website_id", "event", "data": {"session_id", ...}, "timestamp"}`; the visitor and operator are read from
`data` where present (`data.email` or `data.meta.email`, `data.user.nickname`, `data.operator.email`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from ..base import DeskPayloadError
from ..panel import DeskContext
from .bindings import WIDGET_BINDINGS  # noqa: F401  (re-exported: the install steps show it)

DEFAULT_APP_URL = "https://app.crisp.chat"

# Crisp ids: a website id is a UUID, a session id "session_<uuid>"; anything else is not one of theirs.
_WEBSITE_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SESSION_ID = re.compile(r"^session_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_FIELD = 320


def valid_website_id(value: str) -> bool:
    return bool(_WEBSITE_ID.match(value or ""))


def valid_session_id(value: str) -> bool:
    return bool(_SESSION_ID.match(value or ""))


def conversation_url(app_url: str, website_id: str, session_id: str) -> str:
    """Where an operator opens the conversation in the Crisp app."""
    if not (valid_website_id(website_id) and valid_session_id(session_id)):
        return ""
    return f"{(app_url or DEFAULT_APP_URL).rstrip('/')}/website/{website_id}/inbox/{session_id}/"


def _clean(value) -> str:
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if text.startswith("{") and text.endswith("}"):  # an unfilled data binding
        return ""
    return text[:MAX_FIELD]


def _first(query: Mapping[str, list[str]], key: str) -> str:
    values = query.get(key) or []
    return _clean(values[0]) if values else ""


def _agent(email: str, user_id: str) -> str:
    if "@" in email:
        return email
    return f"crisp:{user_id}" if user_id else ""


def widget_context(query: Mapping[str, list[str]], *, workspace, app_url: str) -> DeskContext:
    website_id, session_id = _first(query, "website_id"), _first(query, "session_id")
    email = _first(query, "email")
    return DeskContext(
        workspace=workspace, emails=(email,) if "@" in email else (), name=_first(query, "nickname"),
        ticket=session_id if valid_session_id(session_id) else "",
        ticket_url=conversation_url(app_url, website_id, session_id),
        agent=_agent(_first(query, "operator"), _first(query, "operator_id")),
        lang=_first(query, "locale"), requester_id=_first(query, "people_id"),
    )


def _object(value) -> dict:
    return value if isinstance(value, dict) else {}


def parse_hook(body: bytes) -> dict:
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DeskPayloadError("the body is not JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("data", {}), dict):
        raise DeskPayloadError("the body is not a Crisp hook object")
    return payload


def hook_context(payload: dict, *, workspace, app_url: str) -> DeskContext:
    data = _object(payload.get("data"))
    meta, user, operator = _object(data.get("meta")), _object(data.get("user")), _object(data.get("operator"))
    website_id = _clean(payload.get("website_id") or data.get("website_id"))
    session_id = _clean(data.get("session_id"))
    email = _clean(data.get("email") or meta.get("email"))
    return DeskContext(
        workspace=workspace, emails=(email,) if "@" in email else (),
        name=_clean(meta.get("nickname") or user.get("nickname")),
        ticket=session_id if valid_session_id(session_id) else "",
        ticket_url=conversation_url(app_url, website_id, session_id),
        agent=_agent(_clean(operator.get("email")), _clean(operator.get("user_id"))),
        lang=_clean(data.get("locale")), requester_id=_clean(data.get("people_id") or user.get("user_id")),
    )
