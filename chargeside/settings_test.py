"""Settings for the test suite: the production settings module plus what only tests want."""

import os

os.environ.setdefault("CHARGESIDE_TESTING", "1")

from chargeside.settings import *  # noqa: E402,F403

# Hashing passwords slowly is a production virtue and a test-suite cost.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# SQLite tests use a file (in WAL mode, as production does) rather than Django's in-memory default: threads of
# an in-memory shared-cache database fail at once with "database table is locked" instead of waiting, so the
# concurrency tests (50 identical clicks → one refund) could not run on SQLite. One file per process, so
# parallel runs and xdist workers never share it; pytest-django deletes it at the end of the session.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import tempfile

    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"chargeside-test-{os.getpid()}.sqlite3")}  # noqa: F405
