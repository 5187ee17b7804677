"""Stdlib HTTP/1.1 server for the fake (keep-alive, one thread per connection), loopback only."""

from __future__ import annotations

import gzip

from chargeside.sandbox.loopback import QuietHandler
from chargeside.sandbox.loopback import make_server as loopback_server


class _Handler(QuietHandler):
    server_version = "braintree-fake/1"

    def do_GET(self):
        headers = {k.lower(): v for k, v in self.headers.items()}
        response = self.server.api.handle(self.command, self.path, headers, self.read_body())
        if response.drop:  # "unreachable": hang up without answering; clients see a connection error
            self.hang_up()
            return
        payload, extra = response.body, dict(response.headers)
        # The SDK asks for gzip (Accept-Encoding: gzip) and the real gateway compresses; requests inflates it.
        if payload and "gzip" in headers.get("accept-encoding", ""):
            payload, extra["Content-Encoding"] = gzip.compress(payload), "gzip"
        self.answer(response.status, payload, extra)

    do_POST = do_PUT = do_DELETE = do_GET


def make_server(api, host: str, port: int):
    return loopback_server(_Handler, host, port, what="the Braintree fake", api=api)
