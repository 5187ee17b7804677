"""Verification of the JWT Zendesk posts on the first load of a ZAF app with `"signedUrls": true` (RS256 only).

PyJWT is not installed in this project, so this uses the `cryptography` package directly; the rules are the
ones a careful PyJWT call would apply (`algorithms=["RS256"]`, `audience=`, `issuer=`, required exp/iat):

- the header's `alg` must be exactly "RS256": "none", "HS256" (the classic attack signs HMAC with the public key
  PEM as secret), RS384/PS256/ES256... are all refused before any key is used;
- the signature is RSASSA-PKCS1-v1_5 with SHA-256 over `base64url(header) "." base64url(claims)`, the bytes as sent;
- `iss` must equal "{subdomain}.zendesk.com" and `aud` the installation's URL (a string, or a list holding it);
- `exp` must be in the future and `iat` not in the future (LEEWAY seconds for clock skew each way); `nbf`, when
  sent, must have passed; a token claiming to live longer than MAX_LIFETIME is refused.
Every failure is a SignatureError whose reason is for the log, never for the response.
"""

from __future__ import annotations

import base64
import binascii
import json
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from chargeside.core.signing import SignatureError

LEEWAY = 60  # seconds of clock skew tolerated between Zendesk and us
MAX_LIFETIME = 3600  # a ZAF token lives minutes; one claiming more than an hour was not minted by Zendesk for a page load
MAX_TOKEN_LENGTH = 16_384


def _b64url(part: str) -> bytes:
    if not part or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in part):
        raise SignatureError("token part is not base64url")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise SignatureError("token part is not base64url") from None


def _json_object(raw: bytes, what: str) -> dict:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SignatureError(f"token {what} is not JSON") from None
    if not isinstance(value, dict):
        raise SignatureError(f"token {what} is not a JSON object")
    return value


def load_public_key(pem: str) -> rsa.RSAPublicKey:
    """The app's public key as Zendesk shows it (PEM). Raises ValueError for anything but an RSA public key."""
    key = serialization.load_pem_public_key((pem or "").strip().encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the app's public key is not an RSA key")  # noqa: TRY004 (callers catch ValueError for any bad key)
    return key


def _number(claims: dict, name: str) -> int | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SignatureError(f"claim {name} is not a number")
    return int(value)


def verify(token: str, *, public_key: rsa.RSAPublicKey, issuer: str, audience: str, now: float | None = None) -> dict:
    """The claims of a valid token; SignatureError otherwise."""
    token = (token or "").strip()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise SignatureError("no token or an oversized one")
    parts = token.split(".")
    if len(parts) != 3:
        raise SignatureError("token is not header.claims.signature")
    header = _json_object(_b64url(parts[0]), "header")
    if header.get("alg") != "RS256":  # pinned: never let the token choose the algorithm
        raise SignatureError(f"token algorithm {str(header.get('alg'))[:16]!r} is not RS256")
    if header.get("crit"):
        raise SignatureError("token has critical header parameters we do not understand")
    signature = _b64url(parts[2])
    try:
        public_key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SignatureError("token signature does not match the app's public key") from None
    claims = _json_object(_b64url(parts[1]), "claims")
    if claims.get("iss") != issuer:
        raise SignatureError("token issuer is not this Zendesk account")
    aud = claims.get("aud")
    if not (aud == audience or (isinstance(aud, list) and audience in aud)):
        raise SignatureError("token audience is not this installation")
    now = time.time() if now is None else now
    exp, iat, nbf = _number(claims, "exp"), _number(claims, "iat"), _number(claims, "nbf")
    if exp is None or iat is None:
        raise SignatureError("token lacks exp or iat")
    if exp <= now - LEEWAY:
        raise SignatureError("token expired")
    if iat > now + LEEWAY or (nbf is not None and nbf > now + LEEWAY):
        raise SignatureError("token is not valid yet")
    if exp - iat > MAX_LIFETIME:
        raise SignatureError("token lives longer than a ZAF page load")
    return claims
