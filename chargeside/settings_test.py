"""Settings for the test suite: the production settings module plus what only tests want."""

import os

os.environ.setdefault("CHARGESIDE_TESTING", "1")

from chargeside.settings import *  # noqa: E402,F403

# Hashing passwords slowly is a production virtue and a test-suite cost.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
