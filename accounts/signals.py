"""What goes to the audit log without anyone calling it: logins, lockouts,
password, address and second-factor changes (allauth's and Django's signals)."""

from __future__ import annotations

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit, security
from .audit import Action


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    security.start_session_clock(request.session)
    audit.record(Action.LOGIN, request=request, actor=user, subject=user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(Action.LOGOUT, request=request, actor=user, subject=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    identifier = security.login_identifier(request, credentials)
    subject = None
    if identifier:
        subject = get_user_model().objects.filter(email__iexact=identifier).first()
    audit.record(
        Action.LOGIN_FAILED,
        request=request,
        subject=subject,
        details={"login": identifier or ""},
    )


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs):
    subject = None
    if username:
        subject = get_user_model().objects.filter(email__iexact=username).first()
    audit.record(Action.LOCKOUT, request=request, subject=subject, details={"login": username})


@receiver(account_signals.password_changed)
@receiver(account_signals.password_set)
def on_password_changed(sender, request, user, **kwargs):
    audit.record(Action.PASSWORD_CHANGED, request=request, actor=user, subject=user)


@receiver(account_signals.password_reset)
def on_password_reset(sender, request, user, **kwargs):
    audit.record(Action.PASSWORD_RESET, request=request, actor=user, subject=user)


@receiver(account_signals.email_added)
def on_email_added(sender, request, user, email_address, **kwargs):
    audit.record(
        Action.EMAIL_CHANGE_REQUESTED,
        request=request,
        actor=user,
        subject=user,
        details={"to": email_address.email},
    )


@receiver(account_signals.email_changed)
def on_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    audit.record(
        Action.EMAIL_CHANGED,
        request=request,
        actor=user,
        subject=user,
        details={
            "from": from_email_address.email if from_email_address else "",
            "to": to_email_address.email,
        },
    )


def _authenticator_details(authenticator: Authenticator) -> dict:
    return {"type": authenticator.type}


@receiver(mfa_signals.authenticator_added)
def on_authenticator_added(sender, request, user, authenticator, **kwargs):
    audit.record(
        Action.MFA_ACTIVATED,
        request=request,
        actor=user,
        subject=user,
        details=_authenticator_details(authenticator),
    )
    # The person has just entered a valid code: this session has passed TOTP.
    if authenticator.type == Authenticator.Type.TOTP and request is not None:
        security.mark_session_mfa(request, authenticator)


@receiver(mfa_signals.authenticator_removed)
def on_authenticator_removed(sender, request, user, authenticator, **kwargs):
    audit.record(
        Action.MFA_DEACTIVATED,
        request=request,
        actor=user,
        subject=user,
        details=_authenticator_details(authenticator),
    )


@receiver(mfa_signals.authenticator_reset)
def on_authenticator_reset(sender, request, user, authenticator, **kwargs):
    audit.record(
        Action.MFA_RECOVERY_CODES,
        request=request,
        actor=user,
        subject=user,
        details=_authenticator_details(authenticator),
    )


@receiver(mfa_signals.authentication_failed)
def on_mfa_failed(sender, request, user, authenticator, **kwargs):
    audit.record(
        Action.MFA_FAILED,
        request=request,
        subject=user,
        details={
            **_authenticator_details(authenticator),
            "reauthentication": bool(kwargs.get("reauthentication")),
        },
    )
