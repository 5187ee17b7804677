"""HubSpot request signature v3, as HubSpot signs the CRM card data fetch and the card's action hooks.

    X-HubSpot-Signature-v3       base64(HMAC-SHA256(app client secret, method + uri + raw body + timestamp))
    X-HubSpot-Request-Timestamp  Unix milliseconds; a request older than 5 minutes is refused

`uri` is the full URL HubSpot called (scheme, host, path, query) with only these escapes decoded:
%3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C %3B (HubSpot's docs; the official SDK's
`hubspot.utils.signature.Signature` takes the same formula and 300 s limit but leaves the decoding to its
caller). HubSpot does not say whether it ever sends lowercase escapes, so both cases are decoded: a
superset that cannot reject a request HubSpot signed.
"""

from __future__ import annotations

import re
import time

from chargeside.core.signing import SignatureError, any_matches, hmac_b64

MAX_AGE_SECONDS = 300
_DECODED = {"%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$", "%27": "'", "%28": "(",
            "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";"}
_ESCAPE = re.compile("|".join(_DECODED), re.IGNORECASE)


def signed_uri(url: str) -> str:
    return _ESCAPE.sub(lambda match: _DECODED[match.group(0).upper()], url)


def signature_v3(secret: str, *, method: str, url: str, body: bytes, timestamp: str) -> str:
    message = method.upper().encode() + signed_uri(url).encode() + body + timestamp.encode()
    return hmac_b64(secret, message)


def verify_v3(secret: str, *, method: str, urls: list[str], body: bytes, signature: str, timestamp: str,
              now: float | None = None) -> None:
    """Raise SignatureError unless `signature` signs one of `urls` (the URL as received and as the public
    URL names it: a proxy in front may change scheme or host) and `timestamp` is within 5 minutes."""
    if not secret:
        raise SignatureError("the connection has no app client secret")
    if not signature or not timestamp:
        raise SignatureError("no X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp header")
    if not timestamp.strip().isdigit():
        raise SignatureError("the timestamp is not a number of milliseconds")
    candidates = [signature_v3(secret, method=method, url=url, body=body, timestamp=timestamp.strip()) for url in urls]
    if not any_matches(signature.strip(), candidates):
        raise SignatureError("signature does not match")
    now = time.time() if now is None else now
    # Only the age is bounded: HubSpot's rule is "older than 5 minutes". A timestamp far in the future is a
    # clock gone wrong or a forged replay window, so it is refused too.
    if abs(now * 1000 - int(timestamp.strip())) > MAX_AGE_SECONDS * 1000:
        raise SignatureError(f"timestamp outside the {MAX_AGE_SECONDS}s window")
