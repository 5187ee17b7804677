"""The Crisp inbox page of one conversation, in Crisp's layout: conversations, messages, visitor sidebar with
the plugin widgets. Everything shown is escaped; the page runs no script (our widget runs in its iframe)."""

from __future__ import annotations

from html import escape

_STYLE = """
body{margin:0;font:14px/1.45 -apple-system,'Segoe UI',Roboto,sans-serif;color:#1c293b;background:#f4f6f9}
.app{display:grid;grid-template-columns:260px 1fr 320px;height:100vh}
.list{background:#fff;border-right:1px solid #e3e8ef;overflow:auto}.list h1{font-size:15px;margin:0;padding:14px 16px;border-bottom:1px solid #e3e8ef}
.conv{padding:12px 16px;border-bottom:1px solid #f0f2f5}.conv.active{background:#eef4ff}.conv b{display:block}
.chat{display:flex;flex-direction:column;overflow:auto;padding:16px 24px}.chat h2{font-size:16px;margin:0 0 12px}
.msg{max-width:70%;margin:6px 0;padding:10px 14px;border-radius:14px;background:#fff;border:1px solid #e3e8ef;white-space:pre-wrap}
.msg.operator{align-self:flex-end;background:#1972f5;color:#fff;border:0}
.msg.note{align-self:flex-end;background:#fff8d6;color:#5b4a00;border:1px dashed #e0c34d}
.msg small{display:block;opacity:.7;font-size:11px;margin-bottom:2px}
.side{background:#fff;border-left:1px solid #e3e8ef;overflow:auto}
.profile{padding:16px;border-bottom:1px solid #e3e8ef}.profile b{display:block;font-size:15px}
.widget{border-bottom:1px solid #e3e8ef}.widget h3{margin:0;padding:10px 16px;font-size:12px;text-transform:uppercase;color:#6b7a90}
.widget iframe{display:block;width:100%;height:350px;border:0}
"""


def inbox_page(sim, conversation, operator) -> str:
    rows = "".join(
        f'<div class="conv{" active" if c.session_id == conversation.session_id else ""}"><b>{escape(c.nickname or c.email)}</b>'
        f'<span>{escape(c.email)}</span></div>' for c in sim.conversations.values()
    )
    messages = []
    for m in conversation.messages:
        kind = "note" if m.type == "note" else m.origin
        who = "Private note" if m.type == "note" else (conversation.nickname or conversation.email if m.origin == "user" else "Operator")
        messages.append(f'<div class="msg {kind}" data-type="{escape(m.type)}"><small>{escape(who)}</small>{escape(m.content)}</div>')
    widget = (f'<iframe title="Chargeside" src="{escape(sim.widget_src(conversation, operator))}"></iframe>'
              if sim.widget_url else "<p>No widget URL is configured.</p>")
    operator_name = escape(f"{operator['first_name']} {operator['last_name']}") if operator else "nobody"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Crisp · {escape(conversation.nickname or conversation.email)}</title>
<style>{_STYLE}</style></head><body><div class="app">
<nav class="list"><h1>Inbox</h1>{rows}</nav>
<section class="chat"><h2>{escape(conversation.nickname or conversation.email)} <small>(operator: {operator_name})</small></h2>{''.join(messages)}</section>
<aside class="side"><div class="profile"><b>{escape(conversation.nickname)}</b><span>{escape(conversation.email)}</span></div>
<div class="widget"><h3>Chargeside</h3>{widget}</div></aside>
</div></body></html>"""
