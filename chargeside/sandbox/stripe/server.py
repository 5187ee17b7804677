"""The fake Stripe over HTTP: `sandbox/loopback.py` serves it on loopback; `wsgi_app` for in-process use."""

from __future__ import annotations

import time
from http import HTTPStatus

from chargeside.sandbox.loopback import QuietHandler
from chargeside.sandbox.loopback import make_server as loopback_server


class _Handler(QuietHandler):
    server_version = "stripe-fake/1"

    def handle(self):
        try:
            super().handle()  # every request on this keep-alive connection
        finally:
            self.server.api.fake.store.release()  # one thread per connection: do not leak its SQLite handle

    def do_GET(self):
        self._serve()

    do_POST = do_DELETE = do_GET

    def _serve(self) -> None:
        body = self.read_body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        response = self.server.api.handle(self.command, self.path, headers, body)
        if response.delay:
            time.sleep(response.delay)
        if response.drop:
            self.hang_up()
            return
        content_type = response.headers.pop("Content-Type", "application/json")
        self.answer(response.status, response.body,
                    {"Content-Type": content_type, "Cache-Control": "no-cache, no-store", **response.headers})


def make_server(api, host: str, port: int):
    return loopback_server(_Handler, host, port, what="the Stripe fake", api=api)


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
