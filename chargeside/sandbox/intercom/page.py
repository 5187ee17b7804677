"""The simulator's pages in Intercom's Inbox layout: a narrow dark navigation rail, the conversation list,
the conversation (notes on yellow) in the middle, and "Conversation details" on the right (about 340 px),
where Intercom renders an inbox app's Canvas Kit components. The components are rendered here from the
canvas JSON as Intercom does it: text (with its small markdown: *bold*, _italic_, ~~struck~~, [links](url),
backslash escapes), data tables, dividers, spacers, buttons, inputs, text areas, dropdowns, checkboxes and
lists. Every submit component posts the form to the simulator, which sends the signed submit request."""

from __future__ import annotations

from html import escape

_CSS = """
body{margin:0;font:14px/1.45 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#1a1a1a;background:#f5f5f4}
.wrap{display:flex;min-height:100vh}
.rail{width:56px;background:#1f1f1f}
.list{width:240px;background:#fff;border-right:1px solid #e6e6e6}.list a{display:block;padding:10px 14px;color:#1a1a1a;text-decoration:none;border-bottom:1px solid #f0f0f0}.list .on{background:#eef2ff}
.main{flex:1;padding:16px 24px;background:#fff}
.part{margin:10px 0;padding:10px 12px;border-radius:10px;background:#f2f2f2;max-width:560px}
.part.note{background:#fef3c7}
.who{font-size:12px;color:#6b7280}
.details{width:340px;background:#fafafa;border-left:1px solid #e6e6e6;padding:12px 16px}
.app{background:#fff;border:1px solid #e6e6e6;border-radius:8px;padding:10px 12px}
.app h4{margin:0 0 8px;font-size:12px;color:#6b7280;text-transform:uppercase}
.ck-text{margin:4px 0}.ck-header{font-weight:600;font-size:15px;margin:8px 0 4px}.ck-muted{color:#6b7280;font-size:12px;margin:2px 0}
.ck-error{color:#b42318;font-size:13px;margin:4px 0}
.ck-table{width:100%;font-size:12px;border-collapse:collapse}.ck-table td{padding:2px 0}.ck-table td+td{text-align:right}
.ck-btn{display:block;width:100%;margin:4px 0;padding:6px;border-radius:6px;border:1px solid #d1d5db;background:#fff;font:inherit;cursor:pointer}
.ck-btn.primary{background:#1f6feb;color:#fff;border-color:#1f6feb}.ck-btn.link{border:0;color:#1f6feb;text-align:left;padding:2px 0}
label{display:block;font-size:12px;color:#374151;margin-top:6px}
input[type=text],textarea,select{width:100%;box-sizing:border-box;padding:5px;border:1px solid #d1d5db;border-radius:6px;font:inherit}
hr{border:0;border-top:1px solid #eee;margin:8px 0}
.app-error{color:#b42318}
"""


def markdown(source: str) -> str:
    """Canvas Kit text: HTML-escaped, then *bold*, _italic_, ~~struck~~ and [text](https://…) links; a
    backslash makes the next character literal."""
    out, i, open_tags = [], 0, {"*": False, "_": False, "~~": False}
    tags = {"*": "b", "_": "i", "~~": "s"}
    while i < len(source):
        ch = source[i]
        if ch == "\\" and i + 1 < len(source):
            out.append(escape(source[i + 1]))
            i += 2
            continue
        marker = "~~" if source.startswith("~~", i) else ch if ch in "*_" else ""
        if marker:
            open_tags[marker] = not open_tags[marker]
            out.append(f"<{'' if open_tags[marker] else '/'}{tags[marker]}>")
            i += len(marker)
            continue
        if ch == "[":
            close = source.find("](", i)
            end = source.find(")", close + 2) if close > 0 else -1
            url = source[close + 2:end] if end > 0 else ""
            if url.startswith(("https://", "http://")) and "\\" not in source[i:end]:
                out.append(f'<a href="{escape(url)}" rel="noopener">{escape(source[i + 1:close])}</a>')
                i = end + 1
                continue
        out.append(escape(ch))
        i += 1
    out += [f"</{tags[m]}>" for m, is_open in open_tags.items() if is_open]
    return "".join(out)


