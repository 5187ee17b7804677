"""What every fake gateway and desk simulator in `sandbox/` shares: a threaded stdlib HTTP/1.1 server that binds
to loopback only.

Each fake keeps its own request handling (paths, auth, error shapes); this module is the plumbing under it:
binding (127.0.0.1 or ::1, never another interface), keep-alive without Nagle stalls, reading the body,
answering in one write, hanging up to play "unreachable", and serving on a daemon thread.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class QuietHandler(BaseHTTPRequestHandler):
    """A keep-alive handler that logs nothing (tests read what the fakes record instead)."""

    protocol_version = "HTTP/1.1"
    sys_version = ""
    # Without it each keep-alive answer waits ~40 ms for the client's delayed ACK (measured with the SDKs).
    disable_nagle_algorithm = True

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def hang_up(self) -> None:
        """Close the connection without answering: clients see a connection error ("unreachable")."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        # Headers and body in one write: no small-packet stall on keep-alive connections.
        self._headers_buffer.append(b"\r\n" + (body if self.command != "HEAD" else b""))
        self.flush_headers()

    def log_message(self, format, *args):
        pass


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def get_request(self):
        sock, address = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # whatever the handler class says (see QuietHandler)
        return sock, address


class _LoopbackServer6(LoopbackServer):
    address_family = socket.AF_INET6


def make_server(handler: type[BaseHTTPRequestHandler], host: str, port: int, *, what: str, **attributes) -> LoopbackServer:
    """A server for `handler` on `host` (a loopback address only) and `port` (0: any free one); `attributes` are set
    on the server for the handler to read (`self.server.api`)."""
    if host not in LOOPBACK_HOSTS:
        raise ValueError(f"{what} only binds to loopback, not {host!r}")
    host = "127.0.0.1" if host == "localhost" else host
    server = (_LoopbackServer6 if ":" in host else LoopbackServer)((host, port), handler)
    for name, value in attributes.items():
        setattr(server, name, value)
    return server


def base_url(server: LoopbackServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}"


class ServerThread:
    """Serve one server on a daemon thread until `stop()`."""

    def __init__(self, server: LoopbackServer, name: str):
        self.server = server
        self.base_url = base_url(server)
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


class SimulatorHandler(BaseHTTPRequestHandler):
    """The base of a desk simulator's handler: quiet (tests read the simulator's state), the simulator as `sim`,
    and `_send` for an answer with an optional body."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    @property
    def sim(self):
        return self.server.simulator

    def _send(self, status: int, body: bytes = b"", content_type: str = "application/json", headers: dict | None = None) -> None:
        self.send_response(status)
        if body:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class LoopbackApp:
    """A desk simulator (or anything else) served over loopback HTTP by one handler class, which reads the app
    as `self.server.simulator`: `start(port)` serves it on a daemon thread, `stop()` ends it."""

    base_url: str = ""
    thread_name: str = "sandbox-http"
    _serving: ServerThread | None = None

    def http_handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def start(self, port: int = 0) -> str:
        server = make_server(self.http_handler(), "127.0.0.1", port, what=type(self).__name__, simulator=self)
        self._serving = ServerThread(server, self.thread_name)
        self.base_url = self._serving.base_url
        return self.base_url

    def serve_forever(self, port: int) -> None:
        self.start(port)
        self.wait()

    def wait(self) -> None:
        """Block until the server stops (a foreground `python -m chargeside.sandbox.<desk>`)."""
        if self._serving is not None:
            self._serving.join()

    def stop(self) -> None:
        if self._serving is not None:
            self._serving.stop()
            self._serving = None
