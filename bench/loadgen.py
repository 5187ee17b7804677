"""Closed-loop HTTP load against 127.0.0.1 only, bounded in time (and optionally in count); stops by itself.

Two engines with the same result shape:
- `wrk` (Debian's package): one C thread, `connections` keep-alive connections, each path picked at random
  from a file per request by a small Lua script; it costs the 2-core machine far less CPU than Python.
- `python`: threads with keep-alive `http.client` connections. Used when wrk is missing and by the smoke
  test; on 2 cores it steals noticeably more CPU from the server, so its figures are lower.
Latency is measured per request from send to full response on a busy connection (closed loop).
"""

from __future__ import annotations

import http.client
import json
import random
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

_LUA = r"""
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
math.randomseed(tonumber(os.getenv("BENCH_SEED")))
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCHJSON {\"requests\": %d, \"duration_us\": %d, \"errors\": %d, \"non_2xx\": %d, " ..
    "\"p50_us\": %d, \"p90_us\": %d, \"p99_us\": %d, \"max_us\": %d, \"mean_us\": %.1f}\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


@dataclass
class LoadResult:
    engine: str
    connections: int
    seconds: float
    requests: int
    errors: int
    non_2xx: int
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    busy_before_pct: float | None = None  # CPU used by other processes just before (see common.wait_for_quiet)
    server_cpu: dict | None = None  # CPU ms per request of the server side (see bench.cpu)

    def as_dict(self) -> dict:
        return asdict(self)


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def run(base_url: str, paths: list[str], *, seconds: float, connections: int, engine: str = "auto",
        max_requests: int | None = None, seed: int = 1) -> LoadResult:
    host = urlsplit(base_url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError("load is only ever sent to this machine's loopback address")
    if engine == "auto":
        engine = "wrk" if have_wrk() and max_requests is None else "python"
    if engine == "wrk":
        return _wrk(base_url, paths, seconds=seconds, connections=connections, seed=seed)
    return _python(base_url, paths, seconds=seconds, connections=connections, max_requests=max_requests, seed=seed)


def _wrk(base_url: str, paths: list[str], *, seconds: float, connections: int, seed: int) -> LoadResult:
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        paths_file, script = Path(tmp, "paths.txt"), Path(tmp, "random_paths.lua")
        paths_file.write_text("\n".join(paths) + "\n")
        script.write_text(_LUA)
        command = ["wrk", "-t1", f"-c{connections}", f"-d{max(int(seconds), 1)}s", "--timeout", "10s", "-s", str(script), base_url]
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60,
                             env={"BENCH_PATHS": str(paths_file), "BENCH_SEED": str(seed), "PATH": "/usr/bin:/bin"})
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {out.stdout[-500:]} {out.stderr[-500:]}")
    r = json.loads(line[len("BENCHJSON "):])
    duration = r["duration_us"] / 1e6
    return LoadResult(
        engine="wrk", connections=connections, seconds=round(duration, 2), requests=r["requests"], errors=r["errors"],
        non_2xx=r["non_2xx"], requests_per_s=round(r["requests"] / duration, 1), p50_ms=r["p50_us"] / 1000,
        p90_ms=r["p90_us"] / 1000, p99_ms=r["p99_us"] / 1000, max_ms=r["max_us"] / 1000, mean_ms=round(r["mean_us"] / 1000, 3),
    )


def _python(base_url: str, paths: list[str], *, seconds: float, connections: int, max_requests: int | None,
            seed: int) -> LoadResult:
    parts = urlsplit(base_url)
    deadline = time.monotonic() + seconds
    budget = [max_requests if max_requests is not None else 10**12]
    lock = threading.Lock()
    latencies: list[float] = []
    counters = {"errors": 0, "non_2xx": 0}

    def take() -> bool:
        with lock:
            if budget[0] <= 0:
                return False
            budget[0] -= 1
            return True

    def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine: list[float] = []
        errors = non_2xx = 0
        while time.monotonic() < deadline and take():
            started = time.perf_counter()
            try:
                conn.request("GET", rng.choice(paths))
                response = conn.getresponse()
                response.read()
                if not 200 <= response.status < 300:
                    non_2xx += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            counters["errors"] += errors
            counters["non_2xx"] += non_2xx

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    elapsed = time.monotonic() - started
    latencies.sort()
    return LoadResult(
        engine="python", connections=connections, seconds=round(elapsed, 2), requests=len(latencies),
        errors=counters["errors"], non_2xx=counters["non_2xx"], requests_per_s=round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        p50_ms=_pct(latencies, 50), p90_ms=_pct(latencies, 90), p99_ms=_pct(latencies, 99),
        max_ms=round(latencies[-1] * 1000, 3) if latencies else 0.0,
        mean_ms=round(sum(latencies) / len(latencies) * 1000, 3) if latencies else 0.0,
    )


def _pct(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, int(round(pct / 100 * len(sorted_values) + 0.5)) - 1))
    return round(sorted_values[index] * 1000, 3)


# --- a fixed sequence of POSTs (webhook deliveries) -------------------------------------------------------

_LUA_POSTS = r"""
local items = {}
for line in io.lines(os.getenv("BENCH_ITEMS")) do
  local tab = line:find("\t", 1, true)
  items[#items + 1] = {line:sub(1, tab - 1), line:sub(tab + 1)}
end
local path = os.getenv("BENCH_PATH")
local i = 0
exhausted = 0
request = function()
  i = i + 1
  if i > #items then
    exhausted = 1
    wrk.thread:stop()
    i = #items
  end
  local item = items[i]
  return wrk.format("POST", path, {["Content-Type"] = "application/json", ["Stripe-Signature"] = item[1]}, item[2])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCHJSON {\"requests\": %d, \"duration_us\": %d, \"errors\": %d, \"non_2xx\": %d, " ..
    "\"p50_us\": %d, \"p90_us\": %d, \"p99_us\": %d, \"max_us\": %d, \"mean_us\": %.1f}\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


def post_sequence(base_url: str, path: str, items: list[tuple[str, bytes]], *, seconds: float, connections: int,
                  engine: str = "auto", max_requests: int | None = None) -> LoadResult:
    """POST `items` (Stripe-Signature value, body) in order, each once, for at most `seconds`.

    Stops early when the list runs out: size the list above rate x seconds (the caller checks `requests`
    against `len(items)`; wrk's duration is the full `seconds` even when it stopped early).
    """
    host = urlsplit(base_url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError("load is only ever sent to this machine's loopback address")
    if engine == "auto":
        engine = "wrk" if have_wrk() and max_requests is None else "python"
    if engine == "wrk":
        with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
            items_file, script = Path(tmp, "items.txt"), Path(tmp, "posts.lua")
            with items_file.open("wb") as out:
                for signature, body in items:
                    out.write(signature.encode() + b"\t" + body + b"\n")
            script.write_text(_LUA_POSTS)
            command = ["wrk", "-t1", f"-c{connections}", f"-d{max(int(seconds), 1)}s", "--timeout", "10s", "-s", str(script), base_url]
            out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120,
                                 env={"BENCH_ITEMS": str(items_file), "BENCH_PATH": path, "PATH": "/usr/bin:/bin"})
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
        if line is None:
            raise RuntimeError(f"wrk printed no result: {out.stdout[-500:]} {out.stderr[-500:]}")
        r = json.loads(line[len("BENCHJSON "):])
        duration = r["duration_us"] / 1e6
        return LoadResult(
            engine="wrk", connections=connections, seconds=round(duration, 2), requests=r["requests"], errors=r["errors"],
            non_2xx=r["non_2xx"], requests_per_s=round(r["requests"] / duration, 1), p50_ms=r["p50_us"] / 1000,
            p90_ms=r["p90_us"] / 1000, p99_ms=r["p99_us"] / 1000, max_ms=r["max_us"] / 1000, mean_ms=round(r["mean_us"] / 1000, 3),
        )
    return _python_posts(base_url, path, items, seconds=seconds, connections=connections, max_requests=max_requests)


def _python_posts(base_url, path, items, *, seconds, connections, max_requests) -> LoadResult:
    parts = urlsplit(base_url)
    deadline = time.monotonic() + seconds
    limit = min(len(items), max_requests if max_requests is not None else len(items))
    lock = threading.Lock()
    position = [0]
    latencies: list[float] = []
    counters = {"errors": 0, "non_2xx": 0}

    def next_item():
        with lock:
            if position[0] >= limit:
                return None
            position[0] += 1
            return items[position[0] - 1]

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine, errors, non_2xx = [], 0, 0
        while time.monotonic() < deadline and (item := next_item()) is not None:
            signature, body = item
            started = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers={"Content-Type": "application/json", "Stripe-Signature": signature})
                response = conn.getresponse()
                response.read()
                if not 200 <= response.status < 300:
                    non_2xx += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            counters["errors"] += errors
            counters["non_2xx"] += non_2xx

    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    elapsed = time.monotonic() - started
    latencies.sort()
    return LoadResult(
        engine="python", connections=connections, seconds=round(elapsed, 2), requests=len(latencies) + counters["errors"],
        errors=counters["errors"], non_2xx=counters["non_2xx"], requests_per_s=round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        p50_ms=_pct(latencies, 50), p90_ms=_pct(latencies, 90), p99_ms=_pct(latencies, 99),
        max_ms=round(latencies[-1] * 1000, 3) if latencies else 0.0,
        mean_ms=round(sum(latencies) / len(latencies) * 1000, 3) if latencies else 0.0,
    )


# --- a fixed sequence of POSTs with their own headers (every provider's webhook deliveries) ---------------

_LUA_DELIVERIES = r"""
-- Records: "<header count>\n", "<name>\t<value>\n" per header, "<body length>\n", the body, "\n".
local items = {}
local f = assert(io.open(os.getenv("BENCH_ITEMS"), "rb"))
while true do
  local count = f:read("*l")
  if not count then break end
  local headers = {}
  for _ = 1, tonumber(count) do
    local line = f:read("*l")
    local tab = line:find("\t", 1, true)
    headers[line:sub(1, tab - 1)] = line:sub(tab + 1)
  end
  local body = f:read(tonumber(f:read("*l")))
  f:read(1)
  items[#items + 1] = {headers, body}
end
f:close()
local path = os.getenv("BENCH_PATH")
local i = 0
request = function()
  i = i + 1
  if i > #items then
    wrk.thread:stop()
    i = #items
  end
  local headers = {}
  for name, value in pairs(items[i][1]) do headers[name] = value end
  return wrk.format("POST", path, headers, items[i][2])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCHJSON {\"requests\": %d, \"duration_us\": %d, \"errors\": %d, \"non_2xx\": %d, " ..
    "\"p50_us\": %d, \"p90_us\": %d, \"p99_us\": %d, \"max_us\": %d, \"mean_us\": %.1f}\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""

_HOP_BY_HOP = {"content-length", "host", "connection"}  # the load generator sets these itself


def post_deliveries(base_url: str, path: str, items: list[tuple[dict, bytes]], *, seconds: float, connections: int,
                    engine: str = "auto", max_requests: int | None = None) -> LoadResult:
    """POST `items` (headers, body) in order, each once, for at most `seconds`; as `post_sequence`, but each
    delivery carries its own headers (PayPal's transmission headers, X-WC-Webhook-*, recurly-signature, …)."""
    host = urlsplit(base_url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError("load is only ever sent to this machine's loopback address")
    items = [({k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP}, body) for headers, body in items]
    if engine == "auto":
        engine = "wrk" if have_wrk() and max_requests is None else "python"
    if engine != "wrk":
        return _python_deliveries(base_url, path, items, seconds=seconds, connections=connections, max_requests=max_requests)
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        items_file, script = Path(tmp, "items.bin"), Path(tmp, "deliveries.lua")
        with items_file.open("wb") as out:
            for headers, body in items:
                out.write(f"{len(headers)}\n".encode())
                for name, value in headers.items():
                    out.write(f"{name}\t{value}\n".encode())
                out.write(f"{len(body)}\n".encode() + body + b"\n")
        script.write_text(_LUA_DELIVERIES)
        command = ["wrk", "-t1", f"-c{connections}", f"-d{max(int(seconds), 1)}s", "--timeout", "10s", "-s", str(script), base_url]
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120, check=False,
                             env={"BENCH_ITEMS": str(items_file), "BENCH_PATH": path, "PATH": "/usr/bin:/bin"})
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {out.stdout[-500:]} {out.stderr[-500:]}")
    r = json.loads(line[len("BENCHJSON "):])
    duration = r["duration_us"] / 1e6
    return LoadResult(
        engine="wrk", connections=connections, seconds=round(duration, 2), requests=r["requests"], errors=r["errors"],
        non_2xx=r["non_2xx"], requests_per_s=round(r["requests"] / duration, 1), p50_ms=r["p50_us"] / 1000,
        p90_ms=r["p90_us"] / 1000, p99_ms=r["p99_us"] / 1000, max_ms=r["max_us"] / 1000, mean_ms=round(r["mean_us"] / 1000, 3),
    )


def _python_deliveries(base_url, path, items, *, seconds, connections, max_requests) -> LoadResult:
    # The Stripe loop with each item's own headers: (signature, body) pairs become (headers, body).
    parts = urlsplit(base_url)
    deadline = time.monotonic() + seconds
    limit = min(len(items), max_requests if max_requests is not None else len(items))
    lock = threading.Lock()
    position = [0]
    latencies: list[float] = []
    counters = {"errors": 0, "non_2xx": 0}

    def next_item():
        with lock:
            if position[0] >= limit:
                return None
            position[0] += 1
            return items[position[0] - 1]

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine, errors, non_2xx = [], 0, 0
        while time.monotonic() < deadline and (item := next_item()) is not None:
            headers, body = item
            started = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if not 200 <= response.status < 300:
                    non_2xx += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            counters["errors"] += errors
            counters["non_2xx"] += non_2xx

    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    elapsed = time.monotonic() - started
    latencies.sort()
    return LoadResult(
        engine="python", connections=connections, seconds=round(elapsed, 2), requests=len(latencies) + counters["errors"],
        errors=counters["errors"], non_2xx=counters["non_2xx"], requests_per_s=round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        p50_ms=_pct(latencies, 50), p90_ms=_pct(latencies, 90), p99_ms=_pct(latencies, 99),
        max_ms=round(latencies[-1] * 1000, 3) if latencies else 0.0,
        mean_ms=round(sum(latencies) / len(latencies) * 1000, 3) if latencies else 0.0,
    )
