"""Test helpers for signing in as a person who must pass a second factor.
Imported by tests only."""

from __future__ import annotations

import time

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.test import Client

# The TOTP secret the test session gives to the personas who need one
# (base32, as an authenticator app would store it). Tests only.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


def give_totp(user, secret: str = TEST_TOTP_SECRET) -> Authenticator:
    """Register a TOTP device and recovery codes for ``user``, as activating
    TOTP in allauth does (idempotent)."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    totp = existing or TOTP.activate(user, secret).instance
    RecoveryCodes.activate(user)
    return totp


def totp_code(secret: str = TEST_TOTP_SECRET, at: float | None = None) -> str:
    """The code an authenticator app shows now (or at ``at``)."""
    now = time.time() if at is None else at
    return format_hotp_value(hotp_value(secret, int(now) // mfa_settings.TOTP_PERIOD))


def mark_session_signed_in_with_mfa(client: Client, user) -> None:
    """Make a ``force_login`` session look like a sign-in with password and
    TOTP, recorded the way allauth records it."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "id": authenticator.pk, "type": authenticator.type},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def login_with_mfa(client: Client, user) -> Client:
    client.force_login(user)
    mark_session_signed_in_with_mfa(client, user)
    return client
