"""Session limits and the second factor that allauth does not impose by role."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from . import audit, security

# Written at most once a minute, so that the idle clock costs no query per request.
LAST_SEEN_RESOLUTION = 60


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def _with_next(url_name: str, request: HttpRequest) -> str:
    url = reverse(url_name)
    if request.method == "GET" and not getattr(request, "htmx", False):
        url += "?" + urlencode({"next": request.get_full_path()})
    return url


class SessionLimitsMiddleware:
    """A session ends after SESSION_IDLE_TIMEOUT without a request and after
    SESSION_MAX_AGE in all, whatever the activity."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            now = time.time()
            started = session.get(security.SESSION_STARTED_AT)
            last_seen = session.get(security.SESSION_LAST_SEEN)
            if started is None or last_seen is None:
                security.start_session_clock(session)
            else:
                idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT.total_seconds()
                too_old = now - started > settings.SESSION_MAX_AGE.total_seconds()
                if idle or too_old:
                    user = request.user
                    logout(request)
                    audit.record(
                        audit.Action.SESSION_EXPIRED,
                        request=request,
                        actor=user,
                        subject=user,
                        details={"reason": "idle" if idle else "max_age"},
                    )
                    messages.info(
                        request, _("Votre session a expiré. Reconnectez-vous pour continuer.")
                    )
                    return _redirect(request, _with_next("account_login", request))
                if now - last_seen >= LAST_SEEN_RESOLUTION:
                    session[security.SESSION_LAST_SEEN] = now
        return self.get_response(request)


# Pages a person who still owes a second factor may reach: the second factor's
# own pages, confirming the password, leaving, and the public pages.
MFA_OPEN_URL_NAMES = {
    "mfa_index",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_reauthenticate",
    "mfa_authenticate",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "account_reauthenticate",
    "account_logout",
    "set_language",
}


class MfaRequiredMiddleware:
    """Leads and admins reach no page before their session has passed TOTP
    (SC.SSI/IE.34): without a TOTP device they are sent to set one up, with
    one to enter a code, with one older than MFA_TOTP_RENEWAL_DAYS to renew
    it. allauth asks for TOTP at login once a device exists; this adds the
    obligation per role and the renewal."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not self._is_open(request):
            response = self._check(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _is_open(self, request: HttpRequest) -> bool:
        if request.path_info.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        if match.url_name in MFA_OPEN_URL_NAMES:
            return True
        # Public pages (legal notices, health) need no second factor either.
        return bool(getattr(match.func, "login_required", True) is False)

    def _check(self, request: HttpRequest, user) -> HttpResponse | None:
        authenticator = security.totp_authenticator(user)
        if authenticator is not None and security.totp_renewal_due(authenticator):
            messages.warning(
                request,
                _(
                    "Votre second facteur a plus de %(days)s jours : désactivez-le puis "
                    "enregistrez-en un nouveau pour continuer."
                )
                % {"days": settings.MFA_TOTP_RENEWAL_DAYS},
            )
            return _redirect(request, reverse("mfa_deactivate_totp"))
        if not security.must_use_mfa(user):
            return None
        if authenticator is None:
            messages.warning(
                request,
                _(
                    "Votre rôle exige un second facteur d'authentification : "
                    "enregistrez une application TOTP pour continuer."
                ),
            )
            return _redirect(request, _with_next("mfa_activate_totp", request))
        if not security.session_passed_mfa(request):
            return _redirect(request, _with_next("mfa_reauthenticate", request))
        return None
