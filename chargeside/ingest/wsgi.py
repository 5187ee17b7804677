"""A lean WSGI handler for webhook deliveries, in front of Django's (wired in `chargeside/wsgi.py`).

Every request through Django's handler runs the whole middleware stack. For a gateway posting a delivery most
of it does nothing: the view is CSRF-exempt and reads no session, user, message or language, and the answer
is fixed English JSON. Yet running those layers cost about a third of the endpoint's CPU. `POST /hooks/<token>/`
is therefore served by `WebhookHandler`: Django's own `WSGIHandler` (the same request object, the
request_started/finished signals that manage database connections, uncaught exceptions turned into logged
500s, 4xx responses logged) with the middleware in `settings.MIDDLEWARE` minus those listed in
`SKIPPED_MIDDLEWARE`, and the same view, `views.webhook`, called without resolving the URL. Middleware not
listed there (security headers, ALLOWED_HOSTS checking in CommonMiddleware, X-Frame-Options, anything added
later) still runs. Any other request, including a GET to a webhook address, goes to Django's full handler.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.utils.module_loading import import_string

from .views import webhook

# The path Django's URLconf gives `views.webhook` (urls.py: "hooks/" + "<str:token>/").
WEBHOOK_PATH = re.compile(r"/hooks/([^/]+)/")
# Middleware with nothing to do for a webhook request, and why.
SKIPPED_MIDDLEWARE = frozenset({
    "whitenoise.middleware.WhiteNoiseMiddleware",  # serves /static/ only
    "django.contrib.sessions.middleware.SessionMiddleware",  # gateways send no session cookie; the view reads none
    "chargeside.console.middleware.MemberLanguageMiddleware",  # a member's language: no member here
    "django.middleware.locale.LocaleMiddleware",  # the answers are not translated
    "django.middleware.csrf.CsrfViewMiddleware",  # the view is csrf_exempt: authenticity is the signature
    "django.contrib.auth.middleware.AuthenticationMiddleware",  # no user
    "django.contrib.messages.middleware.MessageMiddleware",  # no messages
    "django_htmx.middleware.HtmxMiddleware",  # no htmx
})


class WebhookHandler(WSGIHandler):
    """Django's WSGI handler for `POST /hooks/<token>/` only, with the middleware that matters for it."""

    def load_middleware(self, is_async=False):
        # BaseHandler.load_middleware for a synchronous chain of a shorter list. The kept middleware only
        # wraps requests and responses (no process_view/exception/template_response hooks to register).
        self._view_middleware, self._template_response_middleware, self._exception_middleware = [], [], []
        handler = convert_exception_to_response(self._webhook_response)
        for path in reversed([path for path in settings.MIDDLEWARE if path not in SKIPPED_MIDDLEWARE]):
            try:
                middleware = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            if any(hasattr(middleware, hook) for hook in ("process_view", "process_exception", "process_template_response")):
                raise RuntimeError(f"{path} needs Django's full handler; add it to SKIPPED_MIDDLEWARE or serve /hooks/ through Django")
            handler = convert_exception_to_response(middleware)
        self._middleware_chain = handler

    def _webhook_response(self, request):
        return webhook(request, WEBHOOK_PATH.fullmatch(request.path_info).group(1))


def is_webhook_delivery(environ) -> bool:
    return environ.get("REQUEST_METHOD") == "POST" and WEBHOOK_PATH.fullmatch(environ.get("PATH_INFO", "")) is not None


def with_webhook_handler(django_application):
    """The WSGI application: webhook deliveries to WebhookHandler, everything else to `django_application`."""
    webhooks = WebhookHandler()

    def application(environ, start_response):
        if is_webhook_delivery(environ):
            return webhooks(environ, start_response)
        return django_application(environ, start_response)

    return application
