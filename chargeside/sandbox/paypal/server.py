"""A small HTTP/1.1 server on 127.0.0.1 (stdlib): bytes in, `Api.handle` answers, bytes out."""

from __future__ import annotations

import http.server
import socketserver
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

LOOPBACK = "127.0.0.1"


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(api, host: str = LOOPBACK, port: int = 0) -> _Server:
    if host not in (LOOPBACK, "localhost"):
        raise ValueError("the PayPal fake listens on 127.0.0.1 only")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else each keep-alive answer waits ~40 ms for the client's delayed ACK

        def log_message(self, format, *args):  # quiet: tests read fake.exchanges instead
            pass

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            response = api.handle(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True), self.headers, body)
            if response.drop:
                self.close_connection = True
                self.connection.close()
                return
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle

    return _Server((host, port), Handler)
