"""Secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) with key rotation through MultiFernet.

CHARGESIDE_ENCRYPTION_KEY holds comma-separated keys, newest first. Encrypt uses the first; decrypt tries
all, so an operator rotates by prepending a new key, running `chargeside rotate-secrets` (re-encrypts
every stored secret with the newest key) and then dropping the old key.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretDecryptError(Exception):
    """Stored ciphertext that none of the configured keys opens (wrong or removed key)."""


def _development_key() -> bytes:
    digest = hashlib.sha256(("chargeside-encryption:" + settings.SECRET_KEY).encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"CHARGESIDE_ENCRYPTION_KEY is not a list of Fernet keys: {exc}") from None


def fernet() -> MultiFernet:
    keys = tuple(settings.CHARGESIDE_ENCRYPTION_KEYS) or (_development_key().decode(),)
    return _fernet(keys)


def generate_key() -> str:
    return Fernet.generate_key().decode()


def encrypt_json(value: dict) -> str:
    return fernet().encrypt(json.dumps(value, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict:
    if not token:
        return {}
    try:
        return json.loads(fernet().decrypt(token.encode()))
    except InvalidToken:
        raise SecretDecryptError("Stored secret cannot be decrypted with the configured keys.") from None


def rotate(token: str) -> str:
    """Re-encrypt with the newest key (MultiFernet.rotate keeps the original timestamp)."""
    return fernet().rotate(token.encode()).decode()
