"""Login safeguards: who is locked out, who must pass a second factor, and
the session records that say they did."""

from __future__ import annotations

import ipaddress
import math
import time
from datetime import timedelta

from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

# Session keys of the session limits (accounts.middleware.SessionLimitsMiddleware).
SESSION_STARTED_AT = "portal_session_started_at"
SESSION_LAST_SEEN = "portal_session_last_seen"


def client_ip(request) -> str | None:
    """The client's address, for the lockout, the rate limits and the audit log.

    Behind ``TRUSTED_PROXY_COUNT`` proxies, the address the outermost of them
    appended to ``X-Forwarded-For`` (what the client wrote there itself comes
    before it and is ignored); otherwise, or when the header is missing, the
    TCP peer.
    """
    if request is None:
        return None
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if count else ""
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if addresses:
        candidate = addresses[-min(count, len(addresses))]
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR") or None


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


def login_wait(request, credentials: dict) -> int:
    """Seconds before a password attempt on this account is heard (0: now).

    Failures lock an account only for the address they came from (django-axes,
    per account and address): strangers elsewhere cannot lock a person out.
    Failures from many addresses slow the account down instead: past
    ``LOGIN_SLOWDOWN_AFTER`` failures within the lockout window, whatever their
    addresses, each attempt waits twice as long after the last failure as the
    one before (1 s, 2 s, 4 s… up to ``LOGIN_SLOWDOWN_MAX_DELAY``). Never
    slowed: an account with a second factor (its password alone signs nobody
    in, and its codes are limited per account by allauth), and an address the
    account has signed in from before (the audit log says which).
    """
    from .models import AuditEvent, User

    identifier = login_identifier(request, credentials)
    if not identifier:
        return 0
    now = timezone.now()
    failures = AccessAttempt.objects.filter(
        username=identifier, attempt_time__gte=now - settings.AXES_COOLOFF_TIME
    ).aggregate(count=Sum("failures_since_start"), last=Max("attempt_time"))
    excess = (failures["count"] or 0) - settings.LOGIN_SLOWDOWN_AFTER
    if excess < 0:
        return 0
    user = User.objects.filter(email__iexact=identifier).first()
    if user is not None:
        if totp_authenticator(user) is not None:
            return 0
        address = client_ip(request)
        if (
            address
            and AuditEvent.objects.filter(
                action=AuditEvent.Action.LOGIN, subject=user, ip_address=address
            ).exists()
        ):
            return 0
    delay = min(timedelta(seconds=2**excess), settings.LOGIN_SLOWDOWN_MAX_DELAY)
    wait = (failures["last"] + delay - now).total_seconds()
    return math.ceil(wait) if wait > 0 else 0


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
