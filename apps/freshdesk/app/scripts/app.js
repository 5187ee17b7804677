/*
 * Chargeside in the Freshdesk ticket sidebar.
 *
 * When the app is activated on a ticket it reads the ticket, the requester and the agent through the FDK data
 * methods and asks Chargeside, through the `chargesidePanel` request template (config/requests.json), for a
 * panel URL. Freshworks' proxy sends that request from its servers and adds the installation's secret (a
 * secure iparam) as a header, so the secret never reaches this page. Chargeside answers
 * {"panel_url": ..., "expires_in": 900} (or {"error": ...}); the URL is a signed, 15-minute link that opens the
 * billing panel bound to this ticket, shown in the frame below. Actions taken there leave a private note on
 * the ticket.
 */
(function () {
  "use strict";

  var statusLine = document.getElementById("chargeside-status");
  var frame = document.getElementById("chargeside-panel");

  function show(message, isError) {
    statusLine.textContent = message;
    statusLine.className = isError ? "status error" : "status";
    statusLine.hidden = false;
  }

  function pick(object, keys) {
    var out = {};
    (keys || []).forEach(function (key) {
      if (object && object[key] !== undefined && object[key] !== null) { out[key] = object[key]; }
    });
    return out;
  }

  function get(client, name) {
    // A data method that is not available here (e.g. no contact on a ticket being created) is left out.
    return client.data.get(name).then(function (data) { return data[name]; }, function () { return null; });
  }

  function load(client) {
    show("Loading billing…", false);
    return Promise.all([get(client, "ticket"), get(client, "contact"), get(client, "loggedInUser"), get(client, "domainName")])
      .then(function (found) {
        var user = found[2] || {};
        var body = {
          ticket: pick(found[0], ["id", "subject", "requester_id"]),
          contact: pick(found[1], ["id", "name", "email", "other_emails"]),
          loggedInUser: { id: user.id, contact: pick(user.contact, ["name", "email", "language"]) },
          domainName: found[3] || ""
        };
        return client.request.invokeTemplate("chargesidePanel", { body: JSON.stringify(body) });
      })
      .then(function (answer) {
        var data = JSON.parse(answer.response || "{}");
        if (!data.panel_url) { throw { response: answer.response }; }
        frame.src = data.panel_url;
        frame.hidden = false;
        statusLine.hidden = true;
      })
      .catch(function (failure) {
        var message = "Chargeside could not be reached.";
        try { message = JSON.parse(failure.response).error || message; } catch (ignored) { /* not our JSON */ }
        show(message, true);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    app.initialized().then(function (client) {
      client.events.on("app.activated", function () { load(client); });
    });
  });
})();
