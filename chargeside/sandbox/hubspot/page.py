"""The simulated HubSpot record page: record properties left, activity (notes) middle, app cards right.

Everything the card sends is text to this page (escaped), as HubSpot renders card JSON with its own UI:
a card cannot inject markup. Notes are shown as HubSpot shows a note body: rich text (scripts removed).
"""

from __future__ import annotations

import re
from html import escape

_OPTION_COLOURS = {"SUCCESS": "#00a4bd", "INFO": "#0091ae", "WARNING": "#f5c26b", "DANGER": "#f2545b", "DEFAULT": "#cbd6e2"}
_SCRIPT = re.compile(r"<\s*(script|style|iframe)[^>]*>.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)

_STYLE = """
body{margin:0;font:14px/1.45 "Lexend Deca",Helvetica,Arial,sans-serif;color:#33475b;background:#f5f8fa}
.top{background:#2d3e50;color:#fff;padding:10px 18px;font-weight:600}.top span{color:#ff7a59}
.cols{display:grid;grid-template-columns:280px 1fr 340px;gap:16px;padding:16px}
.box{background:#fff;border:1px solid #cbd6e2;border-radius:3px;padding:14px;margin-bottom:12px}
h2{font-size:16px;margin:0 0 8px}h3{font-size:13px;margin:0 0 6px;text-transform:uppercase;color:#516f90}
.prop{margin:4px 0}.label{color:#7c98b6;font-size:12px}.status{display:inline-block;padding:0 6px;border-radius:3px;color:#fff}
.result{border-top:1px solid #eaf0f6;padding:8px 0}.result:first-child{border-top:0}
button,.button{background:#fff;border:1px solid #ff7a59;color:#ff7a59;border-radius:3px;padding:3px 9px;margin:4px 4px 0 0;
cursor:pointer;font-size:12px}.note{border-left:3px solid #ff7a59;padding:6px 10px;margin:8px 0;background:#fff}
dialog{width:890px;max-width:95vw;height:748px;max-height:90vh;padding:0;border:0}dialog iframe{width:100%;height:calc(100% - 40px);border:0}
.flash{background:#e5f5f8;border:1px solid #7fd1de;padding:8px;margin:0 16px}
"""

_SCRIPT_JS = """
document.querySelectorAll('[data-iframe]').forEach(function (b) {
  b.addEventListener('click', function () {
    var d = document.getElementById('hs-modal'); document.getElementById('hs-frame').src = b.dataset.iframe; d.showModal();
  });
});
document.getElementById('hs-close').addEventListener('click', function () { location.reload(); });
document.querySelectorAll('form[data-confirm]').forEach(function (f) {
  f.addEventListener('submit', function (e) { if (!confirm(f.dataset.confirm)) { e.preventDefault(); } });
});
"""


def _prop(prop: dict) -> str:
    label = escape(str(prop.get("label", "")))
    value = escape(str(prop.get("value", "")))
    kind = prop.get("dataType")
    if kind == "STATUS":
        colour = _OPTION_COLOURS.get(str(prop.get("optionType", "DEFAULT")), "#cbd6e2")
        value = f'<span class="status" style="background:{colour}">{value}</span>'
    elif kind == "LINK" and str(prop.get("value", "")).startswith(("http://", "https://")):
        value = f'<a href="{value}" target="_blank" rel="noopener">{escape(str(prop.get("linkLabel") or prop.get("value")))}</a>'
    return f'<div class="prop"><span class="label">{label}</span><br>{value}</div>'


def _action(action: dict, record, user) -> str:
    label, uri = escape(str(action.get("label", ""))), escape(str(action.get("uri", "")))
    if action.get("type") == "IFRAME":
        return f'<button type="button" data-iframe="{uri}">{label}</button>'
    if action.get("type") in ("ACTION_HOOK", "CONFIRMATION_ACTION_HOOK"):
        confirm = escape(str(action.get("confirmationMessage", ""))) if action["type"] == "CONFIRMATION_ACTION_HOOK" else ""
        return (f'<form method="post" action="/_sim/hook" style="display:inline"{f" data-confirm={chr(34)}{confirm}{chr(34)}" if confirm else ""}>'
                f'<input type="hidden" name="uri" value="{uri}"><input type="hidden" name="record" value="{record.id}">'
                f'<input type="hidden" name="user" value="{user["id"] if user else ""}">'
                f'<button type="submit">{label}</button></form>')
    return ""


def _card(status: int, card, record, user) -> str:
    if status != 200 or not isinstance(card, dict) or not isinstance(card.get("results"), list):
        message = card.get("message", "") if isinstance(card, dict) else ""
        return f'<p>This card could not be loaded ({status}). {escape(str(message))}</p>'
    out = []
    for result in card["results"][:5]:
        props = "".join(_prop(p) for p in result.get("properties", []) if isinstance(p, dict))
        actions = "".join(_action(a, record, user) for a in result.get("actions", []) if isinstance(a, dict))
        out.append(f'<div class="result"><b>{escape(str(result.get("title", "")))}</b>{props}<div>{actions}</div></div>')
    top = [card.get("primaryAction"), *(card.get("secondaryActions") or [])]
    out.append("<div>" + "".join(_action(a, record, user) for a in top if isinstance(a, dict)) + "</div>")
    return "".join(out)


def record_page(sim, record, user, *, status: int, card, message: str = "") -> str:
    props = record.properties
    title = (f"{props.get('firstname', '')} {props.get('lastname', '')}".strip() or props.get("email", "")) \
        if record.kind == "contact" else props.get("subject", "")
    about = "".join(f'<div class="prop"><span class="label">{escape(k)}</span><br>{escape(str(v))}</div>' for k, v in props.items() if v)
    notes = "".join(
        f'<div class="note" data-note="{n.id}"><div class="label">Note · {escape(n.created_at)}</div>{_SCRIPT.sub("", n.body)}</div>'
        for n in sorted(sim.notes(record), key=lambda n: n.id, reverse=True)
    ) or "<p>No activity yet.</p>"
    flash = f'<div class="flash">{escape(message)}</div>' if message else ""
    who = escape(user["email"]) if user else "nobody"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | HubSpot (simulated)</title>
<style>{_STYLE}</style></head><body>
<div class="top"><span>●</span> HubSpot simulator · portal {sim.portal_id} · signed in as {who}</div>{flash}
<div class="cols">
<div><div class="box"><h2>{escape(title)}</h2><div class="label">{escape(record.kind)} {record.id}</div>{about}</div></div>
<div><div class="box" id="activity"><h3>Activity</h3>{notes}</div></div>
<div><div class="box" id="chargeside-card"><h3>Chargeside</h3>{_card(status, card, record, user)}</div></div>
</div>
<dialog id="hs-modal"><button type="button" id="hs-close">Close</button><iframe id="hs-frame" title="Chargeside"></iframe></dialog>
<script>{_SCRIPT_JS}</script></body></html>"""
