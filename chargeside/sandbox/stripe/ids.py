"""Stripe-looking object ids: a prefix plus a random base62 suffix."""

from __future__ import annotations

import os
import random
import string

ALPHABET = string.digits + string.ascii_letters

# Suffix lengths as the live API prints them (cus_ 14 chars, ch_/pi_ 24 chars, …).
_LENGTHS = {"cus": 14, "prod": 14, "si": 14, "req": 14, "txi": 24, "whsec": 32}


def _suffix(n: int) -> str:
    return "".join(ALPHABET[b % 62] for b in os.urandom(n))


def new_id(prefix: str) -> str:
    n = _LENGTHS.get(prefix, 24)
    if prefix == "cs":
        return "cs_test_a1" + _suffix(56)
    return f"{prefix}_{_suffix(n)}"


def client_secret(object_id: str) -> str:
    return f"{object_id}_secret_{_suffix(25)}"


# byte → base62 character, for turning random bytes into an id suffix in one C call.
_TABLE = bytes(ord(ALPHABET[b % 62]) for b in range(256))


class SeededIds:
    """Deterministic ids for seeding (same rng seed → same ids), fast enough for millions."""

    def __init__(self, rng: random.Random):
        self._rng = rng

    def __call__(self, prefix: str) -> str:
        n = _LENGTHS.get(prefix, 24)
        if prefix == "cs":
            return "cs_test_a1" + self._rng.randbytes(56).translate(_TABLE).decode()
        return prefix + "_" + self._rng.randbytes(n).translate(_TABLE).decode()
