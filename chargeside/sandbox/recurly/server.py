"""Stdlib HTTP/1.1 server for the fake (keep-alive, one thread per connection), loopback only.

Keep-alive matters: the SDK holds one `http.client` connection per client and reuses it for every request."""

from __future__ import annotations

import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "recurly-fake/1"
    sys_version = ""
    disable_nagle_algorithm = True

    def do_GET(self):
        self._serve()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_GET

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        response = self.server.api.handle(self.command, self.path, headers, body)
        if response.drop:
            # "Unreachable": hang up without an answer; the SDK raises NetworkError.
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(api, host: str, port: int) -> ThreadingHTTPServer:
    if host not in LOOPBACK:
        raise ValueError(f"the Recurly fake only binds to loopback, not {host!r}")
    if host == "localhost":
        host = "127.0.0.1"
    if ":" in host:
        class _Server6(_Server):
            address_family = socket.AF_INET6
        server = _Server6((host, port), _Handler)
    else:
        server = _Server((host, port), _Handler)
    server.api = api
    return server