def component_html(component: dict) -> str:
    kind, cid = component.get("type"), escape(str(component.get("id", "")))
    label = escape(str(component.get("label", "")))
    if kind == "text":
        style = component.get("style", "paragraph")
        return f'<div class="ck-text ck-{escape(style)}">{markdown(str(component.get("text", "")))}</div>'
    if kind == "data-table":
        rows = "".join(f'<tr><td>{escape(str(i.get("field", "")))}</td><td>{escape(str(i.get("value", "")))}</td></tr>'
                       for i in component.get("items", []))
        return f'<table class="ck-table">{rows}</table>'
    if kind == "divider":
        return "<hr>"
    if kind == "spacer":
        return '<div style="height:8px"></div>'
    if kind == "button":
        action = component.get("action") or {}
        style = escape(str(component.get("style", "primary")))
        if action.get("type") == "url":
            return f'<a class="ck-btn link" href="{escape(str(action.get("url", "")))}" target="_blank" rel="noopener">{label}</a>'
        return f'<button class="ck-btn {style}" type="submit" name="_component" value="{cid}" data-component="{cid}">{label}</button>'
    if kind == "input":
        return (f'<label for="ck-{cid}">{label}</label><input type="text" id="ck-{cid}" name="i:{cid}" '
                f'value="{escape(str(component.get("value", "")))}" placeholder="{escape(str(component.get("placeholder", "")))}">')
    if kind == "textarea":
        return (f'<label for="ck-{cid}">{label}</label><textarea id="ck-{cid}" name="i:{cid}" '
                f'placeholder="{escape(str(component.get("placeholder", "")))}">{escape(str(component.get("value", "")))}</textarea>')
    if kind in ("dropdown", "single-select"):
        chosen = str(component.get("value", ""))
        options = "".join(f'<option value="{escape(str(o.get("id", "")))}"{" selected" if str(o.get("id")) == chosen else ""}>'
                          f'{escape(str(o.get("text", "")))}</option>' for o in component.get("options", []))
        return f'<label for="ck-{cid}">{label}</label><select id="ck-{cid}" name="i:{cid}">{options}</select>'
    if kind == "checkbox":
        chosen = set(map(str, component.get("value") or []))
        boxes = "".join(f'<label><input type="checkbox" name="c:{cid}" value="{escape(str(o.get("id", "")))}"'
                        f'{" checked" if str(o.get("id")) in chosen else ""}> {escape(str(o.get("text", "")))}</label>'
                        for o in component.get("options", []))
        return f'<input type="hidden" name="c:{cid}" value="">{label and f"<label>{label}</label>"}{boxes}'
    if kind == "list":
        return "".join(f'<div class="ck-text">{escape(str(i.get("title", "")))} <span class="ck-muted">{escape(str(i.get("subtitle", "")))}</span></div>'
                       for i in component.get("items", []))
    return f'<div class="ck-muted">[{escape(str(kind))}]</div>'


def canvas_html(canvas: dict) -> str:
    components = ((canvas or {}).get("content") or {}).get("components") or []
    return "".join(component_html(c) for c in components if isinstance(c, dict))


def _frame(title: str, body: str) -> str:
    return f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>'


def inbox_page(sim) -> str:
    links = "".join(f'<a href="{escape(sim.conversation_url(c))}">{escape(c.contact.get("name") or c.contact.get("email"))}: {escape(c.title)}</a>'
                    for c in sim.state.conversations.values())
    return _frame("Inbox", f'<div class="wrap"><div class="rail"></div><div class="list">{links}</div><div class="main">Choose a conversation.</div></div>')


def conversation_page(sim, conversation, admin, *, app_status: int, canvas) -> str:
    listing = "".join(f'<a class="{"on" if c.id == conversation.id else ""}" href="{escape(sim.conversation_url(c, admin and admin["id"]))}">'
                      f'{escape(c.contact.get("name") or c.contact.get("email"))}</a>' for c in sim.state.conversations.values())
    parts = "".join(
        f'<div class="part {"note" if p.part_type == "note" else ""}" data-part="{escape(p.part_type)}"><div class="who">{escape(str(p.author.get("name", "")))}'
        f'{" · note" if p.part_type == "note" else ""}</div>{p.body if p.part_type == "note" else escape(p.body)}</div>'
        for p in conversation.parts)
    if isinstance(canvas, dict):
        action = f'{sim.conversation_url(conversation)}/submit' + (f'?admin={escape(admin["id"])}' if admin else "")
        app = f'<form method="post" action="{escape(action)}" id="ck-form">{canvas_html(canvas)}</form>'
    else:
        app = f'<p class="app-error">{escape(str(canvas))} ({app_status})</p>'
    contact = conversation.contact
    details = (f'<div class="details"><div class="who">Conversation details</div><p><b>{escape(contact.get("name") or "")}</b><br>'
               f'{escape(contact.get("email") or "")}</p><div class="app" id="chargeside-app"><h4>Chargeside</h4>{app}</div></div>')
    main = f'<div class="main"><h2>{escape(conversation.title)}</h2><div id="parts">{parts}</div></div>'
    return _frame(f"{conversation.title} · Inbox", f'<div class="wrap"><div class="rail"></div><div class="list">{listing}</div>{main}{details}</div>')
