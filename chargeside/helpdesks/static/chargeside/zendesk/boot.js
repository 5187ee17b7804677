/* Zendesk sidebar, step 2 (chargeside/helpdesks/zendesk/adapter.py): ask the ZAF SDK which ticket is open and
   who is looking, then post it back with the boot token; the answer (the billing panel) replaces this page. */
(function () {
  "use strict";
  var form = document.getElementById("cs-zaf-boot");
  var status = document.getElementById("cs-zaf-status");
  function failed() { status.textContent = status.getAttribute("data-failed"); }
  if (!form || !window.ZAFClient) { failed(); return; }
  var client = window.ZAFClient.init();
  if (!client) { failed(); return; }
  client.invoke("resize", { width: "100%", height: "640px" });
  client.get(["ticket.id", "currentUser.locale", "currentUser.email"]).then(function (data) {
    var ticket = data && data["ticket.id"];
    if (!ticket) { failed(); return; }
    form.elements.ticket.value = String(ticket);
    form.elements.locale.value = String(data["currentUser.locale"] || "");
    form.elements.agent_email.value = String(data["currentUser.email"] || "");
    form.submit();
  }, failed);
})();
