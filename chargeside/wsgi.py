"""WSGI entry point: Django's application, with webhook deliveries served by ingest's lean handler."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chargeside.settings")
django_application = get_wsgi_application()

from chargeside.ingest.wsgi import with_webhook_handler  # noqa: E402  (needs the apps loaded above)

application = with_webhook_handler(django_application)
