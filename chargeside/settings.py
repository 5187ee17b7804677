"""The one settings module. Everything an operator changes comes from environment variables.

Variables (all optional on a laptop; see README "Configuration"):
  DATABASE_URL               default sqlite:///<CHARGESIDE_HOME>/chargeside.sqlite3
  CHARGESIDE_HOME            folder for the SQLite file and local state (default ./var)
  SECRET_KEY                 Django's signing key (a development key is made up when DEBUG is on)
  CHARGESIDE_ENCRYPTION_KEY  comma-separated Fernet keys; the first encrypts, all decrypt (rotation)
  ALLOWED_HOSTS              comma-separated
  DEBUG                      "1" for development
  EMAIL_URL-ish settings     EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
                             DEFAULT_FROM_EMAIL
  CHARGESIDE_TASKS_BACKEND   "db" (default, embedded) or "rq" (Redis, for several machines)
  CHARGESIDE_REDIS_URL       used by the "rq" backend
  CHARGESIDE_PUBLIC_URL      the address helpdesks and gateways reach us at (links, webhook URLs)
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
CHARGESIDE_HOME = Path(os.environ.get("CHARGESIDE_HOME", Path.cwd() / "var")).resolve()

# A missing SECRET_KEY is only tolerated in development and tests; production must set one.
SECRET_KEY = os.environ.get("SECRET_KEY") or ("dev-insecure-" + "x" * 40 if DEBUG or os.environ.get("CHARGESIDE_TESTING") else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")

# Fernet keys, newest first. Development falls back to a key derived from SECRET_KEY so that the demo
# needs no setup; production sets CHARGESIDE_ENCRYPTION_KEY explicitly (see README "Secrets").
CHARGESIDE_ENCRYPTION_KEYS = env_list("CHARGESIDE_ENCRYPTION_KEY")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CHARGESIDE_PUBLIC_URL = os.environ.get("CHARGESIDE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs page's Swagger UI from our own static files, not a CDN
    "django_tasks_db",
    "chargeside.core",
    "chargeside.workspaces",
    "chargeside.connections",
    "chargeside.billing",
    "chargeside.gateways",
    "chargeside.ingest",
    "chargeside.actions",
    "chargeside.helpdesks",
    "chargeside.console",
    "chargeside.api",
    "chargeside.sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "chargeside.console.middleware.MemberLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "chargeside.urls"
WSGI_APPLICATION = "chargeside.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
    {
        # The panel's page templates only (helpdesks/jinja2/): see chargeside/helpdesks/jinja.py for why.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "chargeside.helpdesks.jinja.environment"},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{CHARGESIDE_HOME / 'chargeside.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL plus a busy timeout lets the web process and a worker share the file without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if os.environ.get("CHARGESIDE_TESTING") else DATABASES["default"]["CONN_MAX_AGE"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("tr", "Türkçe")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = CHARGESIDE_HOME / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"  # the panel overrides this with a per-workspace frame-ancestors policy

# Django 6.1's MAILERS (the EMAIL_* settings are deprecated there); the variable names stay familiar.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS"),
            "timeout": int(os.environ.get("EMAIL_TIMEOUT", "20")),
        },
    }
}
if not MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "billing@localhost")

# django.tasks: the database backend is the embedded default; "rq" moves the queue to Redis.
if os.environ.get("CHARGESIDE_TASKS_BACKEND", "db") == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": os.environ.get("CHARGESIDE_REDIS_URL", "redis://127.0.0.1:6379/0")}}
elif os.environ.get("CHARGESIDE_TASKS_BACKEND") == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "chargeside.core.redaction.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # The stripe SDK logs every request at INFO; our own logs say what matters.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "stripe": {"level": "WARNING"}},
}

# Failed console logins allowed per (username, address) inside the window before we refuse for a while.
CHARGESIDE_LOGIN_MAX_FAILURES = int(os.environ.get("CHARGESIDE_LOGIN_MAX_FAILURES", "5"))
CHARGESIDE_LOGIN_WINDOW_SECONDS = int(os.environ.get("CHARGESIDE_LOGIN_WINDOW_SECONDS", "900"))
# Webhook timestamps older or newer than this are rejected as replays.
CHARGESIDE_WEBHOOK_TOLERANCE_SECONDS = int(os.environ.get("CHARGESIDE_WEBHOOK_TOLERANCE_SECONDS", "300"))
# Finished webhook deliveries (processed, ignored, rejected) are deleted after this many days; the dedupe
# rows of the events they carried stay. Pending and failed ones stay until dealt with.
CHARGESIDE_DELIVERY_RETENTION_DAYS = int(os.environ.get("CHARGESIDE_DELIVERY_RETENTION_DAYS", "30"))
