"""Who may see and do what with people and organisations — and the roles
every other app's ``access.py`` builds on.

The portal asks its permission questions in one vocabulary: each app has an
``access.py`` of ``may_*`` predicates (may this person see / do this?),
``visible_to``-style querysets and an ``audience(user)`` (the part of a cache
key that says who the cached thing was computed for). Views, templates
(``{% may "app.predicate" … as flag %}``, core/templatetags/access.py),
exports, feeds, search, notifications and cache keys ask them; nothing else
tests a role (``segur_portal/tests/test_access_vocabulary.py`` fails when
something does).

The roles (README.md, "Roles"):

- the **authority**: task-force leads and administrators (active accounts);
- **participants**: editors and federation representatives, who act in
  their organisation's name;
- **administrators** alone manage roles, second factors and the audit log.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Organisation, User


def signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_authority(user) -> bool:
    """Leads and admins: the people who speak for the authority."""
    return signed_in(user) and user.is_authority


def is_admin(user) -> bool:
    return signed_in(user) and user.is_portal_admin


def is_lead(user) -> bool:
    return signed_in(user) and user.is_lead


def is_federation(user) -> bool:
    """A federation representative (with or without an organisation)."""
    return signed_in(user) and user.is_federation


def is_participant(user) -> bool:
    """An editor or a federation representative acting in the name of their
    organisation."""
    return (
        signed_in(user)
        and (user.is_editor or user.is_federation)
        and user.organisation_id is not None
    )


def audience(user) -> tuple:
    """Who a page shared between people was computed for, as a cache-key
    part: the authority sees alike, each participant organisation alike
    (a federation differs from its member editors)."""
    if not signed_in(user):
        return ("anonymous",)
    if user.is_authority:
        return ("authority",)
    return (user.role, user.organisation_id)


# --- People and organisations ---------------------------------------------------------


def may_manage_organisations(user) -> bool:
    """Leads and admins manage organisations, people and invitations."""
    return is_authority(user)


def may_read_audit_log(user) -> bool:
    return is_admin(user)


def may_manage_roles(user) -> bool:
    """Admins change roles and organisations and reset second factors."""
    return is_admin(user)


def invitable_roles(user) -> list[str]:
    """Admins invite anyone; leads invite editors and federation representatives."""
    if is_admin(user):
        return [choice.value for choice in User.Role]
    if is_lead(user):
        return [User.Role.EDITOR, User.Role.FEDERATION]
    return []


def may_see_organisation(user, organisation: Organisation) -> bool:
    """The authority sees every organisation, a member their own."""
    return may_manage_organisations(user) or (
        signed_in(user) and user.organisation_id == organisation.pk
    )


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def get_organisation(user, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    require(may_see_organisation(user, organisation))
    return organisation


def get_person(user, pk: int) -> User:
    """Someone's account, for the authority only."""
    require(may_manage_organisations(user))
    return get_object_or_404(User.objects.select_related("organisation"), pk=pk)


# --- Who holds a role (recipients of notifications and reminders) ---------------------


def reachable_people() -> QuerySet:
    return User.objects.filter(is_active=True, closed_at=None)


def authority_people(*, leads_only: bool = False) -> QuerySet:
    """Active leads and admins (or only the leads)."""
    roles = [User.Role.LEAD] if leads_only else [User.Role.LEAD, User.Role.ADMIN]
    return reachable_people().filter(role__in=roles)


def participant_people(*, federations_only: bool = False, editors_only: bool = False) -> QuerySet:
    """Active editors and federation representatives with an organisation
    (``is_participant``), or only one of the two roles."""
    roles = [User.Role.EDITOR, User.Role.FEDERATION]
    if federations_only:
        roles = [User.Role.FEDERATION]
    elif editors_only:
        roles = [User.Role.EDITOR]
    return reachable_people().filter(role__in=roles, organisation__isnull=False)
