"""Bench-only settings: production settings plus a URLconf that also mounts the bare baseline view.

A fixed development SECRET_KEY keeps the encrypted secrets of a seeded benchmark database readable across
runs (the encryption key is derived from it when CHARGESIDE_ENCRYPTION_KEY is unset). DEBUG stays off,
as in production, so Django does not keep every query in memory.
"""

import os

os.environ.setdefault("SECRET_KEY", "chargeside-bench-only-not-a-secret-" + "b" * 32)
os.environ.setdefault("LOG_LEVEL", "WARNING")

from chargeside.settings import *  # noqa: E402,F403

ROOT_URLCONF = "bench.bare_urls"
