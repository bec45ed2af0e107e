from __future__ import annotations

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequired
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect


def _supported(code: str | None) -> str | None:
    return code if code in dict(settings.LANGUAGES) else None


class LanguageMiddleware:
    """French first: the language a person chose (cookie, then profile), never
    the browser's Accept-Language, so that the portal opens in French."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        if language is None and request.user.is_authenticated:
            language = _supported(getattr(request.user, "language", None))
        language = language or settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # override, not activate: the thread goes back to its language after
        # the request (tests and workers reuse threads).
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class LoginRequiredMiddleware(BaseLoginRequired):
    """Django's login-required default, with an htmx request sent to the login
    page as a whole page instead of a login form swapped into a fragment."""

    def handle_no_permission(self, request, view_func):
        response = super().handle_no_permission(request, view_func)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(response["Location"])
        return response


class PrivateCacheControlMiddleware:
    """What a signed-in person is answered (pages, fragments, exports, their
    data) is theirs alone: ``Cache-Control: private, no-store`` — no shared
    cache keeps it, and the browser keeps no copy once they have signed out —
    unless the view said otherwise (the token-protected feeds). Anonymous
    answers (the login page, the legal pages, /healthz) and static files
    (served before this) are left as they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_store=True)
        return response
