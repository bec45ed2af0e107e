"""Account and organisation changes: each one validated, written in one
transaction and logged in the audit log."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import access, audit
from .audit import Action
from .models import AuditEvent, Invitation, Organisation, TaskForceLead, User


def send_on_commit(template_prefix: str, email: str, context: dict) -> None:
    """Render an allauth-style e-mail now (in the request, for its site and
    language) and send it once the transaction commits."""
    from allauth.core import context as allauth_context
    from django.contrib.sites.shortcuts import get_current_site

    request = allauth_context.request
    message = get_adapter(request).render_mail(
        template_prefix,
        email,
        {"email": email, "current_site": get_current_site(request), **context},
    )
    transaction.on_commit(message.send)


# --- Organisations ---------------------------------------------------------------


def _names(queryset) -> list[str]:
    return sorted(str(item) for item in queryset)


@transaction.atomic
def save_organisation(form, *, by: User, request=None) -> Organisation:
    """Create or change an organisation, its federations and member editors."""
    creating = form.instance.pk is None
    before = {}
    if not creating:
        old = Organisation.objects.get(pk=form.instance.pk)
        before = {
            "name": old.name,
            "kind": old.kind,
            "federations": _names(old.federations.all()),
            "member_editors": _names(old.member_editors.all()),
        }
    organisation = form.save(commit=False)
    organisation.slug = slugify(organisation.name)
    organisation.save()
    form.save_m2m()
    if "member_editors" in form.fields:
        organisation.member_editors.set(form.cleaned_data.get("member_editors") or [])
    after = {
        "name": organisation.name,
        "kind": organisation.kind,
        "federations": _names(organisation.federations.all()),
        "member_editors": _names(organisation.member_editors.all()),
    }
    changes = {key: {"from": before.get(key), "to": value} for key, value in after.items()}
    if not creating:
        changes = {k: v for k, v in changes.items() if v["from"] != v["to"]}
    if creating or changes:
        audit.record(
            Action.ORGANISATION_CREATED if creating else Action.ORGANISATION_CHANGED,
            request=request,
            actor=by,
            target=organisation,
            organisation=organisation,
            details=changes,
        )
    return organisation


# --- Invitations -----------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("invitation_accept", kwargs={"token": token})


@transaction.atomic
def invite(form, *, by: User, request=None) -> tuple[Invitation, str]:
    """Record an invitation and e-mail its link once committed. Returns the
    invitation and the link's token (the database keeps only its hash)."""
    token = secrets.token_urlsafe(32)
    invitation = form.save(commit=False)
    invitation.invited_by = by
    invitation.token_hash = hash_token(token)
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.save()
    audit.record(
        Action.INVITATION_SENT,
        request=request,
        actor=by,
        target=invitation,
        organisation=invitation.organisation,
        details={"email": invitation.email, "role": invitation.role},
    )
    context = {
        "invitation": invitation,
        "inviter": by,
        "url": invitation_url(token),
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    send_on_commit("account/email/invitation", invitation.email, context)
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation", "task_force", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


@transaction.atomic
def accept_invitation(invitation: Invitation, data: dict, *, request=None) -> User:
    """Create the invited person's account, their address verified (the link
    reached it). Refuses an invitation that is no longer pending."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValueError(_("Cette invitation n'est plus valable."))
    user = User.objects.create_user(
        email=invitation.email,
        password=data["password1"],
        given_name=data["given_name"].strip(),
        family_name=data["family_name"].strip(),
        profession=data.get("profession", "").strip(),
        role=invitation.role,
        organisation=invitation.organisation,
        is_staff=invitation.role == User.Role.ADMIN,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if invitation.task_force_id:
        TaskForceLead.objects.create(
            task_force=invitation.task_force, user=user, is_public_contact=False, order=99
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    audit.record(
        Action.INVITATION_ACCEPTED,
        request=request,
        actor=user,
        subject=user,
        target=invitation,
        details={"role": user.role, "organisation": str(user.organisation)},
    )
    return user


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, by: User, request=None) -> None:
    if not invitation.is_pending:
        return
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(
        Action.INVITATION_REVOKED,
        request=request,
        actor=by,
        target=invitation,
        organisation=invitation.organisation,
        details={"email": invitation.email},
    )


# --- People ------------------------------------------------------------------------


@transaction.atomic
def change_person(form, *, by: User, request=None) -> User:
    """An admin changes someone's role, organisation or access; each change is logged."""
    old = User.objects.select_related("organisation").get(pk=form.instance.pk)
    person = form.save()
    if old.role != person.role:
        audit.record(
            Action.ROLE_CHANGED,
            request=request,
            actor=by,
            subject=person,
            target=person,
            details={"from": old.role, "to": person.role},
        )
    if old.organisation_id != person.organisation_id:
        audit.record(
            Action.ORGANISATION_CHANGED,
            request=request,
            actor=by,
            subject=person,
            target=person,
            details={"from": str(old.organisation or ""), "to": str(person.organisation or "")},
        )
    if old.is_active != person.is_active:
        audit.record(
            Action.ROLE_CHANGED,
            request=request,
            actor=by,
            subject=person,
            target=person,
            details={"is_active": {"from": old.is_active, "to": person.is_active}},
        )
    staff = person.role == User.Role.ADMIN or person.is_superuser
    if person.is_staff != staff:
        person.is_staff = staff
        person.save(update_fields=["is_staff"])
    return person


@transaction.atomic
def reset_mfa(person: User, *, by: User, request=None) -> int:
    """An admin removes someone's second factor after its loss or theft
    (SC.SSI/IE.35). A lead or admin must register a new one at next sign-in."""
    authenticators = list(Authenticator.objects.filter(user=person))
    for authenticator in authenticators:
        # Model delete (not the queryset's): nothing else may hold them.
        authenticator.delete()
    audit.record(
        Action.MFA_RESET_BY_ADMIN,
        request=request,
        actor=by,
        subject=person,
        target=person,
        details={"removed": sorted(a.type for a in authenticators)},
    )
    if authenticators:
        send_on_commit(
            "account/email/mfa_reset_by_admin",
            person.email,
            {"user": person, "timestamp": timezone.now()},
        )
    return len(authenticators)


# --- RGPD: my data, closing my account -----------------------------------------------

# Other apps add their sections of a person's data export here (in their
# AppConfig.ready): register_personal_data("comments", lambda user: [...]).
PERSONAL_DATA_SECTIONS: dict[str, Callable[[User], object]] = {}


def register_personal_data(name: str, collect: Callable[[User], object]) -> None:
    PERSONAL_DATA_SECTIONS[name] = collect


def personal_data(user: User) -> dict:
    """Everything the portal holds about a person, for their download (RGPD art. 15/20)."""
    since = timezone.now() - timedelta(days=settings.AUDIT_LOG_RETENTION_DAYS)
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "given_name": user.given_name,
            "family_name": user.family_name,
            "profession": user.profession,
            "rpps": user.rpps,
            "private_identifier": user.private_identifier,
            "role": user.role,
            "organisation": str(user.organisation or ""),
            "language": user.language,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "task_forces": [
            m.task_force.name for m in user.task_force_memberships.select_related("task_force")
        ],
        "second_factors": [
            {
                "type": a.type,
                "created_at": a.created_at.isoformat(),
                "last_used_at": a.last_used_at.isoformat() if a.last_used_at else None,
            }
            for a in Authenticator.objects.filter(user=user).order_by("pk")
        ],
        "invitations_sent": [
            {"email": i.email, "role": i.role, "created_at": i.created_at.isoformat()}
            for i in user.invitations_sent.order_by("pk")
        ],
        "audit_log": [
            {
                "at": event.at.isoformat(),
                "action": event.action,
                "ip_address": event.ip_address,
                "target": event.target_label,
            }
            for event in AuditEvent.objects.filter(at__gte=since, actor=user).order_by("at", "pk")
        ],
    }
    for name, collect in PERSONAL_DATA_SECTIONS.items():
        data[name] = collect(user)
    return data


class CannotClose(Exception):
    pass


@transaction.atomic
def close_account(user: User, *, request=None) -> None:
    """Close an account at its owner's request: personal data goes, contributions
    stay (they point to this row, now anonymous, and to its organisation).
    The audit log keeps the address for its retention period (privacy page)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if access.is_admin(user):
        other_admins = User.objects.filter(role=User.Role.ADMIN, is_active=True, closed_at=None)
        if not other_admins.exclude(pk=user.pk).exists():
            raise CannotClose(_("Vous êtes le seul administrateur : nommez-en un autre d'abord."))
    audit.record(Action.ACCOUNT_CLOSED, request=request, actor=user, subject=user)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.task_force_memberships.all().delete()
    user.email = f"compte-clos-{user.pk}@comptes.invalid"
    user.given_name = ""
    user.family_name = ""
    user.profession = ""
    user.rpps = ""
    user.private_identifier = None
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.closed_at = timezone.now()
    # An unusable password also ends every session (Django's session hash).
    user.set_unusable_password()
    user.save()
