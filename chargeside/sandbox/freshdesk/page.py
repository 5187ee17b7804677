"""The simulator's pages in Freshdesk's layout: a narrow dark navigation rail on the left, the ticket's
conversation in the middle (private notes on a pale yellow background, marked "Private note"), and on the
right the ticket properties and the contact with the installed apps below them, where the Chargeside app's
frame goes (Freshdesk's ticket sidebar apps are about 300 px wide)."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlencode

_STRIP = re.compile(r"<(script|style|iframe|object|embed|link|meta)\b.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_EVENTS = re.compile(r"\s+on[a-z]+\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)


def sanitize(html: str) -> str:
    """Freshdesk shows a note's HTML with scripts and handlers removed."""
    return _EVENTS.sub("", _STRIP.sub("", html))


_CSS = """
body{margin:0;font:13px/1.45 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#12344d;background:#f5f7f9}
.rail{position:fixed;left:0;top:0;bottom:0;width:56px;background:#1b2b3a;display:flex;flex-direction:column;align-items:center;padding-top:12px;gap:14px}
.rail span{width:28px;height:28px;border-radius:6px;background:#2c3e50;display:block}.rail .logo{background:#25c16f}
.page{margin-left:56px}
.top{height:52px;background:#fff;border-bottom:1px solid #dadfe3;display:flex;align-items:center;padding:0 20px;gap:16px}
.top b{font-size:15px}.meta{color:#647a8e;font-size:12px}
.wrap{display:flex;min-height:calc(100vh - 53px)}
.main{flex:1;padding:16px 24px}
.main h1{font-size:18px;margin:0 0 4px}
.conv{background:#fff;border:1px solid #dadfe3;border-radius:4px;padding:12px 14px;margin:12px 0}
.conv.note{background:#fef1e1;border-color:#f8d9b0}.conv .by{font-weight:600;margin-bottom:4px}
.conv .tag{font-size:11px;color:#a35c00;text-transform:uppercase;letter-spacing:.04em;margin-left:6px}
.side{width:320px;background:#fff;border-left:1px solid #dadfe3;padding:12px 14px}
.card{border:1px solid #ebeff3;border-radius:4px;padding:10px 12px;margin:0 0 12px}
.card h3{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:#647a8e;margin:0 0 8px}
#app-chargeside iframe{width:100%;height:640px;border:0;display:block}
a{color:#2c5cc5}
"""


def _frame(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · Freshdesk</title>'
            f'<style>{_CSS}</style></head><body><nav class="rail"><span class="logo"></span><span></span><span></span></nav>'
            f'<div class="page">{body}</div></body></html>')


def ticket_list_page(sim) -> str:
    rows = "".join(
        f'<div class="conv"><a href="{escape(sim.ticket_url(t))}">#{t.id} {escape(t.subject)}</a>'
        f'<div class="meta">{escape(t.requester.get("email", ""))}</div></div>' for t in sim.state.tickets.values()
    ) or '<p class="meta">No tickets.</p>'
    return _frame("Tickets", f'<div class="top"><b>All tickets</b><span class="meta">Simulator</span></div>'
                             f'<div class="main">{rows}</div>')


def ticket_page(sim, ticket, agent) -> str:
    requester = ticket.requester
    conversation = [(f'<div class="conv" data-type="customer"><div class="by">{escape(requester.get("name") or requester.get("email", ""))}'
                    f' <span class="meta">{escape(ticket.created_at)}</span></div>{escape(ticket.description)}</div>')]
    conversation += [
        (f'<div class="conv{" note" if n.private else ""}" data-note="{n.id}"><div class="by">Chargeside app'
         f'{"<span class=tag>Private note</span>" if n.private else ""} <span class="meta">{escape(n.created_at)}</span></div>'
         f'{sanitize(n.body)}</div>') for n in ticket.notes
    ]
    app_src = "/_app/index.html?" + urlencode({"ticket": ticket.id, **({"agent": agent["id"]} if agent else {})})
    viewer = agent["contact"]["name"] if agent else "nobody"
    return _frame(ticket.subject, (
        f'<div class="top"><b>#{ticket.id} {escape(ticket.subject)}</b><span class="meta">{escape(sim.domain)} · '
        f'viewing as {escape(viewer)} · Simulator</span></div><div class="wrap">'
        f'<div class="main"><h1>{escape(ticket.subject)}</h1><div class="meta">Open · Low priority</div>'
        f'<div class="conversation">{"".join(conversation)}</div></div>'
        f'<aside class="side"><div class="card"><h3>Contact details</h3><b>{escape(requester.get("name", ""))}</b>'
        f'<div class="meta">{escape(requester.get("email", ""))}</div></div>'
        f'<div class="card" id="app-chargeside"><h3>Chargeside</h3>'
        f'<iframe title="Chargeside" src="{escape(app_src)}"></iframe></div></aside></div>'
    ))
