"""Stdlib HTTP/1.1 server for the fake (keep-alive, one thread per connection), loopback only."""

from __future__ import annotations

import gzip
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK = ("127.0.0.1", "localhost")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each keep-alive answer waits ~40 ms for the client's delayed ACK
    server_version = "braintree-fake/1"
    sys_version = ""

    def do_GET(self):
        self._serve()

    def do_POST(self):
        self._serve()

    def do_PUT(self):
        self._serve()

    def do_DELETE(self):
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        response = self.server.api.handle(self.command, self.path, headers, body)
        if response.drop:  # "unreachable": hang up without answering; clients see a connection error
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        payload = response.body
        # The SDK asks for gzip (Accept-Encoding: gzip) and the real gateway compresses; requests inflates it.
        compress = bool(payload) and "gzip" in headers.get("accept-encoding", "")
        if compress:
            payload = gzip.compress(payload)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(api, host: str, port: int) -> ThreadingHTTPServer:
    if host not in LOOPBACK:
        raise ValueError(f"the Braintree fake only binds to loopback, not {host!r}")
    server = _Server(("127.0.0.1", port), _Handler)
    server.api = api
    return server
