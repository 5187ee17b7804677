"""Stdlib HTTP/1.1 server (keep-alive, one thread per connection), loopback only."""

from __future__ import annotations

import socket
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "stripe-fake/1"
    sys_version = ""
    disable_nagle_algorithm = True

    def handle(self):
        try:
            super().handle()  # every request on this keep-alive connection
        finally:
            self.server.api.fake.store.release()  # one thread per connection: do not leak its SQLite handle

    def do_GET(self):
        self._serve()

    def do_POST(self):
        self._serve()

    def do_DELETE(self):
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        response = self.server.api.handle(self.command, self.path, headers, body)
        if response.delay:
            time.sleep(response.delay)
        if response.drop:
            # "Unreachable": hang up without an answer; clients see a connection error.
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(response.status)
        content_type = response.headers.pop("Content-Type", "application/json")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-cache, no-store")
        for name, value in response.headers.items():
            self.send_header(name, value)
        # Headers and body in one write: avoids Nagle/delayed-ACK stalls on keep-alive.
        self._headers_buffer.append(b"\r\n" + response.body)
        self.flush_headers()

    def log_message(self, format, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class _Server6(_Server):
    address_family = socket.AF_INET6


def make_server(api, host: str, port: int) -> ThreadingHTTPServer:
    if host not in LOOPBACK:
        raise ValueError(f"the Stripe fake only binds to loopback, not {host!r}")
    if host == "localhost":
        host = "127.0.0.1"
    cls = _Server6 if ":" in host else _Server
    server = cls((host, port), _Handler)
    server.api = api
    return server


def wsgi_app(api, environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    target = environ.get("PATH_INFO", "/")
    if environ.get("QUERY_STRING"):
        target += "?" + environ["QUERY_STRING"]
    response = api.handle(environ["REQUEST_METHOD"], target, headers, body)
    if response.drop:
        response.status, response.body = 502, b""
    content_type = response.headers.pop("Content-Type", "application/json")
    status = f"{response.status} {HTTPStatus(response.status).phrase}"
    start_response(status, [("Content-Type", content_type), *response.headers.items()])
    return [response.body]
