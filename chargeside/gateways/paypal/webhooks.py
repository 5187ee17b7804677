"""PayPal webhook verification (before any parsing) and the transmission-time window.

Headers: PAYPAL-TRANSMISSION-ID, PAYPAL-TRANSMISSION-TIME (ISO 8601), PAYPAL-TRANSMISSION-SIG (base64),
PAYPAL-CERT-URL, PAYPAL-AUTH-ALGO (SHA256withRSA). Two ways, chosen by the connection's `webhook_verification`:

* "offline" (default): signed string "{transmission id}|{transmission time}|{webhook id}|{crc32 of the raw body,
  unsigned decimal}", RSA PKCS#1 v1.5 / SHA-256, public key from the X.509 certificate at PAYPAL-CERT-URL. The
  certificate URL's host must be on the connection's allow-list (PayPal's own hosts by default), and https unless
  it is loopback (the local fake); certificates are cached per URL for the process. Where this string comes from:
  public implementations, not PayPal's spec (shared/protocols/README.md, uncertainty 1).
* "api": POST /v1/notifications/verify-webhook-signature (PayPal's documented verifier), which needs the body
  parsed as JSON first: the only case where parsing precedes verification.

PayPal documents no replay window; we enforce one on PAYPAL-TRANSMISSION-TIME (`tolerance` seconds either way,
CHARGESIDE_WEBHOOK_TOLERANCE_SECONDS, 300 by default) so a captured delivery cannot be replayed later.
Retried deliveries carry a fresh transmission id/time/signature, so a real retry is never refused.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import urllib.request
import zlib
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from chargeside.core.signing import SignatureError, check_timestamp
from chargeside.gateways.errors import Unavailable

AUTH_ALGO = "SHA256withRSA"
PAYPAL_CERT_HOSTS = ("api.paypal.com", "api-m.paypal.com", "api.sandbox.paypal.com", "api-m.sandbox.paypal.com")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_CERT_BYTES = 64 * 1024
HEADERS = ("paypal-transmission-id", "paypal-transmission-time", "paypal-transmission-sig", "paypal-cert-url", "paypal-auth-algo")

_certs: dict[str, rsa.RSAPublicKey] = {}
_certs_lock = threading.Lock()


def signed_string(transmission_id: str, transmission_time: str, webhook_id: str, body: bytes) -> bytes:
    return f"{transmission_id}|{transmission_time}|{webhook_id}|{zlib.crc32(body) & 0xFFFFFFFF}".encode()


def transmission(headers: Mapping[str, str]) -> dict[str, str]:
    """The five PAYPAL-* headers by lower-case name (also from a WSGI environ / request.META)."""
    found = {}
    for name, value in headers.items():
        key = name.lower().replace("_", "-")
        key = key[5:] if key.startswith("http-") else key
        if key in HEADERS:
            found[key] = str(value).strip()
    missing = [h.upper() for h in HEADERS if not found.get(h)]
    if missing:
        raise SignatureError(f"missing {', '.join(missing)} header{'s' if len(missing) > 1 else ''}")
    if found["paypal-auth-algo"] != AUTH_ALGO:
        raise SignatureError(f"unsupported PAYPAL-AUTH-ALGO {found['paypal-auth-algo'][:40]!r}")
    return found


def check_time(transmission_time: str, *, tolerance: int, now: float | None) -> None:
    try:
        moment = dt.datetime.fromisoformat(transmission_time.replace("Z", "+00:00"))
    except ValueError:
        raise SignatureError("PAYPAL-TRANSMISSION-TIME is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise SignatureError("PAYPAL-TRANSMISSION-TIME has no time zone")
    check_timestamp(moment.timestamp(), tolerance=tolerance, now=now)


def check_cert_url(url: str, allowed_hosts: tuple[str, ...]) -> None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host not in {h.lower() for h in allowed_hosts}:
        raise SignatureError(f"PAYPAL-CERT-URL host {host or '(none)'!r} is not an allowed PayPal certificate host")
    if parts.scheme != "https" and not (parts.scheme == "http" and host in LOOPBACK_HOSTS):
        raise SignatureError("PAYPAL-CERT-URL must be https")


def download(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (scheme and host checked above)
            data = response.read(MAX_CERT_BYTES + 1)
    except Exception as exc:  # our side or PayPal's: the delivery is kept and PayPal retries
        raise Unavailable(f"Could not download PayPal's signing certificate ({type(exc).__name__}).", code="cert_unavailable") from exc
    if len(data) > MAX_CERT_BYTES:
        raise SignatureError("the certificate at PAYPAL-CERT-URL is too large")
    return data


def public_key(url: str, fetch: Callable[[str], bytes] = download, now: dt.datetime | None = None) -> rsa.RSAPublicKey:
    with _certs_lock:
        cached = _certs.get(url)
    if cached is not None:
        return cached
    try:
        cert = x509.load_pem_x509_certificate(fetch(url))
    except ValueError:
        raise SignatureError("the certificate at PAYPAL-CERT-URL is not a PEM X.509 certificate") from None
    moment = now or dt.datetime.now(dt.UTC)
    if not cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc:
        raise SignatureError("the certificate at PAYPAL-CERT-URL is not valid now")
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureError("the certificate at PAYPAL-CERT-URL has no RSA key")
    with _certs_lock:
        if len(_certs) > 100:
            _certs.clear()
        _certs[url] = key
    return key


def verify_offline(headers: Mapping[str, str], body: bytes, *, webhook_id: str, allowed_hosts: tuple[str, ...], tolerance: int,
                   now: float | None = None, fetch: Callable[[str], bytes] = download) -> None:
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError("verify needs the raw body bytes")
    if not webhook_id:
        raise SignatureError("no PayPal webhook id is configured for this connection")
    sent = transmission(headers)
    check_cert_url(sent["paypal-cert-url"], allowed_hosts)
    try:
        signature = base64.b64decode(sent["paypal-transmission-sig"], validate=True)
    except ValueError:
        raise SignatureError("PAYPAL-TRANSMISSION-SIG is not base64") from None
    key = public_key(sent["paypal-cert-url"], fetch)
    message = signed_string(sent["paypal-transmission-id"], sent["paypal-transmission-time"], webhook_id, bytes(body))
    try:
        key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SignatureError("the signature does not match (wrong webhook id, or the body was changed)") from None
    check_time(sent["paypal-transmission-time"], tolerance=tolerance, now=now)


def verify_by_api(headers: Mapping[str, str], body: bytes, *, webhook_id: str, tolerance: int, ask: Callable[[dict], dict],
                  now: float | None = None) -> None:
    """`ask` posts the verification request (the adapter's client) and returns PayPal's answer."""
    if not webhook_id:
        raise SignatureError("no PayPal webhook id is configured for this connection")
    sent = transmission(headers)
    check_time(sent["paypal-transmission-time"], tolerance=tolerance, now=now)
    try:
        event = json.loads(bytes(body))
    except (UnicodeDecodeError, ValueError):
        raise SignatureError("the body is not JSON, so PayPal cannot verify it") from None
    answer = ask({"auth_algo": sent["paypal-auth-algo"], "cert_url": sent["paypal-cert-url"],
                  "transmission_id": sent["paypal-transmission-id"], "transmission_sig": sent["paypal-transmission-sig"],
                  "transmission_time": sent["paypal-transmission-time"], "webhook_id": webhook_id, "webhook_event": event})
    if answer.get("verification_status") != "SUCCESS":
        raise SignatureError("PayPal's verify-webhook-signature answered FAILURE")
