"""Language choice: the member's own preference, else the browser's Accept-Language (LocaleMiddleware).

Runs before LocaleMiddleware and only sets the session's language when the logged-in member chose one.
"""

from __future__ import annotations

from django.utils import translation


class MemberLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.session.get("member_language") if hasattr(request, "session") else None
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
