"""Login safeguards: who is locked out, who must pass a second factor, and
the session records that say they did."""

from __future__ import annotations

import time
from datetime import timedelta

from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.utils import timezone

# Session keys of the session limits (accounts.middleware.SessionLimitsMiddleware).
SESSION_STARTED_AT = "portal_session_started_at"
SESSION_LAST_SEEN = "portal_session_last_seen"


def login_identifier(request, credentials: dict | None) -> str | None:
    """The address a login attempt was made for, as django-axes counts it.

    allauth authenticates with ``email=``; its form posts ``login``.
    """
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if value is None and request is not None:
        data = getattr(request, "POST", None) or {}
        value = data.get("login") or data.get("email")
    return value.strip().lower() if isinstance(value, str) else value


def is_demo_exempt(user) -> bool:
    """Demo accounts skip the second factor, and only when DEBUG is on."""
    domain = getattr(settings, "MFA_DEMO_EXEMPT_DOMAIN", None)
    return bool(settings.DEBUG and domain and user.email.lower().endswith("@" + domain))


def must_use_mfa(user) -> bool:
    return bool(user.is_authenticated and user.requires_mfa and not is_demo_exempt(user))


def totp_authenticator(user) -> Authenticator | None:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()


def totp_renewal_due(authenticator: Authenticator, now=None) -> bool:
    days = getattr(settings, "MFA_TOTP_RENEWAL_DAYS", 0)
    if not days:
        return False
    now = now or timezone.now()
    return authenticator.created_at <= now - timedelta(days=days)


def session_passed_mfa(request) -> bool:
    """Whether this session's sign-in went through a second factor."""
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


def mark_session_mfa(request, authenticator: Authenticator) -> None:
    """Record, the way allauth does, that this session passed the second factor."""
    record_authentication(
        request, request.user, "mfa", id=authenticator.pk, type=authenticator.type
    )


def start_session_clock(session) -> None:
    now = time.time()
    session[SESSION_STARTED_AT] = now
    session[SESSION_LAST_SEEN] = now


def lockout_response(request, original_response=None, credentials=None):
    """The page shown to a locked-out login (HTTP 429), in the portal's layout."""
    from django.shortcuts import render

    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "account/lockout.html", context, status=429)
