"""What the simulator signs and serves in Zendesk's place: the ZAF JWT and a stand-in ZAF SDK.

The JWT is built here with `cryptography` alone (not Chargeside's verifier): header {"alg":"RS256","typ":"JWT"},
claims as the protocols file and Zendesk's tutorial describe them, RSASSA-PKCS1-v1_5/SHA-256 over the
base64url parts.

The SDK stand-in offers the part of ZAFClient the app uses — `ZAFClient.init()`, `client.get(paths)` → a
Promise of {path: value}, `client.invoke("resize", ...)` — over postMessage to the ticket page, which answers
from the ticket it shows. Zendesk's real SDK speaks its own postMessage protocol; the app only relies on the
documented client API, which is what this keeps.
"""

from __future__ import annotations

import base64
import json
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def sign_jwt(key: rsa.RSAPrivateKey, claims: dict, header: dict | None = None) -> str:
    head = b64url(json.dumps(header or {"typ": "JWT", "alg": "RS256"}, separators=(",", ":")).encode())
    body = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{b64url(signature)}"


def zaf_claims(*, subdomain: str, installation_id: int, user_id: int | None, now: float | None = None, ttl: int = 300) -> dict:
    now = int(time.time() if now is None else now)
    claims = {
        "iss": f"{subdomain}.zendesk.com",
        "aud": f"https://{subdomain}.zendesk.com/api/v2/apps/installations/{installation_id}.json",
        "iat": now, "nbf": now, "exp": now + ttl,
        "context": {"product": "support", "location": "ticket_sidebar"},
    }
    if user_id is not None:
        claims["sub"] = str(user_id)
    return claims


SDK_JS = r"""/* Chargeside's Zendesk simulator: a stand-in for the ZAF SDK (ZAFClient.init/get/invoke over postMessage). */
(function () {
  "use strict";
  var pending = {}, seq = 0;
  window.addEventListener("message", function (event) {
    var data = event.data || {};
    if (event.source !== window.parent || data.zafSim !== "answer" || !pending[data.id]) return;
    pending[data.id](data.result); delete pending[data.id];
  });
  function ask(kind, payload) {
    return new Promise(function (resolve) {
      var id = ++seq; pending[id] = resolve;
      window.parent.postMessage({ zafSim: kind, id: id, payload: payload }, "*");
    });
  }
  window.ZAFClient = { init: function () {
    return {
      get: function (paths) { return ask("get", [].concat(paths)); },
      invoke: function (name, args) { return ask("invoke", { name: name, args: args }); }
    };
  } };
})();
"""

PAGE_JS = r"""/* Chargeside's Zendesk simulator: the agent page's side of the app frame. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("zaf-data").textContent);
  var frame = document.getElementById("zaf-app");
  window.addEventListener("message", function (event) {
    var msg = event.data || {};
    if (event.source !== frame.contentWindow || !msg.zafSim) return;
    var result = {};
    if (msg.zafSim === "get") { msg.payload.forEach(function (path) { result[path] = data[path]; }); }
    if (msg.zafSim === "invoke" && msg.payload.name === "resize" && msg.payload.args && msg.payload.args.height) {
      frame.style.height = msg.payload.args.height;
    }
    event.source.postMessage({ zafSim: "answer", id: msg.id, result: result }, "*");
  });
  var form = document.getElementById("zaf-signed-load");
  if (form) form.submit();
})();
"""
