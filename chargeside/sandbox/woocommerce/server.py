"""The HTTP side of the fake: a threaded stdlib server on 127.0.0.1 that hands requests to Api.

Query strings are read the way PHP fills `$_GET` (a repeated name keeps its last value, `+` is a space):
the SDK over plain HTTP sends its parameters twice (once signed into the URL, once again by requests).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

from chargeside.sandbox.loopback import QuietHandler, ServerThread
from chargeside.sandbox.loopback import make_server as loopback_server

from .shapes import NAMESPACE, php_json

_BASIC_REALM = 'Basic realm="WooCommerce API. Use a consumer key in the username field and a consumer secret in the password field."'


class _Handler(QuietHandler):
    def do_GET(self):
        fake = self.server.fake
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        body = self.read_body()
        fault = fake.faults.take(self.command, parts.path[len(NAMESPACE):])
        if fault is not None:
            if fault.drop:
                self.hang_up()
            else:
                self.answer(fault.status, fault.body, dict(fault.headers))
            return
        response = fake.api.handle(self.command, parts.path, query, self.headers, body)
        fake.requests.append((self.command, parts.path, query, response.status))
        payload = php_json(response.body) if not isinstance(response.body, bytes) else response.body
        headers = {"Content-Type": "application/json; charset=UTF-8", **response.headers}
        if response.status == 401:
            # WordPress challenges for Basic auth only behind TLS (where Basic is accepted).
            headers.pop("WWW-Authenticate", None)
            if self.headers.get("X-Forwarded-Proto") == "https":
                headers["WWW-Authenticate"] = _BASIC_REALM
            elif response.headers.get("WWW-Authenticate"):
                headers["WWW-Authenticate"] = response.headers["WWW-Authenticate"]
        self.answer(response.status, payload, headers)

    do_POST = do_PUT = do_DELETE = do_OPTIONS = do_GET


class Server:
    """Bound at construction (the port is known before `start`), served on a daemon thread from `start`."""

    def __init__(self, fake, port: int = 0):
        self.fake = fake
        self.httpd = loopback_server(_Handler, "127.0.0.1", port, what="the WooCommerce fake", fake=fake)
        self.port = self.httpd.server_address[1]
        self._serving: ServerThread | None = None

    def start(self) -> None:
        self._serving = ServerThread(self.httpd, "woo-fake-http")

    def stop(self) -> None:
        if self._serving is not None:
            self._serving.stop()
            self._serving = None
        else:
            self.httpd.server_close()


__all__ = ["Server", "json"]
