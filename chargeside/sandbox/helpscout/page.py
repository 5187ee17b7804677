"""The simulator's pages in Help Scout's layout: a dark top bar, the mailbox's folders on the left, the
conversation (newest thread first, notes on yellow) in the middle, and the customer with the apps in a
right sidebar about 300 px wide, where Help Scout shows a Dynamic App's HTML."""

from __future__ import annotations

import re
from html import escape

_STRIP_ELEMENTS = re.compile(r"<(script|style|iframe|object|embed|link|meta)\b.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_STRIP_VOID = re.compile(r"<(script|style|iframe|object|embed|link|meta)\b[^>]*>", re.IGNORECASE)
_EVENT_ATTRS = re.compile(r"\s+on[a-z]+\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_JS_URLS = re.compile(r"(href|src)\s*=\s*([\"']?)\s*javascript:[^\"'>]*\2", re.IGNORECASE)


def sanitize(html: str) -> str:
    """What Help Scout does to an app's HTML before showing it: no scripts, style sheets or handlers."""
    html = _STRIP_ELEMENTS.sub("", html)
    html = _STRIP_VOID.sub("", html)
    html = _EVENT_ATTRS.sub("", html)
    return _JS_URLS.sub(r'\1="#"', html)


_CSS = """
body{margin:0;font:13px/1.45 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#314351;background:#f1f3f5}
.top{background:#1f2d3d;color:#fff;height:48px;display:flex;align-items:center;padding:0 16px;gap:24px}
.top b{font-size:15px}.top span{opacity:.75}
.wrap{display:flex;min-height:calc(100vh - 48px)}
.nav{width:200px;background:#e9edf0;padding:12px 0}.nav div{padding:6px 16px}.nav .on{background:#d5dde3;font-weight:600}
.main{flex:1;padding:16px 24px;background:#fff}
.main h1{font-size:18px;margin:0 0 4px}.meta{color:#72808e;font-size:12px}
.thread{border:1px solid #e3e8eb;border-radius:4px;padding:10px 12px;margin:12px 0;background:#fff}
.thread.note{background:#fff8db;border-color:#f4e3a1}.thread .by{font-weight:600;margin-bottom:4px}
.side{width:300px;background:#fff;border-left:1px solid #e3e8eb;padding:12px 16px}
.card{border-bottom:1px solid #e3e8eb;padding:0 0 12px;margin:0 0 12px}
.app h3{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:#72808e;margin:0 0 8px}
.app-error{color:#b42318}
a{color:#1292ee}
"""


def _frame(title: str, product: str, mailbox: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · {escape(product)}</title>'
        f'<style>{_CSS}</style></head><body><div class="top"><b>{escape(product)}</b><span>Mailbox: {escape(mailbox)}</span>'
        f'<span>Simulator</span></div>{body}</body></html>'
    )


def mailbox_page(sim) -> str:
    rows = "".join(
        f'<div class="thread"><a href="{escape(sim.conversation_url(c))}">#{c.number} {escape(c.subject)}</a>'
        f'<div class="meta">{escape(c.customer.get("email", ""))}</div></div>'
        for c in sim.state.conversations.values()
    ) or '<p class="meta">No conversations.</p>'
    return _frame("Mine", sim.product, sim.state.mailbox["name"],
                  f'<div class="wrap"><div class="nav"><div class="on">Mine</div><div>Unassigned</div></div>'
                  f'<div class="main"><h1>Conversations</h1>{rows}</div></div>')


def conversation_page(sim, conversation, user, *, app_status: int, app_html: str) -> str:
    customer = conversation.customer
    name = " ".join(p for p in (customer.get("fname"), customer.get("lname")) if p) or customer.get("email", "")
    threads = "".join(
        f'<div class="thread{" note" if t.type == "note" else ""}" data-thread="{t.id}" data-type="{t.type}">'
        f'<div class="by">{escape(t.by)}{" · note" if t.type == "note" else ""} <span class="meta">{escape(t.created_at)}</span></div>'
        f'{sanitize(t.body) if t.type == "note" else escape(t.body)}</div>'
        for t in reversed(conversation.threads)
    )
    if app_status == 200:
        app = f'<div class="app-body">{sanitize(app_html)}</div>'
    else:
        app = f'<div class="app-error">The app could not be loaded ({app_status or "no answer"}): {sanitize(app_html)}</div>'
    agent = f'{user["fname"]} {user["lname"]}' if user else "nobody"
    return _frame(conversation.subject, sim.product, sim.state.mailbox["name"], (
        '<div class="wrap"><div class="nav"><div class="on">Mine</div><div>Unassigned</div><div>Closed</div></div>'
        f'<div class="main"><h1>{escape(conversation.subject)}</h1>'
        f'<div class="meta">#{conversation.number} · {escape(customer.get("email", ""))} · viewing as {escape(agent)}</div>'
        f'<div class="threads">{threads}</div></div>'
        f'<aside class="side"><div class="card"><b>{escape(name)}</b><div class="meta">{escape(customer.get("email", ""))}</div></div>'
        f'<section class="card app" id="app-chargeside"><h3>Chargeside</h3>{app}</section></aside></div>'
    ))
