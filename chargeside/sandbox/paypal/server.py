"""A small HTTP/1.1 server on 127.0.0.1 (stdlib): bytes in, `Api.handle` answers, bytes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from chargeside.sandbox.loopback import QuietHandler
from chargeside.sandbox.loopback import make_server as loopback_server

LOOPBACK = "127.0.0.1"


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering


class _Handler(QuietHandler):
    def do_GET(self):
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        response = self.server.api.handle(self.command, parts.path, query, self.headers, self.read_body())
        if response.drop:
            self.hang_up()
            return
        self.answer(response.status, response.body, response.headers)

    do_POST = do_PATCH = do_DELETE = do_PUT = do_GET


def make_server(api, host: str = LOOPBACK, port: int = 0):
    if host not in (LOOPBACK, "localhost"):
        raise ValueError("the PayPal fake listens on 127.0.0.1 only")
    return loopback_server(_Handler, host, port, what="the PayPal fake", api=api)
