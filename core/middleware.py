from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequired
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
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


# C0 control characters but tab, line feed and carriage return. No address
# of the portal holds one; PostgreSQL refuses NUL in any text (a search or a
# lookup would fail), and XML (feeds, XLSX) refuses the others.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _has_control_character(request: HttpRequest) -> bool:
    if CONTROL_CHARACTERS.search(request.path_info):
        return True
    return any(
        CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(v) for v in values)
        for key, values in request.GET.lists()
    )


class BadAddressMiddleware:
    """An address with a control character (``/sujets/%00/``, ``?q=%00``)
    is refused here, in one place, with a 400 page that says so, before any
    view reads it. Forms refuse them in what they post (Django's CharField
    refuses NUL; the others are kept as typed)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_control_character(request):
            context = {"reason": _("Caractère non valide dans l’adresse")}
            return render(request, "400.html", context, status=400)
        return self.get_response(request)


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
