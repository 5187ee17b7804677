"""Stdlib HTTP/1.1 server for the fake (keep-alive, one thread per connection), loopback only.

Keep-alive matters: the SDK holds one `http.client` connection per client and reuses it for every request."""

from __future__ import annotations

from chargeside.sandbox.loopback import QuietHandler
from chargeside.sandbox.loopback import make_server as loopback_server


class _Handler(QuietHandler):
    server_version = "recurly-fake/1"

    def do_GET(self):
        response = self.server.api.handle(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, self.read_body())
        if response.drop:
            self.hang_up()  # the SDK raises NetworkError
            return
        self.answer(response.status, response.body, response.headers)

    do_POST = do_PUT = do_DELETE = do_HEAD = do_GET


def make_server(api, host: str, port: int):
    return loopback_server(_Handler, host, port, what="the Recurly fake", api=api)
