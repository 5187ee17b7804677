"""Signed links for the generic helpdesk panel, and the panel-session token that protects its actions.

Panel link
----------
`GET /panel/?<query>&sig=<hex>`. Parameters (all strings; every one except `sig` is signed):

    ws          workspace slug (required)
    email       the requester's email; repeat it for each address the desk knows (at least one)
    name        the requester's name as the desk shows it
    ticket      the desk's ticket id
    ticket_url  link back to the ticket (recorded with every action)
    agent       the agent's email, or the desk identity stored on the member (e.g. "zendesk:12345")
    lang        "en" or "tr" (optional; default: the member's preference, then the workspace's language)
    exp         expiry, Unix seconds (required; links further than CHARGESIDE_PANEL_MAX_TTL ahead are refused)

Canonical form, byte for byte: take every (key, value) pair of the query except `sig` (values decoded
from the URL, UTF-8), sort the pairs by key and then by value (Python string order, i.e. by code point),
percent-encode each key and value with RFC 3986 rules (only `A-Z a-z 0-9 - . _ ~` stay as they are; a space
is `%20`, `@` is `%40`), join each pair with `=` and the pairs with `&`. Example:

    agent=sam%40acme.test&email=ayse%40example.com&email=b%40example.com&exp=1790000000&ws=acme

`sig` = lowercase hex HMAC-SHA256 of that string (UTF-8) keyed with the workspace's `panel_secret` (its
text, UTF-8). Verification recomputes it and compares in constant time before reading any other
parameter; then it checks `exp`. An unknown workspace is compared against a throw-away key so that the
time taken does not reveal which slugs exist. Workspaces and their decrypted secrets are remembered per
process for a few seconds (`workspaces.cache`): a rotated secret reaches every process within that time.

Panel session token (instead of CSRF cookies)
---------------------------------------------
The panel lives in a third-party iframe where cookies may be blocked, so the follow-up requests (show
more, action forms, confirmations, runs) carry a token minted when a verified link is served:

    token   = <ws slug> "." <payload> "." <mac>
    payload = base64url (no padding) of compact JSON {"c": customer ids, "m": member id or null,
              "e": emails, "t": ticket url, "l": language, "x": expiry (unix), "s": first 16 hex of the link's sig,
              and, for a panel opened from a helpdesk ticket, "d": [desk connection id, ticket id, desk key]}
    mac     = hex HMAC-SHA256(session_key, "<ws slug>.<payload>")
    session_key = HMAC-SHA256(panel_secret, "chargeside-panel-session-v1")  (a derived key, so a session
              token can never pass as a link signature or the reverse)

The page puts it in an `X-Panel-Token` header on every htmx request (`hx-headers`) and in a hidden
`panel_token` field of every form. A POST without a valid, unexpired token is refused with 403 before
anything else is read. A cross-site attacker cannot read the token out of the frame (same-origin policy),
so it cannot forge an action; the token expires after CHARGESIDE_PANEL_SESSION_TTL seconds (8 hours).
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings

from chargeside.core.signing import SignatureError, constant_time_equal, hmac_hex
from chargeside.workspaces.cache import panel_secret, workspace_by_slug

LINK_PARAMS = ("ws", "email", "name", "ticket", "ticket_url", "agent", "lang", "exp")
_SESSION_LABEL = "chargeside-panel-session-v1"
MAX_EMAILS = 20  # a requester with more addresses than this is looked up by the first twenty
_DUMMY_KEY = secrets.token_hex(32)  # for unknown workspaces: same work, never a match


def max_link_ttl() -> int:
    return int(getattr(settings, "CHARGESIDE_PANEL_MAX_TTL", 30 * 24 * 3600))


def session_ttl() -> int:
    return int(getattr(settings, "CHARGESIDE_PANEL_SESSION_TTL", 8 * 3600))


def canonical_query(pairs) -> str:
    items = sorted((str(key), str(value)) for key, value in pairs if key != "sig")
    return "&".join(f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in items)


def sign_pairs(secret: str, pairs) -> str:
    return hmac_hex(secret, canonical_query(pairs))


def panel_query(workspace, *, emails, name: str = "", ticket: str = "", ticket_url: str = "", agent: str = "",
                lang: str = "", ttl: int = 3600, now: float | None = None) -> str:
    """The signed query string (without the leading "?") for a panel link."""
    pairs = [("ws", workspace.slug), ("exp", str(int((now or time.time()) + ttl)))]
    pairs += [("email", email) for email in emails if email]
    for key, value in (("name", name), ("ticket", ticket), ("ticket_url", ticket_url), ("agent", agent), ("lang", lang)):
        if value:
            pairs.append((key, value))
    canonical = canonical_query(pairs)
    return f"{canonical}&sig={hmac_hex(workspace.panel_secret, canonical)}"


@dataclass(frozen=True)
class PanelLink:
    workspace: object
    emails: tuple[str, ...]
    name: str
    ticket: str
    ticket_url: str
    agent: str
    lang: str
    exp: int
    sig: str


def verify_link(query, *, now: float | None = None) -> PanelLink:
    """`query` is a Django QueryDict (request.GET). Raises SignatureError; its reason is for logs, not users."""
    signatures = query.getlist("sig")
    slugs = query.getlist("ws")
    if len(signatures) != 1 or len(slugs) != 1:
        raise SignatureError("link must carry exactly one sig and one ws")
    workspace = workspace_by_slug(slugs[0])
    pairs = [(key, value) for key, values in query.lists() for value in values]
    expected = sign_pairs(panel_secret(workspace) if workspace else _DUMMY_KEY, pairs)
    if not constant_time_equal(expected, signatures[0].strip().lower()) or workspace is None:
        raise SignatureError("signature does not match")
    try:
        exp = int(query.get("exp", ""))
    except ValueError:
        raise SignatureError("exp is not a number") from None
    now = time.time() if now is None else now
    if exp < now:
        raise SignatureError("link expired")
    if exp > now + max_link_ttl():
        raise SignatureError("link lives longer than allowed")
    emails = tuple(e.strip() for e in query.getlist("email") if e.strip())[:MAX_EMAILS]
    return PanelLink(
        workspace=workspace, emails=emails, name=query.get("name", ""), ticket=query.get("ticket", ""),
        ticket_url=query.get("ticket_url", ""), agent=query.get("agent", "").strip(), lang=query.get("lang", ""),
        exp=exp, sig=signatures[0].strip().lower(),
    )


# --- panel session token -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PanelSession:
    workspace: object
    customer_ids: tuple[int, ...]
    member_id: int | None
    emails: tuple[str, ...]
    ticket_url: str
    language: str
    expires: int
    token: str
    # (helpdesk connection id, ticket id, desk key) when the panel was opened from a desk's ticket: actions
    # run from it are attributed to the desk and leave a private note on that ticket (helpdesks/notes.py).
    desk: tuple[int, str, str] | None = None


def _session_key(workspace) -> bytes:
    return bytes.fromhex(hmac_hex(panel_secret(workspace), _SESSION_LABEL))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def session_issue(*, workspace, link_sig: str, customer_ids, member_id, emails, ticket_url: str, language: str,
                  desk: tuple[int, str, str] | None = None, now: float | None = None) -> str:
    body = {
        "c": list(customer_ids), "m": member_id, "e": list(emails), "t": ticket_url, "l": language,
        "x": int((now or time.time()) + session_ttl()), "s": link_sig[:16],
    }
    if desk is not None:
        body["d"] = [int(desk[0]), str(desk[1]), str(desk[2])]
    payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    signed = f"{workspace.slug}.{payload}"
    return f"{signed}.{hmac_hex(_session_key(workspace), signed)}"


def session_verify(token: str, *, now: float | None = None) -> PanelSession:
    parts = (token or "").strip().split(".")
    if len(parts) != 3 or not all(parts):
        raise SignatureError("malformed panel token")
    slug, payload, mac = parts
    workspace = workspace_by_slug(slug)
    expected = hmac_hex(_session_key(workspace) if workspace else _DUMMY_KEY, f"{slug}.{payload}")
    if not constant_time_equal(expected, mac) or workspace is None:
        raise SignatureError("panel token does not verify")
    try:
        body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        expires = int(body["x"])
        customer_ids = tuple(int(i) for i in body["c"])
        member_id = int(body["m"]) if body["m"] is not None else None
        desk = (int(body["d"][0]), str(body["d"][1]), str(body["d"][2])) if body.get("d") else None
    except (ValueError, KeyError, TypeError, IndexError):
        raise SignatureError("panel token payload is malformed") from None
    if expires < (time.time() if now is None else now):
        raise SignatureError("panel token expired")
    return PanelSession(
        workspace=workspace, customer_ids=customer_ids, member_id=member_id, emails=tuple(body.get("e") or ()),
        ticket_url=str(body.get("t") or ""), language=str(body.get("l") or "en"), expires=expires, token=token,
        desk=desk,
    )
