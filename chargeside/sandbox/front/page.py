"""The simulator's conversation page in Front's layout: a dark left rail, the inboxes, the conversation
(messages, then comments on yellow as Front shows internal comments) in the middle, and the plugin's iframe
in a right sidebar about 340 px wide, where Front puts sidebar plugins."""

from __future__ import annotations

import json
from html import escape

# Plays the parent side of @frontapp/plugin-sdk's bridge (see simulator.py) and refreshes the comments.
HOST_JS = r"""
(function () {
  "use strict";
  var HANDSHAKE = "@frontapp/ui-sdk#WebViewBridge.handshake";
  var context = JSON.parse(document.getElementById("front-context").textContent);
  var frame = document.getElementById("plugin-frame");
  window.addEventListener("message", function (event) {
    if (event.data !== HANDSHAKE || !frame || event.source !== frame.contentWindow || !event.ports || !event.ports[0]) { return; }
    var port = event.ports[0];
    port.onmessage = function (message) {
      var data = message.data || {};
      if (data.type === "function_call") {
        port.postMessage({type: "function_error", id: data.id, error: "Not available in the simulator: " + data.name});
      }
    };
    port.postMessage({type: "context_update", context: context});
  });
  var list = document.getElementById("comments");
  var seen = -1;
  function refresh() {
    fetch("/_sim/comments/" + encodeURIComponent(context.conversation.id)).then(function (r) { return r.json(); }).then(function (comments) {
      if (comments.length === seen) { return; }
      seen = comments.length;
      list.textContent = "";
      comments.forEach(function (comment) {
        var item = document.createElement("div");
        item.className = "comment";
        var who = document.createElement("div");
        who.className = "who";
        who.textContent = "Comment (internal) · " + comment.id;
        var body = document.createElement("div");
        body.className = "body";
        body.textContent = comment.body;
        item.appendChild(who);
        item.appendChild(body);
        list.appendChild(item);
      });
    }, function () {});
  }
  refresh();
  window.setInterval(refresh, 1000);
})();
"""

_CSS = """
body{margin:0;font:13px/1.45 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#001b38;background:#fff}
.app{display:flex;height:100vh}
.rail{width:56px;background:#001b38;color:#fff;display:flex;flex-direction:column;align-items:center;padding-top:12px;gap:14px}
.rail b{font-size:18px}.rail span{width:28px;height:28px;border-radius:6px;background:#26405e;display:block}
.inboxes{width:210px;background:#f4f5f7;border-right:1px solid #e1e4e8;padding:12px 0}
.inboxes div{padding:6px 16px}.inboxes .on{background:#e5e9f0;font-weight:600}
.conversation{flex:1;display:flex;flex-direction:column;min-width:0}
.head{padding:14px 20px;border-bottom:1px solid #e1e4e8}.head h1{font-size:17px;margin:0}
.head .meta{color:#5e6b7a}
.thread{flex:1;overflow:auto;padding:16px 20px}
.message{border:1px solid #e1e4e8;border-radius:8px;padding:10px 12px;margin-bottom:12px}
.message .who{font-weight:600;margin-bottom:4px}
.comment{background:#fff8d6;border:1px solid #f2e08a;border-radius:8px;padding:10px 12px;margin-bottom:12px}
.comment .who{font-weight:600;color:#6b5900;margin-bottom:4px}.comment .body{white-space:pre-wrap}
.sidebar{width:340px;border-left:1px solid #e1e4e8;display:flex;flex-direction:column;background:#fafbfc}
.sidebar .title{padding:10px 12px;font-weight:600;border-bottom:1px solid #e1e4e8}
.sidebar iframe{flex:1;width:100%;border:0;background:#fff}
.sidebar .none{padding:12px;color:#5e6b7a}
"""


def _context_json(context: dict) -> str:
    # Inside <script type="application/json">: no "</" may close the element early.
    return json.dumps(context).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def conversation_page(*, conversation, teammate: dict | None, plugin_src: str, context: dict, comments: list[dict]) -> str:
    messages = "".join(
        f'<div class="message"><div class="who">{escape(m["from"])}</div><div>{escape(m["body"])}</div></div>'
        for m in conversation.messages
    )
    recipient = conversation.recipient
    sidebar = (f'<iframe id="plugin-frame" title="Chargeside" src="{escape(plugin_src)}"></iframe>' if plugin_src
               else '<div class="none">No plugin URL is configured.</div>')
    teammate_line = escape(f'{teammate["name"]} ({teammate["email"]})') if teammate else "nobody"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(conversation.subject or conversation.id)} · Front (simulator)</title>
<style>{_CSS}</style></head>
<body><div class="app">
<nav class="rail"><b>F</b><span></span><span></span></nav>
<aside class="inboxes"><div class="on">Support</div><div>Billing</div><div>Assigned to me</div>
<div style="margin-top:16px;color:#5e6b7a">Signed in as {teammate_line}</div></aside>
<main class="conversation">
<div class="head"><h1>{escape(conversation.subject or "(no subject)")}</h1>
<div class="meta">{escape(recipient.get("name") or "")} &lt;{escape(recipient.get("handle") or "")}&gt; · {escape(conversation.id)}</div></div>
<div class="thread">{messages}<div id="comments"></div></div>
</main>
<aside class="sidebar"><div class="title">Chargeside</div>{sidebar}</aside>
</div>
<script type="application/json" id="front-context">{_context_json(context)}</script>
<script src="/_sim/host.js"></script>
</body></html>"""
