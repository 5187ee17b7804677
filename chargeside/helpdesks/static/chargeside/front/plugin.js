/* Front plugin page: Front's plugin SDK (vendored, global `Front`) tells us which conversation the teammate
   looks at; for each single conversation we post the parts we use, with the page's grant, into the panel frame.
   Other contexts (none, several conversations) show the waiting line. No secret and no eval here. */
(function () {
  "use strict";
  var form = document.getElementById("cs-front-context");
  var frame = document.getElementById("cs-front-panel");
  var waiting = document.getElementById("cs-front-waiting");
  var shown = "";

  function pick(object, keys) {
    var out = {};
    if (!object) { return out; }
    keys.forEach(function (key) { if (object[key] !== undefined && object[key] !== null) { out[key] = object[key]; } });
    return out;
  }

  function contact(value) {
    var out = pick(value, ["id", "name"]);
    if (value && Array.isArray(value.handles)) {
      out.handles = value.handles.map(function (h) { return pick(h, ["handle", "source"]); });
    }
    return out;
  }

  function show(context) {
    if (!context || context.type !== "singleConversation" || !context.conversation) {
      shown = "";
      frame.hidden = true;
      waiting.hidden = false;
      return;
    }
    var conversation = context.conversation;
    var recipient = conversation.recipient ? pick(conversation.recipient, ["handle", "name", "type"]) : null;
    if (recipient && conversation.recipient.contact) { recipient.contact = contact(conversation.recipient.contact); }
    var data = {
      type: context.type,
      teammate: pick(context.teammate, ["id", "email", "username", "name"]),
      conversation: {id: conversation.id, subject: conversation.subject || "", recipient: recipient}
    };
    var key = JSON.stringify(data);
    if (key === shown) { return; }  // an unrelated change (a tag, the assignee): keep the panel as it is
    shown = key;
    form.elements.context.value = key;
    waiting.hidden = true;
    frame.hidden = false;
    form.submit();
  }

  if (window.Front && window.Front.contextUpdates) {
    window.Front.contextUpdates.subscribe(show);
  }
})();
