/* Chargeside panel behaviour, loaded from our own origin (the CSP allows no inline script).
   - "Cancel"/"Close" empties the action slot it sits in.
   - Typing an amount selects "Partial".
   - Choosing an entry of the "Actions" menu closes the menu; a click elsewhere closes it too.
   - "Copy" copies the link next to it (the card update page) and the link's text selects itself on focus.
   - Any submit button disables itself on submit (htmx also disables them while a request is in flight),
     so a double click cannot send twice; the server's derived idempotency key is the real guarantee. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-close-slot]");
    if (close) {
      var slot = close.closest(".slot");
      if (slot) { slot.innerHTML = ""; }
    }
    var entry = event.target.closest("[data-menu-close]");
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (entry || !menu.contains(event.target)) { menu.open = false; }
    });
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var field = copy.parentNode.querySelector(".copy-field");
      if (field) {
        field.focus();
        field.select();
        var copied = function () { if (copy.dataset.done) { copy.textContent = copy.dataset.done; } };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(copied, function () { document.execCommand("copy"); copied(); });
        } else {
          document.execCommand("copy");
          copied();
        }
      }
    }
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("[data-select-on-focus]")) { event.target.select(); }
  });
  document.addEventListener("input", function (event) {
    if (event.target.matches("[data-partial-amount]")) {
      var form = event.target.form;
      var partial = form && form.querySelector('input[name="mode"][value="partial"]');
      if (partial) { partial.checked = true; }
    }
  });
  document.addEventListener("submit", function (event) {
    var buttons = event.target.querySelectorAll('button[type="submit"]');
    window.setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
  }, true);
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form");
    if (form) { form.querySelectorAll('button[type="submit"]').forEach(function (b) { b.disabled = false; }); }
  });
})();
