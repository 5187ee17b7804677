"""The HTTP side of the fake: a threaded stdlib server on 127.0.0.1 that hands requests to Api.

Query strings are read the way PHP fills `$_GET` (a repeated name keeps its last value, `+` is a space):
the SDK over plain HTTP sends its parameters twice (once signed into the URL, once again by requests).
"""

from __future__ import annotations

import http.server
import json
import threading
from urllib.parse import parse_qsl, urlsplit

from .shapes import NAMESPACE, php_json


class Server:
    def __init__(self, fake, port: int = 0):
        self.fake = fake
        fake_ref = fake

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each keep-alive answer waits ~40 ms for the client's delayed ACK

            def _serve(self):
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query, keep_blank_values=True))
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fault = fake_ref.faults.take(self.command, parts.path[len(NAMESPACE):])
                if fault is not None:
                    if fault.drop:
                        self.close_connection = True
                        self.connection.close()
                        return
                    self._answer(fault.status, fault.body, dict(fault.headers))
                    return
                response = fake_ref.api.handle(self.command, parts.path, query, self.headers, body)
                fake_ref.requests.append((self.command, parts.path, query, response.status))
                payload = php_json(response.body) if not isinstance(response.body, bytes) else response.body
                headers = {"Content-Type": "application/json; charset=UTF-8", **response.headers}
                if response.status == 401:
                    headers["WWW-Authenticate"] = 'Basic realm="WooCommerce API. Use a consumer key in the username field and a consumer secret in the password field."' if self.headers.get("X-Forwarded-Proto") == "https" else headers.get("WWW-Authenticate", "")
                    if not headers["WWW-Authenticate"]:
                        del headers["WWW-Authenticate"]
                self._answer(response.status, payload, headers)

            def _answer(self, status: int, payload: bytes, headers: dict):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = _serve

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="woo-fake-http", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


__all__ = ["Server", "json"]
