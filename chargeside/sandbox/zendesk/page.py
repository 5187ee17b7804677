"""The simulator's agent ticket page, in Zendesk's layout style: dark nav rail, ticket properties, the
conversation (public replies and yellow internal notes), the apps sidebar with the app frame on the right."""

from __future__ import annotations

import json
from html import escape


def _comment(sim, comment: dict) -> str:
    author = sim.users.get(comment.get("author_id") or 0, {}).get("name") or "Chargeside (API)"
    body = comment["html_body"] if comment["html_body"] else escape(comment["body"]).replace("\n", "<br>")
    kind = "note" if not comment["public"] else "reply"
    label = "Internal note" if kind == "note" else "Public reply"
    # The simulator trusts the html_body it stored like Zendesk renders (sanitised) rich comments.
    return (f'<article class="comment {kind}"><header><b>{escape(author)}</b> · {label}</header>'
            f'<div class="comment-body">{body}</div></article>')


def ticket_page(sim, ticket, user: dict | None, token: str) -> str:
    requester = sim.users.get(ticket.requester_id, {})
    data = json.dumps(sim.frame_data(ticket, user)).replace("</", "<\\/")
    if token:
        app = (f'<form id="zaf-signed-load" method="post" action="{escape(sim.app_location())}" target="zaf-app">'
               f'<input type="hidden" name="token" value="{escape(token)}"></form>'
               '<iframe id="zaf-app" name="zaf-app" title="Chargeside" style="width:100%;height:600px;border:0"></iframe>')
    else:
        app = '<p class="muted">No app URL is configured.</p>'
    comments = "".join(_comment(sim, c) for c in ticket.comments)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>#{ticket.id} {escape(ticket.subject)} – Zendesk (simulator)</title>
<style>
body{{margin:0;font:14px/1.4 system-ui,sans-serif;color:#2f3941;display:grid;grid-template-columns:60px 220px 1fr 380px;height:100vh}}
nav.rail{{background:#03363d;color:#fff;padding:12px 8px;font-weight:700}}
aside.props{{border-right:1px solid #d8dcde;padding:16px;background:#f8f9f9}}
main{{padding:16px 24px;overflow:auto}} aside.apps{{border-left:1px solid #d8dcde;background:#f8f9f9;padding:12px;overflow:auto}}
.comment{{border:1px solid #d8dcde;border-radius:6px;padding:10px 12px;margin:10px 0;background:#fff}}
.comment.note{{background:#fff6e0;border-color:#f5d48b}} .apps h2{{font-size:13px;text-transform:uppercase;color:#68737d}}
.app-box{{background:#fff;border:1px solid #d8dcde;border-radius:6px;overflow:hidden}} .muted{{color:#68737d}}
</style></head>
<body>
<nav class="rail">z</nav>
<aside class="props"><div class="muted">Requester</div><div id="requester">{escape(requester.get("name") or "")}</div>
<div class="muted">{escape(requester.get("email") or "")}</div><div class="muted" style="margin-top:12px">Assignee</div>
<div>{escape((user or {}).get("name") or "—")}</div></aside>
<main><h1>{escape(ticket.subject)} <span class="muted">#{ticket.id}</span></h1>
<section id="conversation">{comments}</section></main>
<aside class="apps"><h2>Apps</h2><div class="app-box" id="app-chargeside"><div style="padding:6px 10px;font-weight:600">Chargeside</div>{app}</div></aside>
<script type="application/json" id="zaf-data">{data}</script>
<script src="/sim.js"></script>
</body></html>"""
