"""WooCommerce REST authentication as `WC_REST_Authentication` performs it, for the fake.

- Over TLS (`is_ssl()`; the fake reads a TLS-terminating proxy's `X-Forwarded-Proto: https`): HTTP Basic
  `consumer_key:consumer_secret`, or both as `consumer_key`/`consumer_secret` query parameters.
- Otherwise one-legged OAuth 1.0a in the query string. The server rebuilds the string to sign from `$_GET`
  (PHP: last duplicate wins, `+` is a space), sorts by key (strcmp), encodes each key and value with
  `rawurlencode`, joins `key=value` and encodes that again, joined by `%26`:
  `METHOD&rawurlencode(home_url + path)&...`, HMAC-SHA1 or -SHA256 keyed `consumer_secret&`, base64.
  Timestamps must be within 15 minutes; a nonce may be used once.
Errors carry WooCommerce's codes and messages, all HTTP 401.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote

WINDOW = 15 * 60
OAUTH_PARAMS = ("oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method")


@dataclass(frozen=True)
class ApiKey:
    consumer_key: str
    consumer_secret: str
    permissions: str = "read_write"  # read, write, read_write
    user_id: int = 1


class AuthError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def rawurlencode(value: str) -> str:
    """PHP's rawurlencode (RFC 3986: only A-Z a-z 0-9 - _ . ~ stay)."""
    return quote(value, safe="~")


def string_to_sign(method: str, base_uri: str, params: dict[str, str]) -> str:
    pairs = [rawurlencode(f"{rawurlencode(k)}={rawurlencode(v)}") for k, v in sorted(params.items(), key=lambda kv: kv[0].encode())]
    return f"{method.upper()}&{rawurlencode(base_uri)}&{'%26'.join(pairs)}"


def sign(secret: str, text: str, method: str = "HMAC-SHA256") -> str:
    digest = hashlib.sha1 if method == "HMAC-SHA1" else hashlib.sha256
    return base64.b64encode(hmac.new(f"{secret}&".encode(), text.encode(), digest).digest()).decode()


class Authenticator:
    def __init__(self, keys: list[ApiKey]):
        self.keys = {key.consumer_key: key for key in keys}
        self._nonces: dict[str, dict[str, int]] = {}  # consumer key → nonce → timestamp
        self._lock = threading.Lock()

    def authenticate(self, *, method: str, path: str, query: dict[str, str], headers, home: str, ssl: bool) -> ApiKey | None:
        """The key that authenticated the request, None when it carried no credentials; AuthError otherwise."""
        if ssl:
            key = self._basic(query, headers)
            if key is not None:
                return key
        return self._oauth(method, path, query, home.replace("http://", "https://", 1) if ssl else home)

    def _basic(self, query, headers) -> ApiKey | None:
        ck, cs = query.get("consumer_key", ""), query.get("consumer_secret", "")
        if not (ck and cs):
            auth = headers.get("Authorization", "")
            if auth.startswith("Basic "):
                try:
                    ck, _, cs = base64.b64decode(auth[6:]).decode().partition(":")
                except (ValueError, UnicodeDecodeError):
                    ck = cs = ""
        if not (ck and cs) or ck not in self.keys:
            return None  # WooCommerce then tries OAuth
        key = self.keys[ck]
        if not hmac.compare_digest(key.consumer_secret, cs):
            raise AuthError("woocommerce_rest_authentication_error", "Consumer secret is invalid.")
        return key

    def _oauth(self, method, path, query, home) -> ApiKey | None:
        present = [name for name in OAUTH_PARAMS if query.get(name)]
        if not present:
            return None
        missing = [name for name in OAUTH_PARAMS if not query.get(name)]
        if missing:
            label = "Missing OAuth parameter %s" if len(missing) == 1 else "Missing OAuth parameters %s"
            raise AuthError("woocommerce_rest_authentication_missing_parameter", label % ", ".join(missing))
        key = self.keys.get(query["oauth_consumer_key"])
        if key is None:
            raise AuthError("woocommerce_rest_authentication_error", "Consumer key is invalid.")
        params = {k: v for k, v in query.items() if k != "oauth_signature"}
        if params["oauth_signature_method"] not in ("HMAC-SHA1", "HMAC-SHA256"):
            raise AuthError("woocommerce_rest_authentication_error", "Invalid signature - signature method is invalid.")
        expected = sign(key.consumer_secret, string_to_sign(method, home + path, params), params["oauth_signature_method"])
        given = query["oauth_signature"].replace(" ", "+")
        if not hmac.compare_digest(expected, given):
            raise AuthError("woocommerce_rest_authentication_error", "Invalid signature - provided signature does not match.")
        self._check_timestamp_and_nonce(key, query["oauth_timestamp"], query["oauth_nonce"])
        return key

    def _check_timestamp_and_nonce(self, key: ApiKey, timestamp: str, nonce: str) -> None:
        now = int(time.time())
        try:
            ts = int(timestamp)
        except ValueError:
            ts = 0
        if ts < now - WINDOW or ts > now + WINDOW:
            raise AuthError("woocommerce_rest_authentication_error", "Invalid timestamp.")
        with self._lock:
            used = self._nonces.setdefault(key.consumer_key, {})
            if nonce in used:
                raise AuthError("woocommerce_rest_authentication_error", "Invalid nonce - nonce has already been used.")
            used[nonce] = ts
            for old in [n for n, t in used.items() if t < now - WINDOW]:
                del used[old]


def permission_error(key: ApiKey, method: str) -> AuthError | None:
    if method in ("GET", "HEAD") and key.permissions not in ("read", "read_write"):
        return AuthError("woocommerce_rest_authentication_error", "The API key provided does not have read permissions.")
    if method in ("POST", "PUT", "PATCH", "DELETE") and key.permissions not in ("write", "read_write"):
        return AuthError("woocommerce_rest_authentication_error", "The API key provided does not have write permissions.")
    return None
