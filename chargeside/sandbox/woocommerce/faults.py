"""Scripted failures, consumed in order by matching requests: what a WordPress host does when it struggles.

WooCommerce core has no API rate limit, but hosts, WAFs and CDNs in front of stores answer 429 (with
Retry-After) or 503 HTML pages, and PHP fatals or timeouts give 500/502/504 HTML. `drop` closes the
connection without an answer (the client sees a connection error).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

HTML_503 = b"<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>"
HTML_500 = b"<!DOCTYPE html><html><head><title>WordPress &rsaquo; Error</title></head><body><p>There has been a critical error on this website.</p></body></html>"


@dataclass
class Fault:
    method: str  # "*" for any
    path_prefix: str  # matched against the path after /wp-json/wc/v3
    status: int = 503
    body: bytes = HTML_503
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/html; charset=UTF-8"),)
    drop: bool = False
    times: int = 1


class Faults:
    def __init__(self):
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def outage(self, path_prefix: str = "", *, method: str = "*", times: int = 1, status: int = 503) -> None:
        self.add(Fault(method, path_prefix, status=status, body=HTML_500 if status == 500 else HTML_503, times=times))

    def rate_limit(self, path_prefix: str = "", *, method: str = "*", times: int = 1, retry_after: int = 30) -> None:
        self.add(Fault(method, path_prefix, status=429, body=b"<html><body><h1>429 Too Many Requests</h1></body></html>",
                       headers=(("Content-Type", "text/html"), ("Retry-After", str(retry_after))), times=times))

    def drop(self, path_prefix: str = "", *, method: str = "*", times: int = 1) -> None:
        self.add(Fault(method, path_prefix, drop=True, times=times))

    def take(self, method: str, rest: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.method in ("*", method) and rest.startswith(fault.path_prefix):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
