/*
 * The simulator's stand-in for Freshworks' app client ({{{appclient}}} in the app's index.html): the few
 * interfaces the Chargeside app uses, answered by the simulator's server, as the real client answers them
 * through the Freshworks frame messaging:
 *   app.initialized() → client; client.events.on("app.activated", fn) (fired once, as on opening a ticket);
 *   client.data.get(name) → {name: object};
 *   client.request.invokeTemplate(name, {body, context}) → {status, headers, response} (rejected when not 2xx),
 *     sent by the simulator's proxy, which adds the secure iparams server-side;
 *   client.instance.resize({height}).
 */
(function () {
  "use strict";
  var query = window.location.search;

  function post(path, payload) {
    return fetch(path + query, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload || {})
    }).then(function (r) { return r.json(); });
  }

  var client = {
    data: {
      get: function (name) {
        return fetch("/_sim/data/" + encodeURIComponent(name) + query).then(function (r) {
          return r.ok ? r.json() : Promise.reject({ status: r.status, message: "data method not available" });
        });
      }
    },
    request: {
      invokeTemplate: function (name, options) {
        options = options || {};
        return post("/_sim/invoke/" + encodeURIComponent(name), { body: options.body || "", context: options.context || {} })
          .then(function (result) { return result.status >= 200 && result.status < 300 ? result : Promise.reject(result); });
      }
    },
    events: {
      on: function (event, callback) {
        if (event === "app.activated") { setTimeout(callback, 0); }
      }
    },
    instance: {
      resize: function (size) {
        if (window.frameElement && size && size.height) { window.frameElement.style.height = String(size.height) + "px"; }
      }
    }
  };

  window.app = {
    initialized: function () { return Promise.resolve(client); }
  };
})();
