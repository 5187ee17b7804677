"""Language choice: the member's own preference, else the browser's Accept-Language (LocaleMiddleware).

Runs before LocaleMiddleware. LocaleMiddleware decides the language from the request (cookie, then
Accept-Language) and would overwrite anything activated here, so the member's choice is handed to it the
way it reads a user's explicit choice: as the language cookie, for this request only. The real cookie is
never set, so logging out (the session ends) falls back to the browser's language.
"""

from __future__ import annotations

from django.conf import settings

SESSION_LANGUAGE = "member_language"


class MemberLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        session = getattr(request, "session", None)
        language = session.get(SESSION_LANGUAGE) if session is not None else None
        if language in self.supported:
            request.COOKIES = {**request.COOKIES, settings.LANGUAGE_COOKIE_NAME: language}
        return self.get_response(request)
